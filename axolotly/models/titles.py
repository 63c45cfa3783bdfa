from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from axolotly.enums import MediaType, sql_values
from axolotly.models.base import Base, json_list_column


class Title(Base):
    """A movie or show of the shared catalog (not owned by a family)."""

    __tablename__ = "titles"
    __table_args__ = (
        Index("idx_titles_tmdb_id", "tmdb_id", unique=True),
        Index("idx_titles_media_type", "media_type"),
        # Typo-tolerant search (catalog/service.py): pg_trgm's % and <% operators use it.
        Index("idx_titles_title_trgm", "title", postgresql_using="gin", postgresql_ops={"title": "gin_trgm_ops"}),
        CheckConstraint(f"media_type IN ({sql_values(MediaType)})", name="media_type"),
        # The spec's "Array of ...": pages and the launcher read them as arrays (migration 0029).
        CheckConstraint("jsonb_typeof(genres) = 'array'", name="genres_array"),
        CheckConstraint("jsonb_typeof(providers) = 'array'", name="providers_array"),
        CheckConstraint("jsonb_typeof(tags) = 'array'", name="tags_array"),
        CheckConstraint("jsonb_typeof(certifications) = 'object'", name="certifications_object"),
        CheckConstraint("jsonb_typeof(providers_by_country) = 'object'", name="providers_by_country_object"),
        CheckConstraint("jsonb_typeof(rating_descriptors) = 'object'", name="rating_descriptors_object"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tmdb_id: Mapped[int]
    title: Mapped[str] = mapped_column(String(500))
    media_type: Mapped[str] = mapped_column(String(20))  # MediaType
    overview: Mapped[str | None] = mapped_column(Text)
    poster_path: Mapped[str | None] = mapped_column(String(255))
    backdrop_path: Mapped[str | None] = mapped_column(String(255))
    release_date: Mapped[date | None]
    rating: Mapped[str | None] = mapped_column(String(10))
    genres: Mapped[list[Any]] = json_list_column()
    providers: Mapped[list[Any]] = json_list_column()
    tags: Mapped[list[Any]] = json_list_column()
    last_synced: Mapped[datetime | None]
    certification: Mapped[str | None] = mapped_column(String(10))
    # Per country (migration 0035): the certification on that country's scale of the title's kind
    # ({"GB": "12A", "DE": "12"}), and the registry ids it streams on there ({"GB": ["netflix"]}).
    # `certification` (US) and `providers` (the US list) stay, as the spec has them.
    certifications: Mapped[dict[str, Any]] = mapped_column(server_default="{}")
    providers_by_country: Mapped[dict[str, Any]] = mapped_column(server_default="{}")
    # Per country, the content descriptors of that country's certification, only where it has some
    # ({"US": ["L", "V"]}: TV-PG for coarse language and violence; migration 0036).
    rating_descriptors: Mapped[dict[str, Any]] = mapped_column(server_default="{}")
