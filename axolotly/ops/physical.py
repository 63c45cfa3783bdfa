"""Physical copies of a cluster: base backups, point-in-time recovery, streaming replicas.

A base backup (`pg_basebackup`, plain format) plus the archived WAL of the embedded cluster
(`LocalCluster(archive_wal=True)`) can rebuild the cluster as it was at any moment after the
backup: `recover_to_time` copies the newest base backup taken before that moment into a new
folder, points `restore_command` at the archive and starts a new cluster there, which replays WAL
up to the moment and is promoted. The new folder is a `LocalCluster` like any other.
"""

import json
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
    run_tool(["pg_basebackup", f"--dbname={uri}", "-D", str(target), "-Fp", "-X", "stream", "-c", "fast",
              "--progress", "--verbose"], env, what="take a base backup", progress=progress)
    return target


def basebackups(directory: Path) -> list[tuple[datetime, Path]]:
    found = []
    for path in directory.iterdir() if directory.exists() else []:
        try:
            found.append((datetime.strptime(path.name, STAMP).replace(tzinfo=UTC), path))
        except ValueError:
            continue
    return sorted(found)


def recover_to_time(target_time: datetime, into: Path, *, basebackup_dir: Path, wal_archive: Path,
                    source_url: str) -> LocalCluster:
    """A new cluster in `into`, as the source was at `target_time` (UTC if naive)."""
    if target_time.tzinfo is None:
        target_time = target_time.replace(tzinfo=UTC)
    candidates = [path for taken_at, path in basebackups(basebackup_dir) if taken_at <= target_time]
    if not candidates:
        raise ToolError(f"no base backup in {basebackup_dir} taken before {target_time.isoformat()}; "
                        "run `axolotly db basebackup` (recovery starts from one)")
    if into.exists() and any(into.iterdir()):
        raise ToolError(f"{into} is not empty")
    if not wal_archive.exists():
        raise ToolError(f"WAL archive {wal_archive} does not exist")
    state = _copy_into(candidates[-1], into, source_url)
    with (state.data_dir / "postgresql.auto.conf").open("a") as conf:
        conf.write(
            "\n# point-in-time recovery (axolotly db pitr)\n"
            f"restore_command = 'cp {wal_archive}/%f %p'\n"
            f"recovery_target_time = '{target_time.isoformat()}'\n"
            "recovery_target_action = 'promote'\n"
            "archive_mode = off\n"  # the copy must never write into the source's archive
        )
    (state.data_dir / "recovery.signal").touch()
    cluster = _start(into)
    _wait_until_promoted(cluster)
    return cluster


def create_replica(primary_url: str, into: Path) -> LocalCluster:
    """A streaming replica of the primary in `into` (`pg_basebackup -R`), started on its own port."""
    if into.exists() and any(into.iterdir()):
        raise ToolError(f"{into} is not empty")
    into.mkdir(parents=True, exist_ok=True)
    uri, env = libpq_target(primary_url)
    data_dir = into / "data"
    run_tool(["pg_basebackup", f"--dbname={uri}", "-D", str(data_dir), "-Fp", "-X", "stream", "-c", "fast", "-R"],
             env, what="copy the primary for a replica")
    _write_state(into, source_url=primary_url)
    return _start(into)


def _copy_into(basebackup: Path, into: Path, source_url: str) -> ClusterState:
    into.mkdir(parents=True, exist_ok=True)
    shutil.copytree(basebackup, into / "data")
    for leftover in ("postmaster.pid", "standby.signal"):
        (into / "data" / leftover).unlink(missing_ok=True)
    return _write_state(into, source_url=source_url)


def _write_state(into: Path, *, source_url: str) -> ClusterState:
    """A physical copy keeps the source's superuser and password; record it as a LocalCluster."""
    state = ClusterState(home=str(into.resolve()), port=free_port(), password=make_url(source_url).password or "")
    (state.data_dir).chmod(0o700)
    (into / "cluster.json").write_text(json.dumps(state.__dict__, indent=2))
    return state


def _start(into: Path) -> LocalCluster:
    cluster = LocalCluster(into)
    cluster._give_to_owner(into)
    cluster.start()
    return cluster


def _wait_until_promoted(cluster: LocalCluster, timeout: float = 120) -> None:
    uri, env = libpq_target(cluster.url())
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with psycopg.connect(uri, password=env.get("PGPASSWORD"), autocommit=True) as connection:
                if not connection.execute("SELECT pg_is_in_recovery()").fetchone()[0]:
                    return
        except psycopg.OperationalError:
            pass
        time.sleep(0.2)
    raise ToolError(f"the recovered cluster did not finish recovery in {timeout:.0f} s; see {cluster.status()}")
