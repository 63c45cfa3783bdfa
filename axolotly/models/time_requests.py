from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, SmallInteger, String, text
from sqlalchemy.orm import Mapped, mapped_column

from axolotly.models.base import Base, created_at_column


class TimeRequest(Base):
    """A kid whose screen time ran out asks for more; a parent grants bonus minutes or says no."""

    __tablename__ = "time_requests"
    __table_args__ = (
        Index("idx_time_requests_family_status", "family_id", "status"),
        Index("idx_time_requests_kid_day", "kid_profile_id", "day"),
        # Deleting a parent sets their answers to NULL: found through this, not a scan.
        Index("idx_time_requests_answered_by", "answered_by", postgresql_where=text("answered_by IS NOT NULL")),
        # One open request per kid: asking again while waiting is the same request.
        Index("uq_time_requests_open_kid", "kid_profile_id", unique=True, postgresql_where=text("status = 'open'")),
        CheckConstraint("status IN ('open', 'granted', 'declined')", name="status"),
        CheckConstraint("minutes BETWEEN 1 AND 720", name="minutes_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kid_profile_id: Mapped[int] = mapped_column(ForeignKey("kid_profiles.id", ondelete="CASCADE"))
    day: Mapped[date]  # the family's local day the kid asked on: a grant is bonus time for that day
    status: Mapped[str] = mapped_column(String(10), server_default="open")
    minutes: Mapped[int | None] = mapped_column(SmallInteger)  # granted
    created_at: Mapped[datetime] = created_at_column()
    answered_at: Mapped[datetime | None]
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
