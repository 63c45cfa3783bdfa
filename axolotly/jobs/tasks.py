"""The jobs' bodies (named and deferred by registry.py); each opens its own transaction (a worker
has no request).

Periodic jobs (procrastinate's cron, deferred by any running `axolotly worker`, once per tick
whatever the number of workers):
- every minute: delete expired pairing codes and pairing requests, old throttle windows; retry
  jobs whose worker stopped sending heartbeats (killed mid-job);
- BACKUP_CRON (daily): a pg_dump backup; half an hour later, prune backups past retention;
- daily: re-sync titles whose `last_synced` is older than TITLE_RESYNC_DAYS;
- hourly: watch-history partitions made ahead, those past USAGE_RETENTION_DAYS dropped;
- daily: activity-trail events past AUDIT_RETENTION_DAYS deleted;
- daily: the rating scales refreshed from TMDB (when TMDB is configured).
"""

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import procrastinate
from sqlalchemy import text

from axolotly.audit import service as audit
from axolotly.catalog.service import show_tmdb_id, stale_titles, title_from_source, upsert_episodes, upsert_title
from axolotly.catalog.tmdb import catalog_source, process_clients
from axolotly.config import get_settings
from axolotly.db.engine import direct_database_url, session_factory
from axolotly.db.results import affected_rows
from axolotly.enums import MediaType
from axolotly.errors import DomainError
from axolotly.jobs.registry import (
    CLEANUP_EXPIRED,
    DAILY_BACKUP,
    LOAD_EPISODES,
    MAINTAIN_USAGE_PARTITIONS,
    PRUNE_ACTIVITY_TRAIL,
    PRUNE_BACKUPS,
    REFRESH_RATING_SCALES,
    RESYNC_STALE_TITLES,
    RETRY_STALLED_JOBS,
    blueprint,
)
from axolotly.launcher.episode_links import match_pending_reports
from axolotly.ops import backups
from axolotly.ratings import refresh
from axolotly.screen_time import partitions

logger = logging.getLogger(__name__)
settings = get_settings()


