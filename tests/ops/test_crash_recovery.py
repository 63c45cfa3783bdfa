"""The app survives a PostgreSQL crash: kill -9 of the postmaster under load, restart on the same
port; and backends terminated under it.

While PostgreSQL is down every answer is a 503 with Retry-After (never a 500); within a second
of PostgreSQL accepting connections again the app answers 2xx, and no request started after
that fails. A real uvicorn over sockets, a cluster of the test's own, launchers and a parent
polling from threads; the job worker runs beside them and runs a job after the restart.
"""

import os
import re
import signal
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx
import psycopg
import psycopg_pool
import pytest

from axolotly import http_errors
from axolotly.db.async_pool import connection_lost
from axolotly.db.cluster import LocalCluster, port_is_free
from tests.support.live_app import (
    TIMEOUT,
    defer_job,
    job_status,
    job_worker,
    own_cluster,
    paired_launcher,
    parent_headers,
    sql,
)
from tests.support.processes import live_server, wait_for

POLLERS = 3
RECOVERY_BOUND = 1.0  # seconds from PostgreSQL accepting connections to the app's first 2xx


@dataclass
class Answer:
    path: str
    started: float
    ended: float
    status: int  # 0: no HTTP answer at all (the server itself failed)
    retry_after: str | None


@dataclass
class Load:
    """Client threads polling the launcher's /api/apps, /healthz and a parent's ORM read."""

    base: str
    device: dict
    parent: dict
    answers: list[Answer] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def poll(self) -> None:
        requests = [("/api/apps", self.device), ("/healthz", {}), ("/api/parent/kids", self.parent)]
        with httpx.Client(base_url=self.base, timeout=TIMEOUT) as client:
            while not self.stop.is_set():
                for path, headers in requests:
                    started = time.monotonic()
                    try:
                        response = client.get(path, headers=headers)
                        status, retry_after = response.status_code, response.headers.get("Retry-After")
                    except httpx.TransportError:
                        status, retry_after = 0, None
                    self.answers.append(Answer(path, started, time.monotonic(), status, retry_after))

    def __enter__(self) -> "Load":
        self.threads = [threading.Thread(target=self.poll, daemon=True) for _ in range(POLLERS)]
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=TIMEOUT)


@pytest.fixture(scope="module")
def cluster():
    with own_cluster() as made:
        yield made


@pytest.fixture(scope="module")
def app(cluster):
    """The server (a small pool, so connections are reused and all break together) and the worker."""
    _, url = cluster
    with live_server(url, env={"DB_POOL_SIZE": "4", "DB_MAX_OVERFLOW": "2"}) as base, job_worker(url):
        with httpx.Client(base_url=base, timeout=TIMEOUT) as client:
            parent = parent_headers(client)
            device = paired_launcher(client, parent)
        yield base, device, parent


def postmaster_pid(cluster: LocalCluster) -> int:
    return int((Path(cluster.status()["data_dir"]) / "postmaster.pid").read_text().split()[0])


