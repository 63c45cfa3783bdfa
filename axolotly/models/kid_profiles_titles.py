from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, PrimaryKeyConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from axolotly.enums import PolicyKind, sql_values
from axolotly.models.base import Base, created_at_column, sparse_json_list_column


class KidProfileTitle(Base):
    """A policy: may this kid see this title (and which of its episodes are blocked)."""

    __tablename__ = "kid_profiles_titles"
    __table_args__ = (
        # One policy per kid and title; the pair is the key (no surrogate id: 80 rows a family, migration 0021),
        # named as the spec's unique index.
        PrimaryKeyConstraint("kid_profile_id", "title_id", name="idx_kpt_profile_title"),
        # Title deletion cascades through this column, and catalog changes look up who allows a title.
        Index("idx_kpt_title_id", "title_id"),
        CheckConstraint(f"policy IN ({sql_values(PolicyKind)})", name="policy"),
        # Nothing blocked is NULL, never '[]' (one spelling; read back as []).
        CheckConstraint("blocked_episodes IS NULL OR (jsonb_typeof(blocked_episodes) = 'array' "
                        "AND blocked_episodes <> '[]')", name="blocked_episodes_not_empty"),
    )

    kid_profile_id: Mapped[int] = mapped_column(ForeignKey("kid_profiles.id", ondelete="CASCADE"))
    title_id: Mapped[int] = mapped_column(ForeignKey("titles.id", ondelete="CASCADE"))
    policy: Mapped[str] = mapped_column(String(20))  # PolicyKind
    blocked_episodes: Mapped[list[Any]] = sparse_json_list_column()
    created_at: Mapped[datetime] = created_at_column()
