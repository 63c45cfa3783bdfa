"""Watch history: one row per watching session (partitioned by month) and a per-kid daily rollup.

`usage_sessions` grows by millions of rows a day at a million families: native range partitions
by month on `started_at`, created ahead and dropped past USAGE_RETENTION_DAYS by the periodic job
(screen_time/partitions.py). A partitioned table has no primary key without the partition key, so
its identity is the unique (kid, device, app, start): a retried log is the same row.
`device_id` and `title_id` carry no foreign key on purpose: history outlives an unpaired device or
a removed title (the name stays in `app_name`), and a cascade over every partition would cost a
scan per deleted device. The kid's own rows go with the kid (cascade, served by the unique index).
"""

from datetime import date

from sqlalchemy import CheckConstraint, Column, DateTime, ForeignKey, Index, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column

from axolotly.models.base import Base

usage_sessions = Table(
    "usage_sessions",
    Base.metadata,
    Column("kid_profile_id", Integer, ForeignKey("kid_profiles.id", ondelete="CASCADE"), nullable=False),
    Column("device_id", Integer, nullable=True),
    Column("title_id", Integer, nullable=True),
    Column("app_id", String(64), nullable=False),
    Column("app_name", String(200), nullable=False, server_default=""),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("ended_at", DateTime(timezone=True), nullable=False),
    Column("seconds", Integer, nullable=False),
    CheckConstraint("seconds BETWEEN 0 AND 86400", name="seconds_range"),
    CheckConstraint("ended_at >= started_at", name="ends_after_start"),
    Index(
        "uq_usage_sessions_identity",
        "kid_profile_id",
        "device_id",
        "app_id",
        "started_at",
        unique=True,
        postgresql_nulls_not_distinct=True,
    ),
    postgresql_partition_by="RANGE (started_at)",
)


class UsageDay(Base):
    """Seconds and sessions per kid, local day (family time zone) and app: what the pages read."""

    __tablename__ = "usage_daily"
    __table_args__ = (CheckConstraint("seconds >= 0 AND sessions >= 0", name="not_negative"),)

    kid_profile_id: Mapped[int] = mapped_column(ForeignKey("kid_profiles.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    app_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title_id: Mapped[int | None] = mapped_column(Integer)
    app_name: Mapped[str] = mapped_column(String(200), server_default="")
    seconds: Mapped[int] = mapped_column(Integer, server_default="0")
    sessions: Mapped[int] = mapped_column(Integer, server_default="0")
