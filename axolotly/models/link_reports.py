from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, func, text
from sqlalchemy.orm import Mapped, mapped_column

from axolotly.models.base import Base, created_at_column


class LinkReport(Base):
    """One family's report of an episode link (launcher/episode_links.py).

    Matched (link_id set): a family counts once per link, however many of its devices report it;
    a database trigger keeps episode_links.reported_count equal to the number of such rows (the
    families), which decides when an unverified link reaches kids. Pending (link_id NULL): a
    trusted URL that did not match an episode this family's kid may watch, kept once per family
    and URL with what the device said (unverified numbers, hence no foreign keys on them).
    """

    __tablename__ = "link_reports"
    __table_args__ = (
        Index("uq_link_reports_link_family", "link_id", "family_id", unique=True),
        Index(
            "uq_link_reports_pending_family_url",
            "family_id",
            "platform",
            func.md5("url"),
            unique=True,
            postgresql_where=text("link_id IS NULL"),
        ),
        Index("idx_link_reports_family_id", "family_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    link_id: Mapped[int | None] = mapped_column(ForeignKey("episode_links.id", ondelete="CASCADE"))
    family_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(50))
    url: Mapped[str] = mapped_column(Text)
    reported_title_id: Mapped[int | None]
    reported_tmdb_id: Mapped[int | None]
    reported_season: Mapped[int | None]
    reported_episode: Mapped[int | None]
    reported_title: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = created_at_column()
