from datetime import datetime, time
from typing import Any

from sqlalchemy import CheckConstraint, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from axolotly.enums import UserRole, sql_values
from axolotly.models.base import Base, created_at_column, json_list_column


class User(Base):
    """A parent account; as the owner of kids, devices and codes it is "the family"."""

    __tablename__ = "users"
    __table_args__ = (
        Index("idx_users_email", "email", unique=True),
        Index("idx_users_role", "role"),
        CheckConstraint(f"role IN ({sql_values(UserRole)})", name="role"),
        CheckConstraint("country ~ '^[A-Z]{2}$'", name="country"),
        CheckConstraint("language IN ('en', 'de', 'es', 'fr')", name="language"),
        CheckConstraint("jsonb_typeof(notifications_off) = 'array'", name="notifications_off_array"),  # 0039
        CheckConstraint(
            "(quiet_hours_start IS NULL) = (quiet_hours_end IS NULL) "
            "AND (quiet_hours_start IS NULL OR quiet_hours_start <> quiet_hours_end)",
            name="quiet_hours",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(50), server_default=UserRole.PARENT.value)  # UserRole
    created_at: Mapped[datetime] = created_at_column()
    family_name: Mapped[str | None] = mapped_column(String(100))
    # The family's IANA time zone: "today", bedtimes and usage days are read in it (screen_time/).
    time_zone: Mapped[str] = mapped_column(String(64), server_default="UTC")
    # Tokens and page sessions carry the epoch they were issued in; a password change or "sign out
    # everywhere" bumps it, and every older one stops working (security/tokens.py).
    token_epoch: Mapped[int] = mapped_column(Integer, server_default="0")
    # The epoch the last password change or reset moved to: an older page session ended by it, and
    # the log-in page says so (accounts/web_sessions.py why_signed_out).
    password_changed_epoch: Mapped[int | None] = mapped_column(Integer)
    # How co-parents, the activity trail and answered requests name this parent (null: the email).
    display_name: Mapped[str | None] = mapped_column(String(100))
    # The family's country (ISO 3166-1, on the owner's row): its rating scales read the kids' caps,
    # its streaming services are the ones to pick (ratings/, families/streaming.py).
    country: Mapped[str] = mapped_column(String(2), server_default="US")
    # This parent's page language (null: the browser's Accept-Language); the owner's is the family's.
    language: Mapped[str | None] = mapped_column(String(2))

    @property
    def name_or_email(self) -> str:
        return self.display_name or self.email

    # Notifications (migration 0039, axolotly/notifications/): the "event.channel" pairs this parent
    # turned off (every other one is on), and quiet hours in the family's zone (emails wait).
    notifications_off: Mapped[list[Any]] = json_list_column()
    quiet_hours_start: Mapped[time | None]
    quiet_hours_end: Mapped[time | None]