def _half_an_hour_after(cron: str) -> str:
    minute, hour, *rest = cron.split()
    if minute.isdigit() and hour.isdigit():
        total = int(hour) * 60 + int(minute) + 30
        return " ".join([str(total % 60), str(total // 60 % 24), *rest])
    return cron


@blueprint.task(name=LOAD_EPISODES, retry=procrastinate.RetryStrategy(max_attempts=5, exponential_wait=2))
def load_title_episodes(title_id: int) -> int:
    """Loads (or refreshes) a show's episodes from the catalog source (TMDB or offline), then
    matches the link reports that named them before they were here."""
    tmdb_id = _in_own_transaction(lambda db: show_tmdb_id(db, title_id))
    # Asked between transactions: a slow TMDB holds no connection (nor a transaction's locks).
    episodes = catalog_source(get_settings()).get_episodes(tmdb_id) if tmdb_id is not None else []
    with session_factory()() as db, db.begin():
        count = upsert_episodes(db, title_id, episodes)
        matched = match_pending_reports(db, title_id) if count else 0
    logger.info("loaded %s episodes for title %s (%s waiting link reports matched)", count, title_id, matched)
    return count


@blueprint.periodic(cron="* * * * *")
@blueprint.task(name=CLEANUP_EXPIRED, queueing_lock=CLEANUP_EXPIRED)
def cleanup_expired(timestamp: int) -> dict[str, int]:
    """The spec's Cleanup: expired pairing codes go (and what else only lives for minutes)."""
    with session_factory()() as db, db.begin():
        removed = {
            "pairing_codes": affected_rows(db.execute(text("DELETE FROM pairing_codes WHERE expires_at < now()"))),
            "pairing_requests": affected_rows(
                db.execute(text("DELETE FROM pairing_requests WHERE expires_at < now()"))
            ),
            # A logged-out session's token has expired by now: the row has nothing left to refuse.
            "ended_web_sessions": affected_rows(
                db.execute(text("DELETE FROM ended_web_sessions WHERE expires_at < now()"))
            ),
            "rate_limits": affected_rows(
                db.execute(text("DELETE FROM rate_limits WHERE window_start < now() - interval '1 day'"))
            ),
        }
    logger.info("cleanup: %s", removed)
    return removed


@blueprint.periodic(cron="* * * * *")
@blueprint.task(name=RETRY_STALLED_JOBS, queueing_lock=RETRY_STALLED_JOBS, pass_context=True)
async def retry_stalled_jobs(context: procrastinate.JobContext, timestamp: int) -> int:
    """A job whose worker died (no heartbeat for JOB_STALLED_AFTER_SECONDS) is run again."""
    return await recover_stalled_jobs(context.app)


async def recover_stalled_jobs(app: procrastinate.App) -> int:
    manager = app.job_manager
    stalled = list(await manager.get_stalled_jobs(seconds_since_heartbeat=get_settings().job_stalled_after_seconds))
    for job in stalled:
        logger.warning("retrying stalled job %s (%s)", job.id, job.task_name)
        await manager.retry_job(job)
    return len(stalled)


@blueprint.periodic(cron=settings.backup_cron)
@blueprint.task(name=DAILY_BACKUP, queueing_lock=DAILY_BACKUP)
def daily_backup(timestamp: int) -> str:
    made = backups.take_backup(direct_database_url(), Path(get_settings().backup_dir))
    logger.info("backup written: %s (%s bytes)", made.path, made.size)
    return str(made.path)


@blueprint.periodic(cron=_half_an_hour_after(settings.backup_cron))
@blueprint.task(name=PRUNE_BACKUPS, queueing_lock=PRUNE_BACKUPS)
def prune_backups(timestamp: int) -> int:
    current = get_settings()
    gone = backups.prune_backups(Path(current.backup_dir), current.backup_retention_days)
    logger.info("pruned %s backup(s)", len(gone))
    return len(gone)


@blueprint.periodic(cron="15 4 * * *")
@blueprint.task(name=RESYNC_STALE_TITLES, queueing_lock=RESYNC_STALE_TITLES)
def resync_stale_titles(timestamp: int) -> int:
    """Refreshes the oldest-synced titles (and a show's episodes) from TMDB or the offline catalog.

    One transaction per title, so one title the source refuses does not undo the others.
    """
    current = get_settings()
    source = catalog_source(current)
    with session_factory()() as db:
        stale = stale_titles(db, current.title_resync_days, current.title_resync_batch)
    refreshed = 0
    for title_id, media_type, tmdb_id in stale:
        try:
            item = title_from_source(source, MediaType(media_type), tmdb_id)  # TMDB first, outside the transaction
            episodes = source.get_episodes(tmdb_id) if media_type == MediaType.TV else []
            with session_factory()() as db, db.begin():
                title = upsert_title(db, item)
                if upsert_episodes(db, title.id, episodes):
                    match_pending_reports(db, title.id)
            refreshed += 1
        except DomainError as error:  # TMDB down or the title gone: the next run tries again
            logger.warning("re-sync of title %s failed: %s", title_id, error.detail)
    logger.info("re-synced %s of %s stale titles", refreshed, len(stale))
    return refreshed


def _in_own_transaction(step):
    with session_factory()() as db, db.begin():
        return step(db)


def _batches_until_none_left(delete_batch) -> int:
    """Repeats a batched delete, each batch in a short transaction of its own (locks held briefly,
    progress kept if the job stops), until a batch deletes nothing; returns the total."""
    total = 0
    while deleted := _in_own_transaction(delete_batch):
        total += deleted
    return total


@blueprint.periodic(cron="7 * * * *")
@blueprint.task(name=MAINTAIN_USAGE_PARTITIONS, queueing_lock=MAINTAIN_USAGE_PARTITIONS)
def maintain_usage_partitions(timestamp: int) -> dict[str, list[str] | int]:
    """Watch history: next months' partitions exist before their first log; expired months go.

    Each step in a short transaction of its own: a partition change locks `usage_sessions`, so
    it commits at once instead of waiting behind the rollup's batched deletes.
    """
    now, retention = datetime.now(UTC), get_settings().usage_retention_days
    created = _in_own_transaction(lambda db: partitions.make_ahead(db, now))
    dropped = _in_own_transaction(lambda db: partitions.drop_expired(db, now, retention))
    total = _batches_until_none_left(lambda db: partitions.prune_rollup(db, now, retention))
    logger.info("usage partitions: created %s, dropped %s, %s rollup rows pruned", created, dropped, total)
    return {"created": created, "dropped": dropped, "rollup_rows_deleted": total}


@blueprint.periodic(cron="45 4 * * *")
@blueprint.task(name=PRUNE_ACTIVITY_TRAIL, queueing_lock=PRUNE_ACTIVITY_TRAIL)
def prune_activity_trail(timestamp: int) -> int:
    """Activity events past AUDIT_RETENTION_DAYS go, in short transactions of 10,000."""
    before = datetime.now(UTC) - timedelta(days=get_settings().audit_retention_days)
    total = _batches_until_none_left(lambda db: audit.prune(db, before))
    logger.info("activity trail: %s events older than %s deleted", total, before.date())
    return total


@blueprint.periodic(cron="5 4 * * *")
@blueprint.task(name=REFRESH_RATING_SCALES, queueing_lock=REFRESH_RATING_SCALES)
def refresh_rating_scales(timestamp: int) -> int:
    """Every country's rating scales from TMDB (asked outside the transaction); without TMDB the
    shipped snapshot, seeded by the migration, stays."""
    current = get_settings()
    if not current.tmdb_enabled:
        return 0
    lists = refresh.fetch_lists(process_clients.blocking(current))
    with session_factory()() as db, db.begin():
        stored = refresh.store(db, refresh.rows_of(lists))
    logger.info("rating scales: %s ratings refreshed from TMDB", stored)
    return stored
