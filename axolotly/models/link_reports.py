from datetime import datetime

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from axolotly.models.base import Base, created_at_column


class LinkReport(Base):
    """One family's report of one episode link: a family counts once, however many devices report."""

    __tablename__ = "link_reports"
    __table_args__ = (
        Index("uq_link_reports_link_family", "link_id", "family_id", unique=True),
        Index("idx_link_reports_family_id", "family_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("episode_links.id", ondelete="CASCADE"))
    family_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = created_at_column()
