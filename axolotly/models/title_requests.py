from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from axolotly.models.base import Base, created_at_column


class TitleRequest(Base):
    """A kid asks for a library title hidden for them; a parent approves (an allow) or declines."""

    __tablename__ = "title_requests"
    __table_args__ = (
        Index("idx_title_requests_family_status", "family_id", "status"),
        Index("idx_title_requests_kid_profile_id", "kid_profile_id"),
        Index("idx_title_requests_title_id", "title_id"),
        # Deleting a parent sets their answers to NULL: found through this, not a scan.
        Index("idx_title_requests_answered_by", "answered_by", postgresql_where=text("answered_by IS NOT NULL")),
        # One open request per kid and title: asking again is the same request.
        Index(
            "uq_title_requests_open_kid_title",
            "kid_profile_id",
            "title_id",
            unique=True,
            postgresql_where=text("status = 'open'"),
        ),
        CheckConstraint("status IN ('open', 'approved', 'declined')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kid_profile_id: Mapped[int] = mapped_column(ForeignKey("kid_profiles.id", ondelete="CASCADE"))
    title_id: Mapped[int] = mapped_column(ForeignKey("titles.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(10), server_default="open")
    note: Mapped[str | None] = mapped_column(Text)  # the parent's answer, if any
    created_at: Mapped[datetime] = created_at_column()
    answered_at: Mapped[datetime | None]
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
