"""The transactional outbox: what a parent is told of an event is written in the event's own
transaction (no event without its notice, no notice without its event).

`notify` writes, for each parent of the family (the owner and every co-parent):
- a `notifications` row: a line of their in-app list;
- when their email of that event is on, a `notification_deliveries` row (the idempotency key:
  one per notification and channel) and the job that sends it, deferred on the same connection,
  scheduled at the delivery's `not_before`: now, or the end of the parent's quiet hours in the
  family's time zone.

A parent who turned the in-app line of an event off but kept its email still gets the row (the
delivery needs it), born read (`read_at` set: never in the unread count) and marked
`"in_app": false` in its facts (the list leaves it out: listing.py).

Preferences are `users.notifications_off`: the "event.channel" pairs a parent turned off; every
other pair is on, and anything else in that array (an older release's word) means nothing.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from axolotly.families.scoping import owned_by
from axolotly.jobs.registry import DELIVER_NOTIFICATION, defer_in_transaction
from axolotly.models import FamilyMember, Notification, NotificationDelivery, User
from axolotly.models.notifications import NOTIFICATION_EVENTS
from axolotly.screen_time.clock import Bedtime, window_of

EVENTS = NOTIFICATION_EVENTS
EMAIL, IN_APP = "email", "in_app"
CHANNELS = (EMAIL, IN_APP)
# The facts key that keeps an email-only notice out of the in-app list (see the module's text).
IN_APP_FACT = "in_app"


def delivery_lock(delivery_id: int) -> str:
    """procrastinate's lock: two jobs of one delivery (a retry queued by hand) never run at once."""
    return f"notification-delivery:{delivery_id}"


def channel_on(notifications_off: Any, event: str, channel: str) -> bool:
    """Whether the parent gets `event` on `channel`; whatever the stored array holds, never an error."""
    return not (isinstance(notifications_off, list) and f"{event}.{channel}" in notifications_off)


def zone_named(name: str | None) -> ZoneInfo:
    """The family's zone; a name the tz database does not know (a hand-written row) is UTC."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def quiet_until(now: datetime, start: time | None, end: time | None, zone: ZoneInfo) -> datetime | None:
    """When the quiet hours around `now` end (UTC), or None when `now` is outside them (or there
    are none). The window may cross midnight (21:00-07:00), and on a DST day follows the clock as a
    kid's bedtime does (screen_time/clock.py: it ends at the last showing of its end)."""
    if start is None or end is None or start == end:
        return None
    local_day = now.astimezone(zone).date()
    for day in (local_day - timedelta(days=1), local_day):  # yesterday's window may still be open
        window = window_of(day, Bedtime(start, end), zone)
        if window.contains(now):
            return window.end
    return None


@dataclass(frozen=True)
class _Parent:
    id: int
    notifications_off: Any
    quiet_hours_start: time | None
    quiet_hours_end: time | None
    time_zone: str


def parents_of(db: Session, family_id: int) -> list[_Parent]:
    """The family's parents, the owner first, with what deciding their notices needs."""
    co_parents = owned_by(select(FamilyMember.user_id), FamilyMember, family_id)
    rows = db.execute(
        select(User.id, User.notifications_off, User.quiet_hours_start, User.quiet_hours_end, User.time_zone)
        .where(or_(User.id == family_id, User.id.in_(co_parents)))
        .order_by(User.id != family_id, User.id)
    )
    return [_Parent(*row) for row in rows]


def notify(
    db: Session,
    family_id: int,
    event: str,
    *,
    kid_id: int | None = None,
    facts: dict | None = None,
    dedupe_key: str | None = None,
    skip_user_id: int | None = None,
) -> list[int]:
    """Tells every parent of the family (but `skip_user_id`) of `event`, in the caller's
    transaction (it never commits); returns the notification ids written.

    With `dedupe_key`, a parent who was already told of (event, dedupe_key) gets nothing new.
    `facts` are the values the words need, as they are now (names change; the notice keeps them).
    """
    if event not in EVENTS:  # a programming error: the table's CHECK would refuse it anyway
        raise ValueError(f"unknown notification event {event!r}")
    parents = parents_of(db, family_id)
    if not parents:
        return []
    zone = zone_named(next((p.time_zone for p in parents if p.id == family_id), None))
    now = datetime.now(UTC)
    told = [p for p in parents if p.id != skip_user_id and _told_at_all(p, event)]
    if not told:
        return []
    rows = [_notification_row(family_id, event, kid_id, facts or {}, dedupe_key, parent, now) for parent in told]
    statement = insert(Notification).values(rows)
    if dedupe_key is not None:
        statement = statement.on_conflict_do_nothing(
            index_elements=[Notification.recipient_id, Notification.event, Notification.dedupe_key],
            index_where=Notification.dedupe_key.is_not(None),
        )
    written = dict(db.execute(statement.returning(Notification.recipient_id, Notification.id)).tuples().all())
    for parent in told:
        if parent.id in written and channel_on(parent.notifications_off, event, EMAIL):
            not_before = quiet_until(now, parent.quiet_hours_start, parent.quiet_hours_end, zone) or now
            queue_email(db, written[parent.id], not_before)
    return sorted(written.values())


def _told_at_all(parent: _Parent, event: str) -> bool:
    return any(channel_on(parent.notifications_off, event, channel) for channel in CHANNELS)


def _notification_row(
    family_id: int,
    event: str,
    kid_id: int | None,
    facts: dict,
    dedupe_key: str | None,
    parent: _Parent,
    now: datetime,
) -> dict[str, Any]:
    in_app = channel_on(parent.notifications_off, event, IN_APP)
    return {
        "family_id": family_id,
        "recipient_id": parent.id,
        "event": event,
        "kid_profile_id": kid_id,
        "facts": facts if in_app else {**facts, IN_APP_FACT: False},
        "dedupe_key": dedupe_key,
        "read_at": None if in_app else now,
    }


def queue_email(db: Session, notification_id: int, not_before: datetime) -> int:
    """The email delivery of a notification and its job (scheduled at `not_before`), in the
    caller's transaction; returns the delivery's id."""
    delivery_id = db.execute(
        insert(NotificationDelivery)
        .values(notification_id=notification_id, channel=EMAIL, not_before=not_before)
        .returning(NotificationDelivery.id)
    ).scalar_one()
    defer_email(db, delivery_id, not_before)
    return delivery_id


def defer_email(db: Session, delivery_id: int, not_before: datetime) -> None:
    defer_in_transaction(
        db,
        DELIVER_NOTIFICATION,
        schedule_at=not_before if not_before > datetime.now(UTC) else None,
        lock=delivery_lock(delivery_id),
        delivery_id=delivery_id,
    )


def day_key(kid_id: int, day: date) -> str:
    """A dedupe key for "once per kid and day" (a limit reached)."""
    return f"kid:{kid_id}:{day.isoformat()}"
