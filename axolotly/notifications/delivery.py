"""Sending what the outbox holds: one email delivery at a time, by a job (jobs/notification_tasks.py).

The job works in three steps, so that no transaction or row lock is held while SMTP answers:
1. `prepare` (a short transaction): skip a delivery no longer pending; one whose parent has since
   turned that email off, or left the family, is closed without a mail (`withheld`); one that now
   falls in the parent's quiet hours waits again; otherwise the mail is written in the recipient's
   language, with a Message-ID made of the delivery's id (the idempotency key: a mail sent again
   after a crash between sending and recording is recognisable as the same one).
2. `mail.send`, outside any transaction.
3. `mark_sent`, or `record_failure` (attempts and the reason, committed; on the last try the
   delivery is 'failed', which the admin sees) and the job raises so procrastinate retries it.

A closed delivery that sent nothing is 'sent' with no `sent_at` and the reason in `last_error`:
it needs nothing more, and the admin's list of failures is not filled with parents' choices.
"""

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.utils import parseaddr

from sqlalchemy import case, delete, exists, select, update
from sqlalchemy.orm import Session

from axolotly.config import get_settings
from axolotly.db.results import affected_rows
from axolotly.errors import Conflict, NotFound
from axolotly.families.scoping import owned_by
from axolotly.i18n import DEFAULT_LANGUAGE, N_, family_language, gettext, use_language
from axolotly.mail import Mail, transport
from axolotly.models import FamilyMember, Notification, NotificationDelivery, User
from axolotly.notifications import weekly
from axolotly.notifications.outbox import channel_on, defer_email, quiet_until, zone_named
from axolotly.notifications.words import notice_words

PENDING, SENT, FAILED = "pending", "sent", "failed"
STATUSES = (PENDING, SENT, FAILED)
# Tries in all (the first and its retries); procrastinate's RetryStrategy retries MAX_TRIES - 1 times.
MAX_TRIES = 6
ERROR_LENGTH = 500  # notification_deliveries.last_error
# Why a delivery was closed without a mail (the admin reads these; English, like the API).
CHANNEL_OFF = "Not sent: the parent turned these emails off"
NOT_A_PARENT = "Not sent: the recipient is no longer a parent of this family"
PRUNE_BATCH = 10_000


class DeliveryFailed(Exception):
    """The mail did not go; the job raises it so that procrastinate retries with backoff."""


@dataclass(frozen=True)
class ReadyMail:
    delivery_id: int
    mail: Mail


def message_id(delivery_id: int) -> str:
    """The Message-ID of a delivery's mail: the same on every try, so a duplicate is recognisable."""
    try:
        _, sender = parseaddr(transport().sender)
    except ValueError:  # a bad MAIL_URL: the send fails and says why
        sender = ""
    domain = sender.rpartition("@")[2] or "axolotly.invalid"
    return f"<notification-delivery-{delivery_id}@{domain}>"


def prepare(db: Session, delivery_id: int, now: datetime) -> ReadyMail | None:
    """The mail to send now, or None when there is nothing to send (see the module's text)."""
    row = db.execute(
        select(NotificationDelivery, Notification)
        .join(Notification, Notification.id == NotificationDelivery.notification_id)
        .where(NotificationDelivery.id == delivery_id)
    ).first()
    if row is None or row[0].status != PENDING:
        return None
    delivery, notification = row
    recipient = db.get_one(User, notification.recipient_id)
    owner = db.get_one(User, notification.family_id)
    if not _still_a_parent(db, notification):
        _withhold(delivery, NOT_A_PARENT)
        return None
    if not channel_on(recipient.notifications_off, notification.event, delivery.channel):
        _withhold(delivery, CHANNEL_OFF)
        return None
    held = quiet_until(now, recipient.quiet_hours_start, recipient.quiet_hours_end, zone_named(owner.time_zone))
    if held is not None:  # quiet hours set since the notice was written: it waits for them too
        delivery.not_before = held
        defer_email(db, delivery.id, held)
        return None
    mail = notice_mail(db, notification, recipient, owner)
    headers = (*mail.headers, ("Message-ID", message_id(delivery.id)), ("Auto-Submitted", "auto-generated"))
    return ReadyMail(delivery.id, replace(mail, headers=headers))


def _still_a_parent(db: Session, notification: Notification) -> bool:
    if notification.recipient_id == notification.family_id:
        return True
    member = owned_by(select(FamilyMember.id), FamilyMember, notification.family_id).where(
        FamilyMember.user_id == notification.recipient_id
    )
    return bool(db.scalar(select(exists(member))))


