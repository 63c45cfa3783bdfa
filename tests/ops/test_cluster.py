"""The embedded cluster: idempotent start, clean stop, recovery from a stale pid file."""

import tempfile
from pathlib import Path

import psycopg
import pytest

from axolotly.db.cluster import LocalCluster
from tests.support.pg import libpq_url


@pytest.fixture
def cluster():
    cluster = LocalCluster(Path(tempfile.mkdtemp(prefix="axolotly-cluster-test-")), throwaway=True)
    yield cluster
    cluster.destroy()


def query_one(url: str, sql: str):
    with psycopg.connect(libpq_url(url)) as conn:
        return conn.execute(sql).fetchone()[0]


def test_start_is_idempotent_and_listens_on_loopback_only(cluster):
    url = cluster.start()
    assert cluster.start() == url
    assert "@127.0.0.1:" in url and ":5432/" not in url
    assert query_one(url, "SHOW listen_addresses") == "127.0.0.1"
    assert cluster.status()["running"] is True


def test_stop_then_start_again_keeps_the_data(cluster):
    url = cluster.start()
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        conn.execute("CREATE TABLE kept (n int)")
        conn.execute("INSERT INTO kept VALUES (7)")
    assert cluster.stop() is True
    assert cluster.status()["running"] is False
    assert cluster.stop() is False
    url = cluster.start()
    assert query_one(url, "SELECT n FROM kept") == 7


def test_stale_pid_file_after_a_crash_is_handled(cluster):
    cluster.start()
    cluster.stop()
    data_dir = Path(cluster.status()["data_dir"])
    # A pid that no process has: what a crash (kill -9, power loss) leaves behind.
    (data_dir / "postmaster.pid").write_text("999999\n" + str(data_dir) + "\n")
    url = cluster.start()
    assert query_one(url, "SELECT 1") == 1
