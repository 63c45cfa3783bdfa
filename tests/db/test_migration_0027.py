"""Migration 0027 gives the spec's schema back without moving a launcher.

A database at revision 0026 holds a family as 0021 shaped it (policies keyed by kid and title,
"nothing blocked" as NULL, a selection keyed by family). After `upgrade 0027` every policy and
selection has its own `id` (the primary key), the spec's named unique indexes still refuse
duplicates, `'[]'` is accepted, and the launcher renders the same JSON with the same version.
`downgrade 0026` gives 0021's shapes back, `'[]'` written meanwhile turned into NULL.
"""

import psycopg
import pytest

from axolotly.db import migrate
from tests.support.launcher_before_0035 import LAUNCHER_SQL, launcher_params
from tests.support.migration_rows import BCRYPT, family_with_bluey_and_moana, one
from tests.support.pg import libpq_url, recreate_database


@pytest.fixture
def at_0026(database_url):
    url = recreate_database(database_url, "axolotly_migration_0027_scratch")
    migrate.upgrade(url, "0026")
    return url


def populate(conn) -> dict[str, int]:
    return family_with_bluey_and_moana(conn, moana_blocked=None)


def launcher(conn, ids) -> tuple[int, str]:
    return tuple(conn.execute(LAUNCHER_SQL, launcher_params(ids["family"], ids["kid"])).fetchone())


def primary_key(conn, table: str) -> list[str]:
    return [
        name
        for (name,) in conn.execute(
            "SELECT a.attname FROM pg_index i "
            "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
            "WHERE i.indrelid = %s::regclass AND i.indisprimary ORDER BY a.attnum",
            (table,),
        ).fetchall()
    ]


def test_upgrade_numbers_existing_rows_and_keeps_the_launcher(at_0026):
    with psycopg.connect(libpq_url(at_0026), autocommit=True) as conn:
        ids = populate(conn)
        before = launcher(conn, ids)
    migrate.upgrade(at_0026, "0027")
    with psycopg.connect(libpq_url(at_0026), autocommit=True) as conn:
        assert launcher(conn, ids) == before
        assert "Bluey 1" in before[1] and "Bluey 2" not in before[1]
        assert primary_key(conn, "kid_profiles_titles") == ["id"]
        assert primary_key(conn, "streaming_service_selection") == ["id"]
        assert one(conn, "SELECT count(DISTINCT id) FROM kid_profiles_titles WHERE id IS NOT NULL") == 2
        assert one(conn, "SELECT count(id) FROM streaming_service_selection") == 1
        # New rows take the next id of the column's own sequence, as SERIAL does.
        sibling = one(
            conn,
            "INSERT INTO kid_profiles (family_id, name, pin_hash) VALUES (%s, 'Leo', %s) RETURNING id",
            ids["family"],
            BCRYPT,
        )
        assert (
            one(
                conn,
                "INSERT INTO kid_profiles_titles (kid_profile_id, title_id, policy) "
                "VALUES (%s, %s, 'deny') RETURNING id",
                sibling,
                ids["Moana"],
            )
            == 3
        )


@pytest.mark.parametrize(
    "statement, error",
    [
        # idx_kpt_profile_title: one policy per kid and title.
        (
            "INSERT INTO kid_profiles_titles (kid_profile_id, title_id, policy) VALUES (%(kid)s, %(Moana)s, 'deny')",
            psycopg.errors.UniqueViolation,
        ),
        # idx_streaming_family_id: one selection per family.
        ("INSERT INTO streaming_service_selection (family_id) VALUES (%(family)s)", psycopg.errors.UniqueViolation),
        # An array (or nothing): an object would read differently in SQL and in Python.
        (
            "UPDATE kid_profiles_titles SET blocked_episodes = '{}' WHERE title_id = %(Bluey)s",
            psycopg.errors.CheckViolation,
        ),
        (
            "UPDATE kid_profiles_titles SET blocked_episodes = '5' WHERE title_id = %(Bluey)s",
            psycopg.errors.CheckViolation,
        ),
    ],
)
def test_the_spec_indexes_and_the_array_check_still_refuse(at_0026, statement, error):
    with psycopg.connect(libpq_url(at_0026), autocommit=True) as conn:
        ids = populate(conn)
    migrate.upgrade(at_0026, "0027")
    with psycopg.connect(libpq_url(at_0026), autocommit=True) as conn, pytest.raises(error):
        conn.execute(statement, ids)


def test_an_empty_array_means_nothing_blocked(at_0026):
    with psycopg.connect(libpq_url(at_0026), autocommit=True) as conn:
        ids = populate(conn)
    migrate.upgrade(at_0026, "0027")
    with psycopg.connect(libpq_url(at_0026), autocommit=True) as conn:
        conn.execute("UPDATE kid_profiles_titles SET blocked_episodes = '[]' WHERE title_id = %s", (ids["Bluey"],))
        _, body = launcher(conn, ids)
        assert "Bluey 1" in body and "Bluey 2" in body


def test_downgrade_gives_0021s_shapes_back(at_0026):
    with psycopg.connect(libpq_url(at_0026), autocommit=True) as conn:
        ids = populate(conn)
    migrate.upgrade(at_0026, "0027")
    with psycopg.connect(libpq_url(at_0026), autocommit=True) as conn:
        conn.execute("UPDATE kid_profiles_titles SET blocked_episodes = '[]' WHERE title_id = %s", (ids["Bluey"],))
    migrate.downgrade(at_0026, "0026")
    with psycopg.connect(libpq_url(at_0026), autocommit=True) as conn:
        blocked = dict(conn.execute("SELECT title_id, blocked_episodes FROM kid_profiles_titles").fetchall())
        assert blocked == {ids["Bluey"]: None, ids["Moana"]: None}
        assert primary_key(conn, "kid_profiles_titles") == ["kid_profile_id", "title_id"]
        assert primary_key(conn, "streaming_service_selection") == ["family_id"]
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute("UPDATE kid_profiles_titles SET blocked_episodes = '[]'")
