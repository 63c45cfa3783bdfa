from datetime import date
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from axolotly.models.base import Base, json_list_column


class Episode(Base):
    __tablename__ = "episodes"
    __table_args__ = (
        Index("idx_episodes_title_id", "title_id"),
        Index("idx_episodes_season_episode", "title_id", "season_number", "episode_number"),
        CheckConstraint("jsonb_typeof(tags) = 'array'", name="tags_array"),  # migration 0029
        CheckConstraint("runtime_minutes BETWEEN 0 AND 1440", name="runtime_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tmdb_episode_id: Mapped[int] = mapped_column(unique=True)
    title_id: Mapped[int] = mapped_column(ForeignKey("titles.id", ondelete="CASCADE"))
    season_number: Mapped[int]
    episode_number: Mapped[int]
    name: Mapped[str | None] = mapped_column(String(500))
    overview: Mapped[str | None] = mapped_column(Text)
    air_date: Mapped[date | None]
    thumbnail_path: Mapped[str | None] = mapped_column(String(255))
    tags: Mapped[list[Any]] = json_list_column()
    runtime_minutes: Mapped[int | None] = mapped_column(SmallInteger)  # TMDB's; what an episode's grace needs
