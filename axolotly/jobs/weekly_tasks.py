"""The weekly summary's clock (issue 26): every 15 minutes, each family whose Sunday 18:00 has come
(its own zone; 15 minutes also meets the zones half or three quarters of an hour off UTC) gets its
summary handed to the outbox, once (notifications/weekly.py `queue_due_summaries`).

Batches of families, each in a short transaction of its own: a run stopped half way keeps what it
did, and the next run (or a second worker's) picks up the rest.
"""

import logging
from datetime import UTC, datetime

from axolotly.db.engine import session_factory
from axolotly.jobs.registry import blueprint
from axolotly.notifications.weekly import queue_due_summaries

logger = logging.getLogger(__name__)

QUEUE_WEEKLY_SUMMARIES = "queue_weekly_summaries"
BATCH = 500


@blueprint.periodic(cron="*/15 * * * *")
@blueprint.task(name=QUEUE_WEEKLY_SUMMARIES, queueing_lock=QUEUE_WEEKLY_SUMMARIES)
def queue_weekly_summaries(timestamp: int) -> int:
    """The families whose summary was handed to the outbox in this run."""
    now, after, total = datetime.now(UTC), 0, 0
    while True:
        with session_factory()() as db, db.begin():
            families = queue_due_summaries(db, now, BATCH, after)
        total += len(families)
        if len(families) < BATCH:
            break
        after = families[-1]
    if total:
        logger.info("weekly summary: %s families handed to the outbox", total)
    return total
