"""Migration 0023 moves the PIN lock from the profile to (kid, device) and back."""

import psycopg
import pytest

from axolotly.db import migrate
from tests.support.pg import libpq_url, recreate_database

BCRYPT = "$2b$04$" + "a" * 53


@pytest.fixture(scope="module")
def scratch_url(database_url):
    return recreate_database(database_url, "axolotly_pin_lock_scratch")


def columns(conn, table: str) -> set[str]:
    rows = conn.execute("SELECT column_name FROM information_schema.columns WHERE table_name = %s", (table,))
    return {name for (name,) in rows}


def test_0023_drops_profile_locks_and_their_counters_and_the_downgrade_brings_the_latest_back(scratch_url):
    migrate.upgrade(scratch_url, "0022")
    with psycopg.connect(libpq_url(scratch_url), autocommit=True) as conn:
        family = conn.execute(
            "INSERT INTO users (email, password_hash) VALUES ('a@example.com', 'x') RETURNING id"
        ).fetchone()[0]
        kid = conn.execute(
            "INSERT INTO kid_profiles (family_id, name, pin_hash, pin_failed_attempts, pin_locked_until) "
            "VALUES (%s, 'Emma', %s, 5, now() + interval '10 minutes') RETURNING id",
            (family, BCRYPT),
        ).fetchone()[0]
        conn.execute(
            "INSERT INTO rate_limits (key, window_start, failures) VALUES (%s, now(), 5), "
            "('login:account:1', now(), 2)",
            (f"pin:kid:{kid}",),
        )

    migrate.upgrade(scratch_url, "0023")
    with psycopg.connect(libpq_url(scratch_url), autocommit=True) as conn:
        assert not {"pin_failed_attempts", "pin_locked_until"} & columns(conn, "kid_profiles")
        assert conn.execute("SELECT count(*) FROM pin_lockouts").fetchone()[0] == 0  # the device is unknown
        assert conn.execute("SELECT key FROM rate_limits").fetchall() == [("login:account:1",)]
        device = conn.execute(
            "INSERT INTO devices (device_id, family_id) VALUES ('tablet', %s) RETURNING id", (family,)
        ).fetchone()[0]
        conn.execute(
            "INSERT INTO pin_lockouts (family_id, kid_profile_id, device_id, locked_until) VALUES "
            "(%s, %s, %s, now() + interval '5 minutes'), (%s, %s, NULL, now() + interval '9 minutes')",
            (family, kid, device, family, kid),
        )
        with pytest.raises(psycopg.errors.UniqueViolation):  # one lock per kid and place, the parent API's too
            conn.execute(
                "INSERT INTO pin_lockouts (family_id, kid_profile_id, device_id, locked_until) "
                "VALUES (%s, %s, NULL, now())",
                (family, kid),
            )
        conn.execute(
            "INSERT INTO rate_limits (key, window_start, failures) VALUES (%s, now(), 5)",
            (f"pin:kid:{kid}:device:{device}",),
        )

    migrate.downgrade(scratch_url, "0022")
    with psycopg.connect(libpq_url(scratch_url), autocommit=True) as conn:
        (minutes,) = conn.execute(
            "SELECT round(extract(epoch FROM pin_locked_until - now()) / 60) FROM kid_profiles WHERE id = %s", (kid,)
        ).fetchone()
        assert minutes == 9, "the latest running lock is the profile's again"
        assert conn.execute("SELECT key FROM rate_limits").fetchall() == [("login:account:1",)]
    migrate.upgrade(scratch_url)
    migrate.check(scratch_url)
