from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from axolotly.models.base import Base, created_at_column


class FamilyInvitation(Base):
    """A single-use invitation to become a co-parent; the token is shown once, stored as its SHA-256."""

    __tablename__ = "family_invitations"
    __table_args__ = (
        Index("uq_family_invitations_token_digest", "token_digest", unique=True),
        Index("idx_family_invitations_family_id", "family_id"),
        # Deleting a user sets their acceptances to NULL: found through this, not a scan (few rows: partial).
        Index("idx_family_invitations_accepted_by", "accepted_by", postgresql_where=text("accepted_by IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token_digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = created_at_column()
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    accepted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
