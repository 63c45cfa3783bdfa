from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from axolotly.models.base import Base, created_at_column


class AuditEvent(Base):
    """What changed in a family, written in the same transaction as the change (Activity page)."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("idx_audit_events_family_created", "family_id", "created_at"),
        # Retention (audit/service.py prune) deletes the oldest first (migration 0026 says why not BRIN).
        Index("idx_audit_events_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(50))
    summary: Mapped[str] = mapped_column(Text)
    # Who did it (their email at the time; a parent, a co-parent), or None for a device or the system.
    actor: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = created_at_column()
