"""`axolotly db backup|backups|prune|restore|basebackup|pitr|replica|explain`: operators' commands.

Each prints progress as it goes and exits non-zero with a clear message when anything fails.
"""

from datetime import datetime
from pathlib import Path

import psycopg
import typer

from axolotly.config import get_settings
from axolotly.db.cluster import ClusterError, project_cluster
from axolotly.db.engine import direct_database_url
from axolotly.ops import backups, physical
from axolotly.ops.pgtools import ToolError


def _progress(line: str) -> None:
    typer.secho(f"  {line}", fg=typer.colors.BRIGHT_BLACK, err=True)


def fail(message: str) -> None:
    """Red on stderr, exit status 1: every command fails loudly."""
    typer.secho(message, fg=typer.colors.RED, err=True)
    raise typer.Exit(1)


def backup() -> None:
    """pg_dump (custom format) into BACKUP_DIR, with a .sha256 beside it."""
    try:
        made = backups.take_backup(direct_database_url(), Path(get_settings().backup_dir), progress=_progress)
    except (ToolError, ClusterError) as error:
        fail(str(error))
    typer.echo(f"backup written: {made.path} ({made.size} bytes)")


def list_backups() -> None:
    """The backups in BACKUP_DIR, oldest first, with their checksum verified."""
    found = backups.list_backups(Path(get_settings().backup_dir))
    if not found:
        typer.echo(f"no backups in {get_settings().backup_dir}")
    for item in found:
        state = "ok" if item.checksum_ok() else "CHECKSUM MISMATCH OR MISSING"
        typer.echo(f"{item.taken_at:%Y-%m-%d %H:%M:%S}Z  {item.size:>12} bytes  {state}  {item.path}")


def prune() -> None:
    """Delete backups older than BACKUP_RETENTION_DAYS (never the newest one)."""
    settings = get_settings()
    gone = backups.prune_backups(Path(settings.backup_dir), settings.backup_retention_days)
    typer.echo(f"pruned {len(gone)} backup(s)" + "".join(f"\n  {item.path}" for item in gone))


def restore(
    file: Path = typer.Argument(..., help="a .dump written by `axolotly db backup`"),
    into: str = typer.Option(..., "--into", help="URL of the database to restore into"),
    force: bool = typer.Option(False, "--force", help="replace the objects of a non-empty database"),
    no_verify: bool = typer.Option(
        False, "--no-verify", help="restore without (or against) the .sha256 file beside the dump"
    ),
) -> None:
    """Restore a backup into an (empty) database, after checking it against its .sha256 file."""
    try:
        backups.restore_backup(file, into, force=force, verify=not no_verify, progress=_progress)
    except (ToolError, OSError) as error:
        fail(str(error))
    typer.echo(f"restored {file} into {into.split('@')[-1]}")


def basebackup() -> None:
    """Base backup of the embedded cluster into BASEBACKUP_DIR (the start of PITR)."""
    try:
        target = physical.take_basebackup(
            direct_database_url(), Path(get_settings().basebackup_dir), progress=_progress
        )
    except (ToolError, ClusterError) as error:
        fail(str(error))
    typer.echo(f"base backup written: {target}")


def pitr(
    to: datetime = typer.Option(..., "--to", help='the moment to recover, e.g. "2026-11-25 10:15:00" (UTC)'),
    into: Path = typer.Option(..., "--into", help="an empty folder for the recovered cluster"),
) -> None:
    """Bring up a new cluster as the embedded cluster was at --to (base backup + archived WAL)."""
    cluster = project_cluster()
    try:
        typer.echo(f"recovering to {to.isoformat()} into {into} ...", err=True)
        recovered = physical.recover_to_time(
            to,
            into,
            basebackup_dir=Path(get_settings().basebackup_dir),
            wal_archive=cluster.wal_archive(),
            source_url=cluster.url(),
        )
    except (ToolError, ClusterError) as error:
        fail(str(error))
    typer.echo(f"recovered cluster running: {recovered.url()}\nstop it with: axolotly pg stop --root {into}")


def explain(sql: str = typer.Argument(..., help="the statement to analyse")) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) a statement; it runs in a transaction that is rolled back."""
    from sqlalchemy.exc import DBAPIError

    from axolotly.ops.stats import explain_analyze

    try:
        typer.echo(explain_analyze(sql))
    except (ValueError, DBAPIError, psycopg.Error) as error:  # show PostgreSQL's own message
        fail(f"could not explain: {error}")


def register(db_app: typer.Typer) -> None:
    for name, command in (
        ("backup", backup),
        ("backups", list_backups),
        ("prune", prune),
        ("restore", restore),
        ("basebackup", basebackup),
        ("pitr", pitr),
        ("explain", explain),
    ):
        db_app.command(name)(command)
