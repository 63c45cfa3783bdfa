"""Allows that ended (issue 27): every minute, the allows whose end has come are removed, their
titles kept in the family library, each with a line in the family's activity trail
(policies/until.py `end_allows`).

Nothing waits for this job: the launcher and every page read an ended allow as no policy from
its very second (launcher/reads.py). The job only tidies up after the end, and its delete bumps
the kid's launcher version (one more 200 for the launcher, the same content).
Batches, each in a short transaction of its own: a run stopped half way keeps what it did, rows
a parent is changing at that moment are skipped and left to the parent (a re-allow wins).
"""

import logging
from datetime import UTC, datetime

from axolotly.db.engine import session_factory
from axolotly.jobs.registry import blueprint
from axolotly.policies import until

logger = logging.getLogger(__name__)

END_ALLOWS = "end_allows"


@blueprint.periodic(cron="* * * * *")
@blueprint.task(name=END_ALLOWS, queueing_lock=END_ALLOWS)
def end_allows(timestamp: int) -> int:
    """How many allows ended in this run."""
    now, total = datetime.now(UTC), 0
    while True:
        with session_factory()() as db, db.begin():
            ended = until.end_allows(db, now, until.END_BATCH)
        total += ended
        if ended < until.END_BATCH:
            break
    if total:
        logger.info("allows ended: %s", total)
    return total
