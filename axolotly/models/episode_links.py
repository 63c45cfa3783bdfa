from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, false, func
from sqlalchemy.orm import Mapped, mapped_column

from axolotly.models.base import Base, created_at_column


class EpisodeLink(Base):
    """A crowd-sourced deep link that opens one episode in one streaming app.

    Kids see it once an admin verified it or enough families reported it (launcher/query.py).
    """

    __tablename__ = "episode_links"
    __table_args__ = (
        Index("idx_episode_links_episode_platform", "episode_id", "platform"),
        # Reports of one link by several families find one row (and add a link_reports row each).
        Index("uq_episode_links_episode_platform_url", "episode_id", "platform", func.md5("url"), unique=True),
        CheckConstraint("reported_count >= 0", name="reported_count_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(50))
    url: Mapped[str] = mapped_column(Text)
    verified: Mapped[bool] = mapped_column(server_default=false())
    # The number of families that reported it (link_reports rows), kept by a trigger (migration 0015).
    reported_count: Mapped[int] = mapped_column(server_default="0")
    created_at: Mapped[datetime] = created_at_column()
