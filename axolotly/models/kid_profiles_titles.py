from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from axolotly.enums import PolicyKind, sql_values
from axolotly.models.base import Base, created_at_column, json_list_column


class KidProfileTitle(Base):
    """A policy: may this kid see this title (and which of its episodes are blocked)."""

    __tablename__ = "kid_profiles_titles"
    __table_args__ = (
        Index("idx_kpt_profile_title", "kid_profile_id", "title_id", unique=True),
        # Title deletion cascades through this column, and catalog changes look up who allows a title.
        Index("idx_kpt_title_id", "title_id"),
        CheckConstraint(f"policy IN ({sql_values(PolicyKind)})", name="policy"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kid_profile_id: Mapped[int] = mapped_column(ForeignKey("kid_profiles.id", ondelete="CASCADE"))
    title_id: Mapped[int] = mapped_column(ForeignKey("titles.id", ondelete="CASCADE"))
    policy: Mapped[str] = mapped_column(String(20))  # PolicyKind
    blocked_episodes: Mapped[list[Any]] = json_list_column()
    created_at: Mapped[datetime] = created_at_column()
