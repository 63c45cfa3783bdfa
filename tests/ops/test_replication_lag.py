"""The replication-lag figures move when a replica stops replaying (pg_wal_replay_pause()).

Two figures: the primary's (`axolotly_db_replication_lag_seconds`, from pg_stat_replication) and
the replica's own (db-health's replica status, which decides whether reads may use it).
"""

import time
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import create_engine

from axolotly.config import get_settings
from axolotly.db import replicas
from axolotly.db.cluster import LocalCluster
from axolotly.ops import physical
from axolotly.ops.stats import read_parts
from tests.support.pg import libpq_url
from tests.support.processes import wait_for


def execute(url: str, sql: str):
    with psycopg.connect(libpq_url(url), autocommit=True) as connection:
        cursor = connection.execute(sql)
        return cursor.fetchone() if cursor.description else None


@pytest.fixture(scope="module")
def primary_and_replica(tmp_path_factory):
    home: Path = tmp_path_factory.mktemp("lag")
    primary = LocalCluster(home / "primary", throwaway=True)
    url = primary.start()
    execute(url, "CREATE TABLE ticks (id serial PRIMARY KEY, at timestamptz DEFAULT now())")
    replica = physical.create_replica(url, home / "replica")
    try:
        yield url, replica.url()
    finally:
        replica.destroy()
        primary.destroy()


def primary_lag(engine) -> float:
    fresh, errors = read_parts(engine)
    assert "activity" in fresh, errors
    return fresh["activity"]["replication_lag_seconds"]


def replica_lag(replica_set: replicas.ReplicaSet) -> tuple[float, bool]:
    [replica] = replica_set.replicas
    replica.checked_at = -1e9  # check now, not at the next CHECK_EVERY
    replica_set.pick_engine()
    return replica.lag, replica.healthy


def same_ticks(primary_url: str, replica_url: str) -> bool:
    count = "SELECT count(*) FROM ticks"
    return execute(replica_url, count)[0] == execute(primary_url, count)[0]


def write_for(url: str, seconds: float) -> None:
    """Keep the primary writing (each write also makes the replica report its positions)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        execute(url, "INSERT INTO ticks DEFAULT VALUES")
        time.sleep(0.1)


def test_the_lag_grows_while_replay_is_paused_and_returns_to_zero(primary_and_replica, monkeypatch):
    primary_url, replica_url = primary_and_replica
    monkeypatch.setenv("REPLICA_MAX_LAG_SECONDS", "1")
    get_settings.cache_clear()
    engine = create_engine(primary_url)
    replica_set = replicas.ReplicaSet([replica_url])
    try:
        execute(primary_url, "INSERT INTO ticks DEFAULT VALUES")
        wait_for(lambda: same_ticks(primary_url, replica_url) and replica_lag(replica_set) == (0, True), timeout=60)

        execute(replica_url, "SELECT pg_wal_replay_pause()")
        wait_for(lambda: execute(replica_url, "SELECT pg_get_wal_replay_pause_state()")[0] == "paused")
        write_for(primary_url, 1.0)
        first_replica, first_primary = replica_lag(replica_set)[0], primary_lag(engine)
        write_for(primary_url, 1.5)
        later_replica, healthy = replica_lag(replica_set)
        later_primary = primary_lag(engine)
        figures = (
            f"paused replay: replica lag {first_replica:.2f} -> {later_replica:.2f} s, "
            f"primary's figure {first_primary:.2f} -> {later_primary:.2f} s"
        )
        assert first_replica > 0 and later_replica >= first_replica + 1, figures
        assert first_primary > 0 and later_primary >= first_primary + 1, figures
        assert healthy is False  # beyond REPLICA_MAX_LAG_SECONDS: reads go to the primary

        execute(replica_url, "SELECT pg_wal_replay_resume()")
        wait_for(lambda: same_ticks(primary_url, replica_url) and replica_lag(replica_set) == (0, True), timeout=60)
    finally:
        execute(replica_url, "SELECT pg_wal_replay_resume()")
        engine.dispose()
        for replica in replica_set.replicas:
            if replica._engine is not None:
                replica._engine.dispose()
        get_settings.cache_clear()
