"""What ran untested: the daily backup and its prune as a real worker runs them, the pool settings."""

import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session

from axolotly.config import get_settings
from axolotly.db import engine as engine_module
from axolotly.db.cluster import find_pg_binary
from axolotly.jobs.registry import DAILY_BACKUP, NAMESPACE, PRUNE_BACKUPS, get_job_app
from axolotly.ops import backups
from tests.support.processes import wait_for


def periodic_crons() -> dict[str, str]:
    registry = get_job_app().periodic_registry
    return {task.task.name: task.cron for task in registry.periodic_tasks.values()}


def test_backup_runs_daily_and_prune_half_an_hour_later(database_url):
    crons = periodic_crons()
    assert get_settings().backup_cron == "0 3 * * *"
    assert crons[f"{NAMESPACE}:{DAILY_BACKUP}"] == "0 3 * * *"
    assert crons[f"{NAMESPACE}:{PRUNE_BACKUPS}"] == "30 3 * * *"


def fake_backup(directory: Path, taken_at: datetime) -> Path:
    path = directory / f"{backups.PREFIX}{taken_at.strftime(backups.STAMP)}{backups.SUFFIX}"
    path.write_bytes(b"an old dump")
    path.with_name(path.name + ".sha256").write_text(f"{backups.sha256_of(path)}  {path.name}\n")
    return path


def test_the_worker_takes_a_checksummed_backup_and_prunes_old_ones(database_url, engine, tmp_path):
    """A real `axolotly worker` with the schedule due every minute: procrastinate defers the tick
    that just passed at start-up, so both jobs run at once (no waiting for 03:00)."""
    directory = tmp_path / "backups"
    directory.mkdir()
    now = datetime.now(UTC)
    expired = fake_backup(directory, now - timedelta(days=40))
    kept = fake_backup(directory, now - timedelta(days=2))
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "BACKUP_CRON": "* * * * *",
        "BACKUP_DIR": str(directory),
        "BACKUP_RETENTION_DAYS": "30",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "axolotly", "worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_for(lambda: len(backups.list_backups(directory)) == 2 and not expired.exists(), timeout=120)
        wait_for(lambda: job_statuses(engine) == {DAILY_BACKUP: "succeeded", PRUNE_BACKUPS: "succeeded"}, timeout=60)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM procrastinate_jobs"))

    older, newest = backups.list_backups(directory)
    assert older.path == kept and newest.taken_at > now - timedelta(minutes=5)
    assert newest.checksum_ok() and newest.size > 0
    assert not expired.with_name(expired.name + ".sha256").exists()  # its checksum went with it
    listing = subprocess.run(
        [find_pg_binary("pg_restore"), "--list", str(newest.path)], capture_output=True, text=True, check=True
    ).stdout  # a real dump of the database, not just a file
    assert "TABLE public users" in listing and "TABLE DATA public titles" in listing


def job_statuses(engine) -> dict[str, str]:
    with Session(engine) as db:
        rows = db.execute(
            text("SELECT task_name, status FROM procrastinate_jobs WHERE task_name IN (:a, :b)"),
            {"a": f"{NAMESPACE}:{DAILY_BACKUP}", "b": f"{NAMESPACE}:{PRUNE_BACKUPS}"},
        ).all()
    return {name.split(":", 1)[1]: status for name, status in rows}


def test_the_pool_settings_are_the_specs(database_url):
    """database-schema.md: pool_size=20, max_overflow=10, pool_pre_ping=True."""
    settings = get_settings()
    assert (settings.db_pool_size, settings.db_max_overflow, settings.db_pool_pre_ping) == (20, 10, True)
    engine = engine_module.build_engine(database_url)
    try:
        assert engine.pool.size() == 20 and engine.pool._max_overflow == 10 and engine.pool._pre_ping is True
    finally:
        engine.dispose()


def test_the_pool_settings_follow_the_environment(database_url, monkeypatch):
    monkeypatch.setenv("DB_POOL_SIZE", "5")
    monkeypatch.setenv("DB_MAX_OVERFLOW", "0")
    monkeypatch.setenv("DB_POOL_PRE_PING", "false")
    get_settings.cache_clear()
    try:
        engine = engine_module.build_engine(database_url)
        assert engine.pool.size() == 5 and engine.pool._max_overflow == 0 and engine.pool._pre_ping is False
        engine.dispose()
    finally:
        get_settings.cache_clear()