def children_of(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    """Until reaped: pg_ctl takes even a zombie postmaster for a running server."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


READY = "database system is ready to accept connections"
STAMP = re.compile(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}) UTC")


def ready_at(cluster: LocalCluster) -> float:
    """When PostgreSQL said it accepts connections (its log, to the millisecond), as a
    time.monotonic() value: a probe of our own could be scheduled late on a busy machine."""
    log = Path(cluster.status()["log_file"]).read_text(errors="replace").splitlines()
    stamps = [match.group(1) for line in log if READY in line and (match := STAMP.search(line))]
    assert stamps, "PostgreSQL's log names the moment it accepted connections (log_line_prefix '%m ...')"
    wall = datetime.strptime(stamps[-1], "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=UTC).timestamp()
    return wall - (time.time() - time.monotonic())


def crash(cluster: LocalCluster) -> None:
    """kill -9 of the postmaster; its backends notice and exit (as after a real crash)."""
    pid = postmaster_pid(cluster)
    backends = children_of(pid)
    os.kill(pid, signal.SIGKILL)
    wait_for(lambda: not any(alive(p) for p in [pid, *backends]), timeout=30)


def test_a_crash_and_restart_under_load_gives_503s_then_only_2xx(cluster, app):
    own, url = cluster
    base, device, parent = app
    port = own.status()["port"]
    with Load(base, device, parent) as load:
        wait_for(lambda: sum(a.status == 200 for a in load.answers) >= 30)
        crash(own)
        down_since = time.monotonic()
        wait_for(lambda: sum(a.started > down_since for a in load.answers) >= 30)  # an outage under load
        own.start()
        accepted_at = ready_at(own)
        assert own.status()["port"] == port, "the cluster must come back on its port"
        wait_for(lambda: sum(a.started > accepted_at + RECOVERY_BOUND for a in load.answers) >= 60)
    answers = load.answers

    assert [a for a in answers if a.status not in (200, 503)] == [], "only 2xx or 503, never a 500"
    outage = [a for a in answers if down_since < a.started and a.ended < accepted_at]
    assert outage and all(a.status == 503 for a in outage), "while PostgreSQL is down: 503"
    assert all(a.retry_after for a in answers if a.status == 503), "every 503 says when to retry"
    for path in ("/api/apps", "/healthz", "/api/parent/kids"):
        first_ok = min(a.ended for a in answers if a.path == path and a.started > down_since and a.status == 200)
        assert first_ok <= accepted_at + RECOVERY_BOUND, (
            f"{path}: 2xx again {first_ok - accepted_at:+.3f} s after PostgreSQL accepted connections"
        )
    after = [a for a in answers if a.started > accepted_at]
    assert after and [a for a in after if a.status != 200] == [], "once PostgreSQL is back, nothing fails"

    # The worker came back too: a job deferred now runs.
    job = defer_job(
        url,
        "load_title_episodes",
        title_id=sql(url, "SELECT id FROM titles WHERE media_type = 'tv' ORDER BY id LIMIT 1")[0][0],
    )
    wait_for(lambda: job_status(url, job) == "succeeded", timeout=60)


def test_terminated_backends_are_replaced_before_the_next_requests(cluster, app):
    _, url = cluster
    base, device, parent = app
    requests = [("/api/apps", device), ("/healthz", {}), ("/api/parent/kids", parent), ("/api/device/validate", device)]
    with httpx.Client(base_url=base, timeout=TIMEOUT) as client:
        for round_ in range(3):
            # Fill both pools with several connections each, then end every one of them.
            with Load(base, device, parent) as load:
                wait_for(lambda: len(load.answers) >= 30)
            assert {a.status for a in load.answers} == {200}
            ended = sql(
                url,
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                "AND backend_type = 'client backend'",
            )
            assert ended[0][0] >= 2, "the app's pooled connections were ended"
            for path, headers in requests * 2:
                response = client.get(path, headers=headers)
                assert response.status_code == 200, (round_, path, response.status_code, response.text)


def test_a_port_whose_old_connections_linger_in_time_wait_counts_as_free():
    """After a crash the server's side of its connections sits in TIME-WAIT for a minute: the
    cluster's restart must still take its port (only a live listener makes it move)."""
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as PostgreSQL's listener
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    assert not port_is_free(port), "a live listener holds the port"
    client = socket.create_connection(("127.0.0.1", port))
    served, _ = listener.accept()
    served.close()  # the server closes first (as dying backends do): its side enters TIME-WAIT
    client.recv(1)
    client.close()
    listener.close()
    assert port_is_free(port)


@pytest.mark.parametrize(
    "error",
    [
        psycopg.errors.AdminShutdown("terminating connection due to administrator command"),
        psycopg.errors.CrashShutdown("terminating connection because of crash of another server process"),
        psycopg.errors.CannotConnectNow("the database system is starting up"),
        psycopg.OperationalError("server closed the connection unexpectedly"),
        psycopg_pool.PoolTimeout("couldn't get a connection after 30.00 sec"),
    ],
)
def test_a_lost_or_refused_connection_of_the_async_pool_is_a_503(error):
    assert http_errors.as_domain_error(error) is http_errors.DATABASE_UNAVAILABLE
    assert connection_lost(error) or isinstance(error, psycopg_pool.PoolTimeout)


def test_a_statements_own_error_is_not_taken_for_a_lost_connection():
    assert not connection_lost(psycopg.errors.QueryCanceled("canceling statement due to statement timeout"))
    assert not connection_lost(psycopg.errors.UniqueViolation("duplicate key"))
    assert http_errors.as_domain_error(psycopg.errors.UniqueViolation("duplicate key")).status_code == 409
