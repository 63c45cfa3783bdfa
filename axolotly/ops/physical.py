"""Physical copies of a cluster: base backups, point-in-time recovery, streaming replicas.

A base backup (`pg_basebackup`, plain format) plus the archived WAL of the embedded cluster
(`LocalCluster(archive_wal=True)`) can rebuild the cluster as it was at any moment after the
backup: `recover_to_time` copies the newest base backup taken before that moment into a new
folder, points `restore_command` at the archive and starts a new cluster there, which replays WAL
up to the moment and is promoted. The new folder is a `LocalCluster` like any other.
"""

import shutil
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from axolotly.db.cluster import ClusterState, LocalCluster, free_port
from axolotly.ops.pgtools import ToolError, libpq_target, run_tool

STAMP = "%Y%m%dT%H%M%SZ"


def take_basebackup(url: str, directory: Path, *, progress: Callable[[str], None] | None = None) -> Path:
    """A consistent plain-format copy of the whole cluster, with the WAL it needs to start."""
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / datetime.now(UTC).strftime(STAMP)
    uri, env = libpq_target(url)
    run_tool(
        [
            "pg_basebackup",
            f"--dbname={uri}",
            "-D",
            str(target),
            "-Fp",
            "-X",
            "stream",
            "-c",
            "fast",
            "--progress",
            "--verbose",
        ],
        env,
        what="take a base backup",
        progress=progress,
    )
    return target


def basebackups(directory: Path) -> list[tuple[datetime, Path]]:
    found = []
    for path in directory.iterdir() if directory.exists() else []:
        try:
            found.append((datetime.strptime(path.name, STAMP).replace(tzinfo=UTC), path))
        except ValueError:
            continue
    return sorted(found)


def recover_to_time(
    target_time: datetime, into: Path, *, basebackup_dir: Path, wal_archive: Path, source_url: str
) -> LocalCluster:
    """A new cluster in `into`, as the source was at `target_time` (UTC if naive)."""
    if target_time.tzinfo is None:
        target_time = target_time.replace(tzinfo=UTC)
    candidates = [path for taken_at, path in basebackups(basebackup_dir) if taken_at <= target_time]
    if not candidates:
        raise ToolError(
            f"no base backup in {basebackup_dir} taken before {target_time.isoformat()}; "
            "run `axolotly db basebackup` (recovery starts from one)"
        )
    if not wal_archive.exists():
        raise ToolError(f"WAL archive {wal_archive} does not exist")
    cluster, state = _new_cluster(into, source_url)
    shutil.copytree(candidates[-1], state.data_dir)
    for leftover in ("postmaster.pid", "standby.signal"):
        (state.data_dir / leftover).unlink(missing_ok=True)
    with (state.data_dir / "postgresql.auto.conf").open("a") as conf:
        conf.write(
            "\n# point-in-time recovery (axolotly db pitr)\n"
            f"restore_command = 'cp {wal_archive}/%f %p'\n"
            f"recovery_target_time = '{target_time.isoformat()}'\n"
            "recovery_target_action = 'promote'\n"
            "archive_mode = off\n"  # the copy must never write into the source's archive
        )
    (state.data_dir / "recovery.signal").touch()
    _start(cluster, state)
    _wait_until_promoted(cluster)
    return cluster


def create_replica(primary_url: str, into: Path) -> LocalCluster:
    """A streaming replica of the primary in `into` (`pg_basebackup -R`), started on its own port."""
    cluster, state = _new_cluster(into, primary_url)
    uri, env = libpq_target(primary_url)
    run_tool(
        ["pg_basebackup", f"--dbname={uri}", "-D", str(state.data_dir), "-Fp", "-X", "stream", "-c", "fast", "-R"],
        env,
        what="copy the primary for a replica",
    )
    _start(cluster, state)
    return cluster


def _new_cluster(into: Path, source_url: str) -> tuple[LocalCluster, ClusterState]:
    """An empty LocalCluster folder for a physical copy, which keeps the source's superuser and
    password. Its data may live in a temp-dir twin when the server's user cannot reach `into`."""
    if into.exists() and any(into.iterdir()):
        raise ToolError(f"{into} is not empty")
    cluster = LocalCluster(into)
    home = cluster.choose_home()
    state = ClusterState(home=str(home), port=free_port(), password=make_url(source_url).password or "")
    return cluster, state


def _start(cluster: LocalCluster, state: ClusterState) -> None:
    state.data_dir.chmod(0o700)
    cluster.save(state)
    cluster.give_to_owner(Path(state.home))
    cluster.start()


def _wait_until_promoted(cluster: LocalCluster, timeout: float = 120) -> None:
    uri, env = libpq_target(cluster.url())
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with psycopg.connect(uri, password=env.get("PGPASSWORD"), autocommit=True) as connection:
                row = connection.execute("SELECT pg_is_in_recovery()").fetchone()
                if row and not row[0]:
                    return
        except psycopg.OperationalError:
            pass
        time.sleep(0.2)
    raise ToolError(f"the recovered cluster did not finish recovery in {timeout:.0f} s; see {cluster.status()}")
