"""A live app of a test's own: its PostgreSQL cluster, a paired launcher, the job worker, jobs."""

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import procrastinate
import psycopg

from axolotly.db.cluster import LocalCluster
from axolotly.seed.demo import DEMO_PARENT
from tests.support.pg import demo_database, libpq_url

TIMEOUT = 60  # generous: the machine's cores are shared with a busy server


@contextmanager
def own_cluster() -> Iterator[tuple[LocalCluster, str]]:
    """A cluster of the test's own (which it may crash) with the demo database; yields it and its URL.

    With the durable settings, not the suite's `throwaway` ones (synchronous_commit=off would let
    a kill -9 lose the last commits, such as the device assignment the test relies on).
    """
    cluster = LocalCluster(Path(tempfile.mkdtemp(prefix="axolotly-own-")))
    try:
        yield cluster, demo_database(cluster.start(), "axolotly")
    finally:
        cluster.destroy()


def sql(url: str, statement: str, params: dict | None = None) -> list[tuple]:
    with psycopg.connect(libpq_url(url), autocommit=True) as connection:
        cursor = connection.execute(statement, params or {})
        return cursor.fetchall() if cursor.description else []


def parent_headers(client: httpx.Client) -> dict:
    response = client.post("/api/parent/auth/login", json={"email": DEMO_PARENT[0], "password": DEMO_PARENT[1]})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def paired_launcher(client: httpx.Client, parent: dict, kid_name: str = "Emma") -> dict:
    """Pairs a device the launcher's way and gives it to the kid; returns the device's headers."""
    known = {d["id"] for d in client.get("/api/parent/devices", headers=parent).json()}
    code = client.post("/api/parent/pairing-codes", headers=parent)
    assert code.status_code == 201, code.text
    paired = client.post("/api/pair", json={"pairingCode": code.json()["code"]})
    assert paired.status_code == 200, paired.text
    device = {"X-Device-ID": paired.json()["deviceId"], "X-API-Key": paired.json()["apiKey"]}
    kid_id = next(k["id"] for k in client.get("/api/parent/kids", headers=parent).json() if k["name"] == kid_name)
    [row] = {d["id"] for d in client.get("/api/parent/devices", headers=parent).json()} - known
    assigned = client.patch(f"/api/parent/devices/{row}", json={"kid_id": kid_id}, headers=parent)
    assert assigned.status_code == 200, assigned.text
    return device


def defer_job(url: str, task_name: str, **kwargs) -> int:
    """Queues a job by name, as another process of the app would."""
    app = procrastinate.App(connector=procrastinate.SyncPsycopgConnector(conninfo=libpq_url(url)))
    with app.open():
        return app.configure_task(f"axolotly:{task_name}").defer(**kwargs)


def job_status(url: str, job_id: int) -> str:
    return sql(url, "SELECT status FROM procrastinate_jobs WHERE id = %(id)s", {"id": job_id})[0][0]


@contextmanager
def job_worker(database_url: str, env: dict | None = None) -> Iterator[subprocess.Popen]:
    """`axolotly worker` as `make run` starts it, on `database_url`."""
    worker_env = {**os.environ, "DATABASE_URL": database_url, "ENV": "test", **(env or {})}
    process = subprocess.Popen([sys.executable, "-m", "axolotly", "worker"], env=worker_env)
    try:
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)
