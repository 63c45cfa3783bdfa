"""Migration 0021 (storage diet) keeps every launcher, every device key and every constraint's meaning.

A database at revision 0020 gets a family as 0020 stored it (policies with and without blocked
episodes, a selection, a paired device with its hex key digest). After `upgrade 0021` the launcher
renders the same JSON with the same version, the device's key still matches, "nothing blocked"
is NULL, and the slimmer tables refuse what the old ones refused. `downgrade 0020` gives the old
shapes back. (Migration 0027 gives the spec's ids and '[]' back: tests/db/test_migration_0027.py.)
"""

import psycopg
import pytest

from axolotly.db import migrate
from axolotly.security import api_keys
from tests.support.launcher_before_0035 import LAUNCHER_SQL, launcher_params
from tests.support.migration_rows import family_with_bluey_and_moana, one
from tests.support.pg import libpq_url, recreate_database

API_KEY = "the-device-key"


@pytest.fixture
def at_0020(database_url):
    url = recreate_database(database_url, "axolotly_migration_0021_scratch")
    migrate.upgrade(url, "0020")
    return url


def populate(conn) -> dict[str, int]:
    ids = family_with_bluey_and_moana(conn, moana_blocked="[]")
    conn.execute(
        "INSERT INTO devices (device_id, family_id, kid_profile_id, api_key_digest) VALUES ('d-1', %s, %s, %s)",
        (ids["family"], ids["kid"], api_keys.digest(API_KEY).hex()),
    )
    return ids


def launcher(conn, ids) -> tuple[int, str]:
    return tuple(conn.execute(LAUNCHER_SQL, launcher_params(ids["family"], ids["kid"])).fetchone())


def columns(conn, table: str) -> set[str]:
    return {
        name
        for (name,) in conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s", (table,)
        ).fetchall()
    }


def test_upgrade_keeps_launchers_and_device_keys(at_0020):
    with psycopg.connect(libpq_url(at_0020), autocommit=True) as conn:
        ids = populate(conn)
        before = launcher(conn, ids)
    migrate.upgrade(at_0020, "0021")
    with psycopg.connect(libpq_url(at_0020), autocommit=True) as conn:
        assert launcher(conn, ids) == before
        assert "Bluey 1" in before[1] and "Bluey 2" not in before[1] and "Moana" in before[1]
        blocked = dict(conn.execute("SELECT title_id, blocked_episodes FROM kid_profiles_titles").fetchall())
        assert blocked == {ids["Bluey"]: [ids["Bluey 2"]], ids["Moana"]: None}
        digest = one(conn, "SELECT api_key_digest FROM devices WHERE device_id = 'd-1'")
        assert isinstance(digest, bytes) and api_keys.matches(API_KEY, digest)
        assert "id" not in columns(conn, "kid_profiles_titles") and "id" not in columns(
            conn, "streaming_service_selection"
        )


@pytest.mark.parametrize(
    "statement, error",
    [
        # One policy per kid and title: the primary key now.
        (
            "INSERT INTO kid_profiles_titles (kid_profile_id, title_id, policy) VALUES (%(kid)s, %(Moana)s, 'deny')",
            psycopg.errors.UniqueViolation,
        ),
        # "Nothing blocked" has one spelling, NULL; anything stored is an array.
        (
            "UPDATE kid_profiles_titles SET blocked_episodes = '[]' WHERE title_id = %(Bluey)s",
            psycopg.errors.CheckViolation,
        ),
        (
            "UPDATE kid_profiles_titles SET blocked_episodes = '{}' WHERE title_id = %(Bluey)s",
            psycopg.errors.CheckViolation,
        ),
        (
            "INSERT INTO kid_profiles_titles (kid_profile_id, title_id, policy) VALUES (%(kid)s, NULL, 'deny')",
            psycopg.errors.NotNullViolation,
        ),
        # One selection per family.
        ("INSERT INTO streaming_service_selection (family_id) VALUES (%(family)s)", psycopg.errors.UniqueViolation),
        # A digest is an HMAC-SHA256: 32 bytes.
        ("UPDATE devices SET api_key_digest = '\\x00'::bytea", psycopg.errors.CheckViolation),
    ],
)
def test_the_slimmer_tables_refuse_what_the_old_ones_did(at_0020, statement, error):
    with psycopg.connect(libpq_url(at_0020), autocommit=True) as conn:
        ids = populate(conn)
    migrate.upgrade(at_0020, "0021")
    with psycopg.connect(libpq_url(at_0020), autocommit=True) as conn, pytest.raises(error):
        conn.execute(statement, ids)


def test_downgrade_gives_the_old_shapes_back(at_0020):
    with psycopg.connect(libpq_url(at_0020), autocommit=True) as conn:
        ids = populate(conn)
    migrate.upgrade(at_0020, "0021")
    migrate.downgrade(at_0020, "0020")
    with psycopg.connect(libpq_url(at_0020), autocommit=True) as conn:
        blocked = dict(conn.execute("SELECT title_id, blocked_episodes FROM kid_profiles_titles").fetchall())
        assert blocked == {ids["Bluey"]: [ids["Bluey 2"]], ids["Moana"]: []}
        assert one(conn, "SELECT api_key_digest FROM devices") == api_keys.digest(API_KEY).hex()
        assert one(conn, "SELECT count(DISTINCT id) FROM kid_profiles_titles") == 2
        assert one(conn, "SELECT count(id) FROM streaming_service_selection") == 1
