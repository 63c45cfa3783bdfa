"""A real archiving primary of our own: point-in-time recovery and a streaming read replica."""

import time
from datetime import UTC, datetime

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from axolotly.config import get_settings
from axolotly.db import engine as engine_module
from axolotly.db import migrate, replicas
from axolotly.db.cluster import LocalCluster
from axolotly.devices.codes import register_device
from axolotly.models import KidProfileTitle
from axolotly.ops import physical
from tests.support.factories import make_episode, make_family, make_kid, make_title
from tests.support.pg import libpq_url
from tests.support.processes import run_axolotly, wait_for


@pytest.fixture(scope="module")
def primary(tmp_path_factory):
    """A cluster laid out like the project's (AXOLOTLY_HOME/pg), archiving its WAL."""
    home = tmp_path_factory.mktemp("axolotly-home")
    cluster = LocalCluster(home / "pg", archive_wal=True)
    url = cluster.start()
    migrate.upgrade(url)
    yield home, cluster, url
    cluster.destroy()


def query(url: str, sql: str, *params):
    with psycopg.connect(libpq_url(url), autocommit=True) as connection:
        cursor = connection.execute(sql, params)
        return cursor.fetchall() if cursor.description else None


def test_pitr_brings_back_the_moment_between_two_writes(primary, tmp_path):
    home, cluster, url = primary
    env = {"AXOLOTLY_HOME": str(home), "DATABASE_URL": url, "BASEBACKUP_DIR": str(tmp_path / "base")}
    base = run_axolotly("db", "basebackup", env=env)
    assert base.returncode == 0, base.stderr
    time.sleep(1.1)  # base backups are named by the second; the target must come after

    query(url, "INSERT INTO users (email, password_hash) VALUES ('row-a@example.com', 'x')")
    time.sleep(1.05 - datetime.now(UTC).microsecond / 1e6)  # past the next whole second
    moment = query(url, "SELECT to_char(date_trunc('second', now() AT TIME ZONE 'UTC'), 'YYYY-MM-DD HH24:MI:SS')")[0][0]
    query(url, "INSERT INTO users (email, password_hash) VALUES ('row-b@example.com', 'x')")
    segment = query(url, "SELECT pg_walfile_name(pg_switch_wal())")[0][0]
    wait_for(lambda: (query(url, "SELECT last_archived_wal FROM pg_stat_archiver")[0][0] or "") >= segment)

    into = tmp_path / "recovered"
    recovered = run_axolotly("db", "pitr", "--to", moment, "--into", str(into), env=env)
    assert recovered.returncode == 0, recovered.stderr
    copy = LocalCluster(into)
    try:
        emails = {row[0] for row in query(copy.url(), "SELECT email FROM users")}
        assert "row-a@example.com" in emails and "row-b@example.com" not in emails
        assert query(copy.url(), "SELECT pg_is_in_recovery()")[0][0] is False  # promoted, writable
    finally:
        copy.destroy()


def test_pitr_without_a_base_backup_fails_loudly(primary, tmp_path):
    home, cluster, url = primary
    env = {"AXOLOTLY_HOME": str(home), "DATABASE_URL": url, "BASEBACKUP_DIR": str(tmp_path / "none")}
    failed = run_axolotly("db", "pitr", "--to", "2026-01-01 00:00:00", "--into", str(tmp_path / "x"), env=env)
    assert failed.returncode == 1 and "no base backup" in failed.stderr


@pytest.fixture
def replica(primary, tmp_path):
    home, cluster, url = primary
    standby = physical.create_replica(url, tmp_path / "replica")
    yield standby
    standby.destroy()


@pytest.fixture
def app_with_replica(primary, replica, monkeypatch):
    home, cluster, url = primary
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("DATABASE_REPLICA_URLS", replica.url())
    caches = (get_settings, engine_module.get_engine, engine_module.session_factory, replicas.replica_set)
    for cache in caches:
        cache.cache_clear()
    from axolotly.main import create_app

    yield create_app()
    monkeypatch.undo()
    for cache in caches:
        cache.cache_clear()


def launcher_family(url: str) -> tuple[dict, int, int]:
    engine = create_engine(url)
    with Session(engine) as db, db.begin():
        family = make_family(db)
        kid = make_kid(db, family)
        show = make_title(db, media_type="tv", providers=["netflix"], title="Replicated show")
        make_episode(db, show, number=1)
        db.add(KidProfileTitle(kid_profile_id=kid.id, title_id=show.id, policy="allow"))
        device, api_key = register_device(db, family.id)
        device.kid_profile_id = kid.id
        result = {"X-Device-ID": device.device_id, "X-API-Key": api_key}, kid.id, show.id
    engine.dispose()
    return result


def test_launcher_and_catalog_reads_use_the_replica_writes_the_primary_and_fall_back(
    primary, replica, app_with_replica
):
    home, cluster, url = primary
    headers, kid_id, show_id = launcher_family(url)
    wait_for(
        lambda: (
            query(replica.url(), "SELECT count(*) FROM devices WHERE device_id = %s", headers["X-Device-ID"])[0][0] == 1
        )
    )

    with TestClient(app_with_replica) as client:
        reads = client.app.state.launcher_reads
        first = client.get("/api/apps", headers=headers)
        assert first.status_code == 200 and first.json()[0]["content"][0]["appName"] == "Replicated show"
        assert reads.served_by_replica == 1

        async def replica_in_recovery():
            pool = await reads.replicas.pick_pool()
            async with pool.connection() as connection:
                return (await (await connection.execute("SELECT pg_is_in_recovery() AS r")).fetchone()).r

        assert client.portal.call(replica_in_recovery) is True

        sessions = replicas.get_read_session()
        assert next(sessions).execute(text("SELECT pg_is_in_recovery()")).scalar_one() is True
        sessions.close()

        # A parent's write goes to the primary; the launcher shows it on the very next call.
        parent = client.post(
            "/api/parent/auth/signup",
            json={"email": "replica-parent@example.com", "password": "a-long-enough-password"},
        )
        assert parent.status_code in (200, 201), parent.text
        assert query(url, "SELECT count(*) FROM users WHERE email = 'replica-parent@example.com'")[0][0] == 1
        query(url, "UPDATE kid_profiles_titles SET policy = 'deny' WHERE kid_profile_id = %s", kid_id)
        assert client.get("/api/apps", headers=headers).json() == []  # never a lagging copy

        replica.stop()
        query(url, "UPDATE kid_profiles_titles SET policy = 'allow' WHERE kid_profile_id = %s", kid_id)
        served = reads.served_by_replica
        again = client.get("/api/apps", headers=headers)
        assert again.status_code == 200 and again.json()[0]["content"][0]["appName"] == "Replicated show"
        assert reads.served_by_replica == served  # the primary answered
        sessions = replicas.get_read_session()
        assert next(sessions).execute(text("SELECT pg_is_in_recovery()")).scalar_one() is False
        sessions.close()
        status = replicas.replica_status()
        assert status and status[0]["healthy"] is False
