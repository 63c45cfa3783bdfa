from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from axolotly.models.base import Base, created_at_column


class StarterPack(Base):
    """An admin-curated set of titles a parent adds to the family library in one click."""

    __tablename__ = "starter_packs"
    __table_args__ = (
        Index("uq_starter_packs_name", "name", unique=True),
        CheckConstraint("min_age IS NULL OR max_age IS NULL OR min_age <= max_age", name="age_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, server_default="")
    min_age: Mapped[int | None] = mapped_column(SmallInteger)
    max_age: Mapped[int | None] = mapped_column(SmallInteger)
    created_at: Mapped[datetime] = created_at_column()


class StarterPackTitle(Base):
    __tablename__ = "starter_pack_titles"
    __table_args__ = (Index("idx_starter_pack_titles_title_id", "title_id"),)

    pack_id: Mapped[int] = mapped_column(ForeignKey("starter_packs.id", ondelete="CASCADE"), primary_key=True)
    title_id: Mapped[int] = mapped_column(ForeignKey("titles.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(server_default="0")
