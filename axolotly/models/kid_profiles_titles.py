from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ColumnElement, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from axolotly.enums import PolicyKind, sql_values
from axolotly.models.base import Base, created_at_column, sparse_json_list_column


class KidProfileTitle(Base):
    """A policy: may this kid see this title (and which of its episodes are blocked)."""

    __tablename__ = "kid_profiles_titles"
    __table_args__ = (
        # One policy per kid and title: the spec's unique index (and what the API addresses a policy by).
        Index("idx_kpt_profile_title", "kid_profile_id", "title_id", unique=True),
        # Title deletion cascades through this column, and catalog changes look up who allows a title.
        Index("idx_kpt_title_id", "title_id"),
        CheckConstraint(f"policy IN ({sql_values(PolicyKind)})", name="policy"),
        # Nothing blocked: NULL (what the app writes), '[]' (the spec's rows) or JSON null (an older
        # backend's None) all mean the same; anything else would read differently in SQL and Python.
        CheckConstraint(
            "blocked_episodes IS NULL OR jsonb_typeof(blocked_episodes) IN ('array', 'null')",
            name="blocked_episodes_array",
        ),
        # An allow for a while (migration 0040): only an allow ends; the launcher's statement reads
        # the kid's pending ends, the expiry job all of them.
        CheckConstraint("allowed_until IS NULL OR policy = 'allow'", name="until_allows"),
        Index(
            "idx_kpt_kid_allowed_until",
            "kid_profile_id",
            "allowed_until",
            postgresql_where=text("allowed_until IS NOT NULL"),
        ),
        Index("idx_kpt_allowed_until", "allowed_until", postgresql_where=text("allowed_until IS NOT NULL")),
    )

    # The spec's SERIAL PRIMARY KEY (migration 0027 put it back, so in the table it comes last).
    id: Mapped[int] = mapped_column(primary_key=True)

    kid_profile_id: Mapped[int] = mapped_column(ForeignKey("kid_profiles.id", ondelete="CASCADE"))
    title_id: Mapped[int] = mapped_column(ForeignKey("titles.id", ondelete="CASCADE"))
    policy: Mapped[str] = mapped_column(String(20))  # PolicyKind
    blocked_episodes: Mapped[list[Any]] = sparse_json_list_column()
    created_at: Mapped[datetime] = created_at_column()
    # The allow ends at this instant (None: for good); past it the rules alone decide (issue 27).
    allowed_until: Mapped[datetime | None]

    @classmethod
    def in_force_at(cls, now: datetime) -> ColumnElement[bool]:
        """Policies in force at `now`: an allow whose end has come is none (policies/evaluate.py
        in_force); its row waits for the job that removes it (jobs/allow_tasks.py)."""
        return cls.allowed_until.is_(None) | (cls.allowed_until > now)
