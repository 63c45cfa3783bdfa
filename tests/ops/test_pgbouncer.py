"""The app through Debian's PgBouncer in transaction mode (docs/scaling.md has the configuration).

A PgBouncer of the test's own on loopback, in front of a cluster of the test's own, with several
server connections, so consecutive transactions of one client land on different PostgreSQL
sessions (a server-side prepared statement would then be missing). The server and the job
worker use it as DATABASE_URL; DATABASE_DIRECT_URL (the worker's LISTEN, migrations) is the
cluster itself.
"""

import asyncio
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

from axolotly.db.cluster import RUN_AS, free_port
from tests.support.live_app import TIMEOUT, job_status, job_worker, own_cluster, paired_launcher, parent_headers, sql
from tests.support.processes import live_server, run_axolotly, wait_for

PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"  # Debian's package (make test installs it)

CONFIG = """\
[databases]
{name} = host={host} port={port} dbname={name}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {listen_port}
unix_socket_dir =
auth_type = scram-sha-256
auth_file = {folder}/userlist.txt
pool_mode = transaction
default_pool_size = 4
max_client_conn = 200
server_reset_query =
ignore_startup_parameters = extra_float_digits
logfile = {folder}/pgbouncer.log
pidfile = {folder}/pgbouncer.pid
"""


@contextmanager
def pgbouncer(database_url: str) -> Iterator[str]:
    """PgBouncer in transaction mode in front of `database_url`; yields the URL through it."""
    assert Path(PGBOUNCER).exists(), "PgBouncer is missing: `make test` installs Debian's pgbouncer package"
    url = make_url(database_url)
    folder = Path(tempfile.mkdtemp(prefix="axolotly-pgbouncer-"))
    listen_port = free_port()
    (folder / "pgbouncer.ini").write_text(
        CONFIG.format(name=url.database, host=url.host, port=url.port, listen_port=listen_port, folder=folder)
    )
    (folder / "userlist.txt").write_text(f'"{url.username}" "{url.password}"\n')
    command = [PGBOUNCER, "-q", str(folder / "pgbouncer.ini")]
    if os.geteuid() == 0:  # PgBouncer refuses to run as root
        shutil.chown(folder, RUN_AS, RUN_AS)
        for child in folder.iterdir():
            shutil.chown(child, RUN_AS, RUN_AS)
        command = ["runuser", "-u", RUN_AS, "--", *command]
    process = subprocess.Popen(command)
    through = url.set(host="127.0.0.1", port=listen_port).render_as_string(hide_password=False)
    try:
        wait_for(lambda: _answers(through, process), timeout=30)
        yield through
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


def _answers(url: str, process: subprocess.Popen) -> bool:
    assert process.poll() is None, "pgbouncer exited"
    try:
        sql(url, "SELECT 1")
    except Exception:
        return False
    return True


@pytest.fixture(scope="module")
def through_pgbouncer():
    with own_cluster() as (_, direct), pgbouncer(direct) as pooled:
        env = {"DATABASE_DIRECT_URL": direct, "DB_POOL_SIZE": "6"}
        with live_server(pooled, env=env) as base, job_worker(pooled, env=env):
            yield base, direct


async def poll_concurrently(base: str, device: dict, count: int) -> list[int]:
    async with httpx.AsyncClient(base_url=base, timeout=TIMEOUT, headers=device) as client:
        answers = await asyncio.gather(*(client.get("/api/apps") for _ in range(count)))
    return [answer.status_code for answer in answers]


def launcher_titles(client: httpx.Client, device: dict) -> set[int]:
    response = client.get("/api/apps", headers=device)
    assert response.status_code == 200, response.text
    return {int(item["id"]) for group in response.json() for item in group["content"]}


def test_pairing_launcher_parent_changes_and_jobs_all_work_through_pgbouncer(through_pgbouncer):
    base, direct = through_pgbouncer
    with httpx.Client(base_url=base, timeout=TIMEOUT) as client:
        parent = parent_headers(client)
        device = paired_launcher(client, parent)  # ORM writes through the pooler

        # The launcher's async pool: far more executions than psycopg's prepare threshold (5),
        # spread over several server connections.
        for _ in range(3):
            assert asyncio.run(poll_concurrently(base, device, 40)) == [200] * 40
        shown = launcher_titles(client, device)
        assert shown, "the demo kid sees titles"

        # A parent's change (an ORM transaction) reaches the next poll.
        kid_id = next(k["id"] for k in client.get("/api/parent/kids", headers=parent).json() if k["name"] == "Emma")
        title_id = min(shown)
        for policy in ("deny", "allow") * 4:
            changed = client.put(
                f"/api/parent/kids/{kid_id}/policies/{title_id}", json={"policy": policy}, headers=parent
            )
            assert changed.status_code == 200, changed.text
            assert (title_id in launcher_titles(client, device)) == (policy == "allow")

        # A job deferred in a request's transaction through the pooler, run by the worker.
        show_id = sql(
            direct,
            "SELECT id FROM titles WHERE media_type = 'tv' AND id NOT IN "
            "(SELECT title_id FROM family_titles UNION SELECT title_id FROM kid_profiles_titles) "
            "ORDER BY id LIMIT 1",
        )[0][0]
        sql(direct, "DELETE FROM episodes WHERE title_id = %(id)s", {"id": show_id})
        newest = sql(direct, "SELECT coalesce(max(id), 0) FROM procrastinate_jobs")[0][0]
        assert client.put(f"/api/parent/library/{show_id}", headers=parent).status_code == 201
        [(job_id,)] = sql(
            direct,
            "SELECT id FROM procrastinate_jobs WHERE id > %(n)s AND task_name = 'axolotly:load_title_episodes'",
            {"n": newest},
        )
        wait_for(lambda: job_status(direct, job_id) == "succeeded", timeout=60)
        assert sql(direct, "SELECT count(*) FROM episodes WHERE title_id = %(id)s", {"id": show_id})[0][0] > 0

    # The worker's LISTEN is on a connection of its own to PostgreSQL, not through the pooler.
    listening = sql(direct, "SELECT query FROM pg_stat_activity WHERE application_name = 'axolotly-worker-listen'")
    assert [query for (query,) in listening if query.startswith(("LISTEN", "SELECT 1"))]


def test_migrations_bypass_the_pooler(database_url):
    """`axolotly db ...` connects to DATABASE_DIRECT_URL: here DATABASE_URL leads nowhere."""
    nowhere = f"postgresql://axolotly:unused@127.0.0.1:{free_port()}/nowhere"
    result = run_axolotly("db", "current", env={"DATABASE_URL": nowhere, "DATABASE_DIRECT_URL": database_url})
    assert result.returncode == 0, result.stderr
    assert "(head)" in result.stdout