def _withhold(delivery: NotificationDelivery, reason: str) -> None:
    delivery.status, delivery.last_error = SENT, reason


def recipient_language(recipient: User, owner: User) -> str:
    """The parent's own setting, else the family's language (its owner's, else its country's)."""
    return recipient.language or family_language(owner, DEFAULT_LANGUAGE)


def notice_mail(db: Session, notification: Notification, recipient: User, owner: User) -> Mail:
    """The notice as an email in the recipient's language; the weekly summary is its own mail."""
    if notification.event == "weekly_summary":
        return weekly.summary_mail(db, notification, recipient)
    with use_language(recipient_language(recipient, owner)):
        words = notice_words(notification.event, notification.facts, notification.kid_profile_id)
        base = (get_settings().public_url or "").rstrip("/")
        lines = [words.text, ""]
        if base:  # a job has no request to take an address from: links need PUBLIC_URL
            lines += [gettext("Open it on Axolotly:"), f"{base}{words.link}", ""]
        lines.append(gettext("You get this email as a parent of this family on Axolotly."))
        if base:
            lines += [gettext("Choose which emails you get:"), f"{base}/account/notifications"]
        else:
            lines.append(gettext("Choose which emails you get on your account page, under Notifications."))
        return Mail(recipient.email, words.title, "\n".join(lines) + "\n")


def mark_sent(db: Session, delivery_id: int) -> bool:
    statement = (
        update(NotificationDelivery)
        .where(NotificationDelivery.id == delivery_id, NotificationDelivery.status == PENDING)
        .values(status=SENT, sent_at=datetime.now(UTC), attempts=NotificationDelivery.attempts + 1)
    )
    return bool(affected_rows(db.execute(statement)))


def record_failure(db: Session, delivery_id: int, error: BaseException, last_try: bool) -> str | None:
    """Counts the failed try and keeps its reason; 'failed' after the last one. Returns the status
    (None: the delivery was no longer pending)."""
    tries = NotificationDelivery.attempts + 1
    statement = (
        update(NotificationDelivery)
        .where(NotificationDelivery.id == delivery_id, NotificationDelivery.status == PENDING)
        .values(
            attempts=tries,
            last_error=f"{type(error).__name__}: {error}"[:ERROR_LENGTH],
            status=FAILED if last_try else case((tries >= MAX_TRIES, FAILED), else_=PENDING),
        )
        .returning(NotificationDelivery.status)
    )
    return db.execute(statement).scalar_one_or_none()


# -- the admin's view ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeliveryRow:
    id: int
    notification_id: int
    event: str
    family_id: int
    recipient_email: str
    channel: str
    status: str
    attempts: int
    last_error: str | None
    not_before: datetime
    created_at: datetime
    sent_at: datetime | None


def deliveries(db: Session, status: str, limit: int = 100) -> list[DeliveryRow]:
    """Deliveries of every family in one status, newest first (the admin's list of failures)."""
    rows = db.execute(
        select(NotificationDelivery, Notification.event, Notification.family_id, User.email)
        .join(Notification, Notification.id == NotificationDelivery.notification_id)
        .join(User, User.id == Notification.recipient_id)
        .where(NotificationDelivery.status == status)
        .order_by(NotificationDelivery.id.desc())
        .limit(limit)
    )
    return [
        DeliveryRow(
            d.id,
            d.notification_id,
            event,
            family_id,
            email,
            d.channel,
            d.status,
            d.attempts,
            d.last_error,
            d.not_before,
            d.created_at,
            d.sent_at,
        )
        for d, event, family_id, email in rows
    ]


def retry(db: Session, delivery_id: int) -> None:
    """An admin sends a failed delivery again: pending, its tries counted afresh, a new job now."""
    delivery = db.get(NotificationDelivery, delivery_id, with_for_update=True)
    if delivery is None:
        raise NotFound(N_("Delivery not found"))
    if delivery.status != FAILED:
        raise Conflict(N_("Only a failed delivery can be sent again"))
    now = datetime.now(UTC)
    delivery.status, delivery.attempts, delivery.not_before = PENDING, 0, now
    db.flush()
    defer_email(db, delivery.id, now)


def prune(db: Session, before: datetime) -> int:
    """Deletes up to PRUNE_BATCH notifications written before `before` (their deliveries go with them)."""
    batch = select(Notification.id).where(Notification.created_at < before).limit(PRUNE_BATCH)
    return affected_rows(db.execute(delete(Notification).where(Notification.id.in_(batch.scalar_subquery()))))
