from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Identity, Index, SmallInteger, String, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from axolotly.models.base import Base, created_at_column

NOTIFICATION_EVENTS = (
    "title_request",
    "pin_locked",
    "device_paired",
    "device_repairing",
    "limit_reached",
    "co_parent_joined",
    "co_parent_left",
    "weekly_summary",
)


class Notification(Base):
    """What one parent is told of one event (migration 0039): a line of their in-app list, written
    in the event's own transaction; its emails wait in `notification_deliveries` (the outbox)."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("idx_notifications_recipient_created", "recipient_id", "created_at"),
        Index("idx_notifications_unread", "recipient_id", postgresql_where=text("read_at IS NULL")),
        Index("idx_notifications_family_id", "family_id"),
        Index(
            "idx_notifications_kid_profile_id", "kid_profile_id", postgresql_where=text("kid_profile_id IS NOT NULL")
        ),
        # A notice sent once (the weekly summary of one week): once per recipient, whatever retries.
        Index(
            "uq_notifications_once",
            "recipient_id",
            "event",
            "dedupe_key",
            unique=True,
            postgresql_where=text("dedupe_key IS NOT NULL"),
        ),
        CheckConstraint(f"event IN ({', '.join(repr(e) for e in NOTIFICATION_EVENTS)})", name="event"),
        CheckConstraint("jsonb_typeof(facts) = 'object'", name="facts_object"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(String(30))
    kid_profile_id: Mapped[int | None] = mapped_column(ForeignKey("kid_profiles.id", ondelete="SET NULL"))
    # The values the words need, as they were at the event (a kid's or title's name).
    facts: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default="{}")
    created_at: Mapped[datetime] = created_at_column()
    read_at: Mapped[datetime | None]
    dedupe_key: Mapped[str | None] = mapped_column(String(60))


class NotificationDelivery(Base):
    """The outbox: one row per notification and outbound channel (the idempotency key)."""

    __tablename__ = "notification_deliveries"
    __table_args__ = (
        Index("uq_notification_deliveries_notification_channel", "notification_id", "channel", unique=True),
        Index("idx_notification_deliveries_waiting", "not_before", postgresql_where=text("status = 'pending'")),
        CheckConstraint("channel IN ('email')", name="channel"),
        CheckConstraint("status IN ('pending', 'sent', 'failed')", name="status"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    notification_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("notifications.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), server_default="pending")
    attempts: Mapped[int] = mapped_column(SmallInteger, server_default="0")
    # Quiet hours: an email waits until they end (the in-app line does not).
    not_before: Mapped[datetime] = created_at_column()
    last_error: Mapped[str | None] = mapped_column(String(500))
    sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = created_at_column()
