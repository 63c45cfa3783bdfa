from datetime import date, datetime, time
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, SmallInteger, String, false, true
from sqlalchemy.orm import Mapped, mapped_column

from axolotly.models.base import Base, created_at_column, json_list_column

BCRYPT_HASH_PATTERN = r"^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$"


def _bedtime_check(day_kind: str) -> str:
    """Both ends or neither, and never the same time (an empty or whole-day window means nothing)."""
    start, end = f"{day_kind}_bedtime_start", f"{day_kind}_bedtime_end"
    return f"({start} IS NULL) = ({end} IS NULL) AND ({start} IS NULL OR {start} <> {end})"


class KidProfile(Base):
    __tablename__ = "kid_profiles"
    __table_args__ = (
        Index("idx_kid_profiles_family_id", "family_id"),
        CheckConstraint(f"pin_hash ~ '{BCRYPT_HASH_PATTERN}'", name="pin_hash_is_bcrypt"),
        CheckConstraint("age BETWEEN 0 AND 17", name="age_range"),
        CheckConstraint("rules_mode IN ('allow_list', 'rules')", name="rules_mode"),
        CheckConstraint("school_day_limit_minutes BETWEEN 0 AND 1440", name="school_day_limit_range"),
        CheckConstraint("weekend_limit_minutes BETWEEN 0 AND 1440", name="weekend_limit_range"),
        CheckConstraint(_bedtime_check("school_day"), name="school_day_bedtime"),
        CheckConstraint(_bedtime_check("weekend"), name="weekend_bedtime"),
        CheckConstraint("bonus_minutes BETWEEN 0 AND 1440", name="bonus_minutes_range"),
        CheckConstraint("episode_grace_minutes BETWEEN 0 AND 30", name="episode_grace_range"),
        CheckConstraint("jsonb_typeof(blocked_tags) = 'array'", name="blocked_tags_array"),  # migration 0029
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    pin_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = created_at_column()
    age: Mapped[int | None] = mapped_column(SmallInteger)
    # PIN lockouts are per kid and device: pin_lockouts (migration 0023 moved them off this table).
    # Bumped by database triggers whenever anything this kid's launcher shows changes (ETag).
    launcher_version: Mapped[int] = mapped_column(BigInteger, server_default="0")
    # Rules (policies/evaluate.py): `allow_list` shows only what a parent allowed; `rules` shows
    # every library title within the caps (None: no cap), rated or not, without a blocked tag.
    rules_mode: Mapped[str] = mapped_column(String(10), server_default="allow_list")
    # Ratings of the family country's movie and TV scales (rating_scales; the app checks them).
    max_movie_rating: Mapped[str | None] = mapped_column(String(40))
    max_tv_rating: Mapped[str | None] = mapped_column(String(40))
    block_unrated: Mapped[bool] = mapped_column(server_default=true())
    blocked_tags: Mapped[list[Any]] = json_list_column()
    # Screen time (screen_time/clock.py), in the family's time zone: a daily limit and a bedtime
    # window for school days (Mon-Fri) and for weekends; None = no limit / no bedtime.
    screen_time_enabled: Mapped[bool] = mapped_column(server_default=false())
    school_day_limit_minutes: Mapped[int | None] = mapped_column(SmallInteger)
    weekend_limit_minutes: Mapped[int | None] = mapped_column(SmallInteger)
    school_day_bedtime_start: Mapped[time | None]
    school_day_bedtime_end: Mapped[time | None]
    weekend_bedtime_start: Mapped[time | None]
    weekend_bedtime_end: Mapped[time | None]
    # Extra minutes a parent granted for `bonus_day` only (another day's bonus counts for nothing).
    bonus_minutes: Mapped[int] = mapped_column(SmallInteger, server_default="0")
    bonus_day: Mapped[date | None]
    # Whether the kid's launcher lists the library titles they may ask for (migration 0030);
    # None: decided by age (families/requests.py sees_ask_list: 8 and older).
    ask_list: Mapped[bool | None]
    # "Pause now" (migration 0039): no screen time until then, whatever the limits say.
    paused_until: Mapped[datetime | None]
    # Minutes an episode started before the limit or bedtime may run on to finish (0: off; issue 27).
    episode_grace_minutes: Mapped[int] = mapped_column(SmallInteger, server_default="0")
