"""Logical backups: `pg_dump` custom format with a SHA-256 file, listing, retention, restore.

File names carry the UTC time (`axolotly-20261125T030000Z.dump`), so listing and pruning need
nothing but the directory. A dump is written as `.partial` and renamed when complete.
A dump holds every family's data (password hashes included): its files are the owner's alone
(0600, the directory 0700), created so from the first byte, whatever the umask.
"""

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

from axolotly.ops.pgtools import ToolError, libpq_target, run_tool

PREFIX, SUFFIX, STAMP = "axolotly-", ".dump", "%Y%m%dT%H%M%SZ"


@dataclass(frozen=True)
class Backup:
    path: Path
    taken_at: datetime
    size: int

    @property
    def checksum_file(self) -> Path:
        return self.path.with_name(self.path.name + ".sha256")

    def checksum_ok(self) -> bool:
        if not self.checksum_file.exists():
            return False
        expected = self.checksum_file.read_text().split()[0]
        return expected == sha256_of(self.path)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def private_directory(directory: Path) -> None:
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    if directory.stat().st_uid == os.getuid():  # a shared folder of someone else's stays as it is
        directory.chmod(0o700)


def private_file(path: Path) -> None:
    """A new, empty file only its owner can read (pg_dump then writes into it, keeping the mode).

    Never an existing file, nor through a symbolic link: in a folder others can write to, a link
    planted under the predictable name would otherwise have us truncate and fill its target."""
    path.unlink(missing_ok=True)  # a .partial left by a crashed run of ours
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        os.fchmod(descriptor, 0o600)  # the process's umask may have narrowed, never widened: say it
    finally:
        os.close(descriptor)


def take_backup(
    url: str, directory: Path, *, now: datetime | None = None, progress: Callable[[str], None] | None = None
) -> Backup:
    private_directory(directory)
    taken_at = (now or datetime.now(UTC)).replace(microsecond=0)
    final = directory / f"{PREFIX}{taken_at.strftime(STAMP)}{SUFFIX}"
    if final.exists():
        raise ToolError(f"{final} already exists (one backup per second)")
    partial = final.with_name(final.name + ".partial")
    uri, env = libpq_target(url)
    private_file(partial)
    try:
        run_tool(
            ["pg_dump", "--format=custom", "--no-owner", "--verbose", f"--file={partial}", f"--dbname={uri}"],
            env,
            what="dump the database",
            progress=progress,
        )
    except ToolError:
        partial.unlink(missing_ok=True)
        raise
    partial.rename(final)
    backup = Backup(final, taken_at, final.stat().st_size)
    private_file(backup.checksum_file)
    backup.checksum_file.write_text(f"{sha256_of(final)}  {final.name}\n")
    return backup


def list_backups(directory: Path) -> list[Backup]:
    """Oldest first."""
    found = []
    for path in directory.glob(f"{PREFIX}*{SUFFIX}") if directory.exists() else []:
        try:
            taken_at = datetime.strptime(path.name[len(PREFIX) : -len(SUFFIX)], STAMP).replace(tzinfo=UTC)
        except ValueError:
            continue  # not one of ours
        found.append(Backup(path, taken_at, path.stat().st_size))
    return sorted(found, key=lambda backup: backup.taken_at)


def prune_backups(directory: Path, retention_days: int, *, now: datetime | None = None) -> list[Backup]:
    """Deletes backups older than the retention, never the newest one; returns what went."""
    backups = list_backups(directory)
    cutoff = (now or datetime.now(UTC)) - timedelta(days=retention_days)
    doomed = [backup for backup in backups[:-1] if backup.taken_at < cutoff]
    for backup in doomed:
        backup.path.unlink()
        backup.checksum_file.unlink(missing_ok=True)
    return doomed


def user_table_count(url: str) -> int:
    uri, env = libpq_target(url)
    with psycopg.connect(uri, password=env.get("PGPASSWORD")) as connection:
        row = connection.execute("""
            SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
              AND n.nspname NOT LIKE 'pg_toast%'
        """).fetchone()
        return row[0] if row else 0


def restore_backup(
    path: Path,
    into_url: str,
    *,
    force: bool = False,
    verify: bool = True,
    progress: Callable[[str], None] | None = None,
) -> None:
    """Restores into an empty database; a non-empty one only with `force` (its objects are replaced).

    The dump must match its checksum file, which must be there: a restore replaces data, so an
    unverifiable file is refused unless the operator says `verify=False` (`--no-verify`).
    """
    if not path.exists():
        raise ToolError(f"{path}: no such backup")
    backup = Backup(path, datetime.now(UTC), path.stat().st_size)
    if verify and not backup.checksum_file.exists():
        raise ToolError(
            f"{path}: no checksum file ({backup.checksum_file.name}) to verify it against; "
            "refusing to restore (--no-verify restores it unverified)"
        )
    if verify and not backup.checksum_ok():
        raise ToolError(
            f"{path}: checksum does not match {backup.checksum_file.name}; refusing to restore "
            "(--no-verify restores it anyway)"
        )
    tables = user_table_count(into_url)
    if tables and not force:
        raise ToolError(f"the target database is not empty ({tables} tables); use --force to replace its objects")
    uri, env = libpq_target(into_url)
    options = ["--clean", "--if-exists"] if tables else []
    run_tool(
        ["pg_restore", "--no-owner", "--exit-on-error", "--verbose", *options, f"--dbname={uri}", str(path)],
        env,
        what="restore the backup",
        progress=progress,
    )
