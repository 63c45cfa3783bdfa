"""A parent's in-app notifications: their list (newest first), the unread count, marking read.

Only the recipient sees a notification: every statement here is narrowed to `recipient_id`, and a
co-parent sees their own rows. A co-parent who leaves a family loses the notices of it
(families/members.py deletes them), so a parent's rows are always of the family they are in.
Rows of an email-only notice (the parent turned the in-app line off) are born read and marked in
their facts (notifications/outbox.py): never counted, never listed.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Select, func, not_, select, update
from sqlalchemy.orm import Session, object_session

from axolotly.db.results import affected_rows
from axolotly.errors import NotFound
from axolotly.i18n import N_
from axolotly.models import Notification, User
from axolotly.notifications.outbox import IN_APP_FACT
from axolotly.notifications.words import notice_words

PAGE_SIZE = 30
MAX_PAGE = 100
NOT_FOUND = N_("Notification not found")


@dataclass(frozen=True)
class NoticeLine:
    id: int
    event: str
    created_at: datetime
    read: bool
    title: str
    text: str
    link: str
    kid_id: int | None


def _listed(recipient_id: int) -> Select:
    return select(Notification).where(
        Notification.recipient_id == recipient_id, not_(Notification.facts.contains({IN_APP_FACT: False}))
    )


def notices(db: Session, recipient_id: int, limit: int = PAGE_SIZE, before: int | None = None) -> list[NoticeLine]:
    """The parent's notices, newest first, in the current language; `before`: only older than
    that notification id (the next page's cursor is the last id of this one)."""
    statement = _listed(recipient_id)
    if before is not None:
        statement = statement.where(Notification.id < before)
    rows = db.scalars(statement.order_by(Notification.id.desc()).limit(min(limit, MAX_PAGE)))
    lines = []
    for notice in rows:
        words = notice_words(notice.event, notice.facts, notice.kid_profile_id)
        lines.append(
            NoticeLine(
                notice.id,
                notice.event,
                notice.created_at,
                notice.read_at is not None,
                words.title,
                words.text,
                words.link,
                notice.kid_profile_id,
            )
        )
    return lines


def unread_count(db: Session, recipient_id: int) -> int:
    """One statement on the partial index idx_notifications_unread (read_at IS NULL)."""
    statement = select(func.count()).where(Notification.recipient_id == recipient_id, Notification.read_at.is_(None))
    return db.execute(statement).scalar_one()


def unread_count_of(user: User | None) -> int:
    """The menu's count, for a page that shows `user`: asked on the session that loaded the user
    (the page's own request transaction); 0 for no user or one no session holds."""
    db = object_session(user) if user is not None else None
    if user is None or db is None:
        return 0
    return unread_count(db, user.id)


def mark_read(db: Session, recipient_id: int, notification_id: int) -> NoticeLine:
    """Marks the parent's notification read (again: nothing changes); another's is not found."""
    notice = db.scalar(_listed(recipient_id).where(Notification.id == notification_id))
    if notice is None:
        raise NotFound(NOT_FOUND)
    if notice.read_at is None:
        notice.read_at = datetime.now(UTC)
        db.flush()
    words = notice_words(notice.event, notice.facts, notice.kid_profile_id)
    return NoticeLine(
        notice.id, notice.event, notice.created_at, True, words.title, words.text, words.link, notice.kid_profile_id
    )


def mark_all_read(db: Session, recipient_id: int) -> int:
    """Every unread notification of the parent read; how many were unread."""
    statement = (
        update(Notification)
        .where(Notification.recipient_id == recipient_id, Notification.read_at.is_(None))
        .values(read_at=datetime.now(UTC))
    )
    return affected_rows(db.execute(statement))
