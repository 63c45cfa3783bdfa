"""Migration 0029: every JSON column holds an array, and rows that did not are emptied, not a failure.

A database at revision 0028 may hold hand-written non-arrays ('{}', a string, a number, JSON null)
in the spec's "Array of ..." columns; the launcher's own statement fails on them. After
`upgrade 0029` they read '[]', arrays are untouched, the launcher answers, the kids who see the
changed rows have a new launcher version (the ETag triggers fired), and a non-array is refused.
`downgrade 0028` drops the checks again.
"""

import psycopg
import pytest

from axolotly.db import migrate
from tests.support.launcher_before_0035 import LAUNCHER_SQL, launcher_params
from tests.support.migration_rows import BCRYPT, one
from tests.support.pg import libpq_url, recreate_database

NOT_ARRAYS = ('{"id": 16}', '"Drama"', "7", "null")
EVERY_ARRAY_COLUMN = (
    ("titles", "genres"),
    ("titles", "providers"),
    ("titles", "tags"),
    ("episodes", "tags"),
    ("kid_profiles", "blocked_tags"),
    ("streaming_service_selection", "selected_services"),
)


@pytest.fixture
def at_0028(database_url):
    url = recreate_database(database_url, "axolotly_migration_0029_scratch")
    migrate.upgrade(url, "0028")
    return url


def populate(conn) -> dict[str, int]:
    """A family whose JSON columns hold what no reader can take, beside a title whose arrays are fine."""
    ids = {"family": one(conn, "INSERT INTO users (email, password_hash) VALUES ('a@example.com', 'x') RETURNING id")}
    ids["kid"] = one(
        conn,
        "INSERT INTO kid_profiles (family_id, name, pin_hash, rules_mode, blocked_tags) "
        "VALUES (%s, 'Emma', %s, 'rules', '\"peril\"') RETURNING id",
        ids["family"],
        BCRYPT,
    )
    conn.execute(
        "INSERT INTO streaming_service_selection (family_id, selected_services) VALUES (%s, '{}')", (ids["family"],)
    )
    for n, (name, genres, providers, tags) in enumerate(
        (
            ("Bluey", '"Animation"', '{"disney_plus": true}', "7"),
            ("Moana", '[{"id": 16, "name": "Animation"}]', '["disney_plus"]', '["peril"]'),
        )
    ):
        ids[name] = one(
            conn,
            "INSERT INTO titles (tmdb_id, title, media_type, genres, providers, tags) "
            "VALUES (%s, %s, 'tv', %s, %s, %s) RETURNING id",
            900_000 + n,
            name,
            genres,
            providers,
            tags,
        )
        conn.execute("INSERT INTO family_titles (family_id, title_id) VALUES (%s, %s)", (ids["family"], ids[name]))
    conn.execute(
        "INSERT INTO episodes (tmdb_episode_id, title_id, season_number, episode_number, tags) "
        "VALUES (900001, %s, 1, 1, 'null')",
        (ids["Bluey"],),
    )
    return ids


def test_upgrade_empties_what_is_not_an_array_and_keeps_arrays(at_0028):
    with psycopg.connect(libpq_url(at_0028), autocommit=True) as conn:
        ids = populate(conn)
        with pytest.raises(psycopg.errors.InvalidParameterValue):  # "cannot extract elements from an object"
            conn.execute(LAUNCHER_SQL, launcher_params(ids["family"], ids["kid"]))
        version_before = one(conn, "SELECT launcher_version FROM kid_profiles WHERE id = %s", ids["kid"])
    migrate.upgrade(at_0028, "0029")
    with psycopg.connect(libpq_url(at_0028), autocommit=True) as conn:
        for table, column in EVERY_ARRAY_COLUMN:
            held = {value for (value,) in conn.execute(f"SELECT {column}::text FROM {table}")}
            if (table, column) == ("titles", "genres"):
                assert held == {"[]", '[{"id": 16, "name": "Animation"}]'}
            elif (table, column) in {("titles", "providers"), ("titles", "tags")}:
                assert held == {"[]", f'["{"disney_plus" if column == "providers" else "peril"}"]'}, column
            else:
                assert held == {"[]"}, (table, column)
        conn.execute(LAUNCHER_SQL, launcher_params(ids["family"], ids["kid"]))
        assert one(conn, "SELECT launcher_version FROM kid_profiles WHERE id = %s", ids["kid"]) > version_before
        for table, column in EVERY_ARRAY_COLUMN:
            for value in NOT_ARRAYS:
                with pytest.raises(psycopg.errors.CheckViolation):
                    conn.execute(f"UPDATE {table} SET {column} = %s::jsonb", (value,))


def test_downgrade_drops_the_checks(at_0028):
    migrate.upgrade(at_0028, "0029")
    migrate.downgrade(at_0028, "0028")
    with psycopg.connect(libpq_url(at_0028), autocommit=True) as conn:
        ids = populate(conn)  # non-arrays in every column are written again, as 0028 allowed
        assert (
            one(
                conn,
                "SELECT selected_services::text FROM streaming_service_selection WHERE family_id = %s",
                ids["family"],
            )
            == "{}"
        )
