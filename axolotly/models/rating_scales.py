from sqlalchemy import CheckConstraint, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from axolotly.models.base import Base


class RatingScale(Base):
    """One rating of a country's movie or TV scale (ratings/scales.py reads them as a Scale).

    `position` is the scale's order (lowest, most permissive, first), unique in its scale: a cap
    compares places, so two ratings must never share one (checked at commit, so that a refresh
    may renumber a whole scale in one statement); `min_age` is None for a rating that is no
    classification ("NR"): it counts as unrated.
    """

    __tablename__ = "rating_scales"
    __table_args__ = (
        CheckConstraint("kind IN ('movie', 'tv')", name="kind"),
        CheckConstraint("country ~ '^[A-Z]{2}(-[A-Z0-9]{1,3})?$'", name="country"),
        CheckConstraint("min_age BETWEEN 0 AND 21", name="min_age_range"),
        UniqueConstraint("kind", "country", "position", deferrable=True, initially="DEFERRED"),
    )

    kind: Mapped[str] = mapped_column(String(5), primary_key=True)
    country: Mapped[str] = mapped_column(String(6), primary_key=True)  # ISO 3166-1, or -2 ("CA-QC")
    rating: Mapped[str] = mapped_column(String(40), primary_key=True)
    position: Mapped[int] = mapped_column(SmallInteger)
    min_age: Mapped[int | None] = mapped_column(SmallInteger)
    meaning: Mapped[str] = mapped_column(Text, server_default="")
