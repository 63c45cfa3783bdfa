"""Periodic jobs on committed data, run by a real worker: cleanup, title re-sync, a killed worker."""

import os
import signal
import subprocess
import sys
import time

import psycopg
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from axolotly.catalog.service import upsert_title
from axolotly.catalog.sources import CatalogTitle
from axolotly.jobs.registry import get_job_app
from axolotly.jobs.tasks import cleanup_expired, resync_stale_titles
from axolotly.models import Episode, PairingCode, Title
from tests.support.factories import make_family
from tests.support.pg import libpq_url
from tests.support.processes import wait_for


def committed_codes(engine, committed) -> tuple[int, int]:
    with Session(engine) as db, db.begin():
        family = make_family(db)
        committed.append((type(family), family.id))
        expired = PairingCode(code="111111", family_id=family.id, expires_at=text("now() - interval '1 minute'"))
        live = PairingCode(code="222222", family_id=family.id, expires_at=text("now() + interval '9 minutes'"))
        db.add_all([expired, live])
        db.flush()
        return expired.id, live.id


def code_ids(engine) -> set[int]:
    with Session(engine) as db:
        return set(db.scalars(select(PairingCode.id)))


def test_cleanup_deletes_expired_pairing_codes_only(engine, committed):
    expired, live = committed_codes(engine, committed)
    removed = cleanup_expired(timestamp=int(time.time()))
    assert removed["pairing_codes"] >= 1
    remaining = code_ids(engine)
    assert expired not in remaining and live in remaining


def test_resync_refreshes_stale_titles_from_the_provider(engine, committed):
    with Session(engine) as db, db.begin():
        show = upsert_title(db, CatalogTitle(tmdb_id=82728, media_type="tv", title="Stale name", providers=[]))
        committed.append((Title, show.id))
        db.execute(text("UPDATE titles SET last_synced = now() - interval '30 days' WHERE id = :id"), {"id": show.id})
        fresh = upsert_title(db, CatalogTitle(tmdb_id=155, media_type="movie", title="Fresh", providers=[]))
        committed.append((Title, fresh.id))
        show_id, fresh_id = show.id, fresh.id

    assert resync_stale_titles(timestamp=int(time.time())) >= 1

    with Session(engine) as db:
        show, fresh = db.get(Title, show_id), db.get(Title, fresh_id)
        assert show.title == "Bluey" and "disney_plus" in show.providers  # the offline catalog's data
        assert db.scalar(select(func.count()).select_from(Episode).where(Episode.title_id == show_id)) > 0
        assert db.scalar(
            text("SELECT last_synced > now() - interval '1 minute' FROM titles WHERE id = :id"), {"id": show_id}
        )
        assert fresh.title == "Fresh"  # synced just now: left alone


def job_status(engine, job_id: int) -> str:
    with Session(engine) as db:
        return db.scalar(text("SELECT status FROM procrastinate_jobs WHERE id = :id"), {"id": job_id})


def start_worker(database_url: str, tmp_path) -> subprocess.Popen:
    env = dict(
        os.environ,
        DATABASE_URL=database_url,
        JOB_STALLED_AFTER_SECONDS="1",
        BACKUP_CRON="0 0 31 2 *",
        BACKUP_DIR=str(tmp_path / "backups"),
    )
    return subprocess.Popen(
        [sys.executable, "-m", "axolotly", "worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def test_a_job_killed_mid_run_is_retried_and_completes_once(engine, committed, database_url, tmp_path):
    expired, live = committed_codes(engine, committed)
    app = get_job_app()
    with app.open():
        job_id = app.configure_task("axolotly:cleanup_expired", queueing_lock="killed-worker-test").defer(timestamp=0)

    # Hold the table so the job blocks inside its DELETE: the worker dies mid-job.
    blocker = psycopg.connect(libpq_url(database_url))
    blocker.execute("LOCK TABLE pairing_codes IN ACCESS EXCLUSIVE MODE")
    first = start_worker(database_url, tmp_path)
    try:
        wait_for(lambda: job_status(engine, job_id) == "doing")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        blocker.rollback()
        blocker.close()
    time.sleep(0.5)
    assert job_status(engine, job_id) == "doing"  # nobody finished it
    assert expired in code_ids(engine)  # the killed run's DELETE never committed

    time.sleep(1.0)  # its worker's heartbeat is now older than JOB_STALLED_AFTER_SECONDS
    second = start_worker(database_url, tmp_path)
    try:
        wait_for(lambda: job_status(engine, job_id) == "succeeded")
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=15)

    with Session(engine) as db:
        events = db.scalars(
            text("SELECT type FROM procrastinate_events WHERE job_id = :id ORDER BY id"), {"id": job_id}
        ).all()
    assert events.count("succeeded") == 1 and events.count("started") == 2, events
    remaining = code_ids(engine)
    assert expired not in remaining and live in remaining
