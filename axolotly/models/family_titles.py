from datetime import datetime

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from axolotly.models.base import Base, created_at_column


class FamilyTitle(Base):
    """A title of the family library: added by a parent; rules-mode kids choose from these."""

    __tablename__ = "family_titles"
    __table_args__ = (
        Index("idx_family_titles_title_id", "title_id"),
        # Removing a co-parent sets their added_by to NULL through the foreign key.
        Index("idx_family_titles_added_by", "added_by"),
    )

    family_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    title_id: Mapped[int] = mapped_column(ForeignKey("titles.id", ondelete="CASCADE"), primary_key=True)
    added_at: Mapped[datetime] = created_at_column()
    added_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
