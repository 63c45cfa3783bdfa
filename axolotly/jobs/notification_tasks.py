"""The notification jobs (issue 26): sending one email delivery of the outbox, and the daily
deletion of notifications past NOTIFICATION_RETENTION_DAYS.

A delivery is sent in three steps (notifications/delivery.py): prepared in a short transaction,
sent with no transaction open, then recorded. A failed send is recorded (committed) before the job
raises, and procrastinate retries it with exponential backoff: 5 s, 25 s, 2 min, 10 min, 52 min.
"""

import logging
import smtplib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import procrastinate

from axolotly import mail
from axolotly.config import get_settings
from axolotly.db.engine import session_factory
from axolotly.jobs.registry import DELIVER_NOTIFICATION, PRUNE_NOTIFICATIONS, blueprint
from axolotly.notifications import delivery
from axolotly.notifications.delivery import MAX_TRIES, DeliveryFailed

logger = logging.getLogger(__name__)
Result = TypeVar("Result")
RETRIES = procrastinate.RetryStrategy(max_attempts=MAX_TRIES - 1, exponential_wait=5, retry_exceptions=[DeliveryFailed])


def _in_own_transaction(step: Callable[..., Result]) -> Result:
    with session_factory()() as db, db.begin():
        return step(db)


@blueprint.task(name=DELIVER_NOTIFICATION, retry=RETRIES, pass_context=True)
def deliver_notification(context: procrastinate.JobContext, delivery_id: int) -> str:
    """Sends one delivery; "sent", or "nothing to send" (not pending, withheld or held again)."""
    job = context.job
    return send_delivery(delivery_id, last_try=job is not None and job.attempts >= MAX_TRIES - 1)


def send_delivery(delivery_id: int, *, last_try: bool = False) -> str:
    try:
        ready = _in_own_transaction(lambda db: delivery.prepare(db, delivery_id, datetime.now(UTC)))
    except Exception as error:  # the words or the summary failed: kept for the admin, tried again
        _failed(delivery_id, error, last_try)
        raise DeliveryFailed(str(error)) from error
    if ready is None:
        return "nothing to send"
    try:
        mail.send(ready.mail)  # no transaction open while the mail server answers
    except (OSError, smtplib.SMTPException, ValueError) as error:
        _failed(delivery_id, error, last_try)
        raise DeliveryFailed(str(error)) from error
    _in_own_transaction(lambda db: delivery.mark_sent(db, delivery_id))
    return "sent"


def _failed(delivery_id: int, error: BaseException, last_try: bool) -> None:
    status = _in_own_transaction(lambda db: delivery.record_failure(db, delivery_id, error, last_try))
    logger.warning("notification delivery %s failed (%s): %r", delivery_id, status, error)


@blueprint.periodic(cron="50 4 * * *")
@blueprint.task(name=PRUNE_NOTIFICATIONS, queueing_lock=PRUNE_NOTIFICATIONS)
def prune_notifications(timestamp: int) -> int:
    """Notifications past NOTIFICATION_RETENTION_DAYS go (their deliveries with them), in short
    transactions of 10,000."""
    before = datetime.now(UTC) - timedelta(days=get_settings().notification_retention_days)
    total = 0
    while deleted := _in_own_transaction(lambda db: delivery.prune(db, before)):
        total += deleted
    logger.info("notifications: %s older than %s deleted", total, before.date())
    return total
