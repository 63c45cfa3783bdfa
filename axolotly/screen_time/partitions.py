"""Monthly partitions of `usage_sessions`: made ahead of time, dropped past the retention period.

Run hourly by the periodic job (jobs/tasks.py), each step in a short transaction of its own (a
partition change locks the parent table: it must not wait behind a long DELETE). Dropping a
whole month is one catalog change instead of millions of DELETEs (no bloat, no vacuum debt). A
month goes only when all of it is older than USAGE_RETENTION_DAYS; the much smaller daily
rollup follows the same cut-off, day by day, deleted in batches.
"""

import re
from datetime import date, datetime, timedelta

from sqlalchemy import delete, select, text, tuple_
from sqlalchemy.orm import Session

from axolotly.db.results import affected_rows
from axolotly.models import UsageDay

PARTITION_NAME = re.compile(r"^usage_sessions_y(\d{4})m(\d{2})$")
MONTHS_BEHIND = timedelta(days=31)  # logs may arrive up to 30 days late (screen_time/usage.py)
MONTHS_AHEAD = timedelta(days=62)
ROLLUP_BATCH = 10_000  # rows per transaction: short locks, bounded WAL per commit


def month_of(moment: datetime | date) -> date:
    return date(moment.year, moment.month, 1)


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def partition_name(month: date) -> str:
    return f"usage_sessions_y{month.year:04d}m{month.month:02d}"


def existing(db: Session) -> list[str]:
    return list(
        db.scalars(
            text(
                "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                "WHERE i.inhparent = 'usage_sessions'::regclass ORDER BY c.relname"
            )
        )
    )


def _utc(month: date) -> str:
    # Months start at midnight UTC whatever the session's TimeZone (the migration agrees).
    return f"'{month.isoformat()} 00:00:00+00'"


def make_ahead(db: Session, now: datetime) -> list[str]:
    """Partitions from last month to two months ahead exist (creating one locks the parent briefly)."""
    # Creating or dropping a partition locks the parent: wait briefly, else try again next hour.
    db.execute(text("SET LOCAL lock_timeout = '5s'"))
    present = set(existing(db))
    created = []
    month, last = month_of(now - MONTHS_BEHIND), month_of(now + MONTHS_AHEAD)
    while month <= last:
        name = partition_name(month)
        if name not in present:
            # Names and bounds come from dates, never from input: safe to format.
            db.execute(
                text(
                    f"CREATE TABLE {name} PARTITION OF usage_sessions "
                    f"FOR VALUES FROM ({_utc(month)}) TO ({_utc(next_month(month))})"
                )
            )
            created.append(name)
        month = next_month(month)
    return created


def retention_cutoff(now: datetime, retention_days: int) -> date:
    return (now - timedelta(days=retention_days)).date()


def drop_expired(db: Session, now: datetime, retention_days: int) -> list[str]:
    """Months wholly older than the retention period go: one catalog change each, no DELETE."""
    db.execute(text("SET LOCAL lock_timeout = '5s'"))
    cutoff = retention_cutoff(now, retention_days)
    dropped = []
    for name in existing(db):
        match = PARTITION_NAME.match(name)
        if match and next_month(date(int(match[1]), int(match[2]), 1)) <= cutoff:
            db.execute(text(f"DROP TABLE {name}"))
            dropped.append(name)
    return dropped


def prune_rollup(db: Session, now: datetime, retention_days: int, batch: int = ROLLUP_BATCH) -> int:
    """Up to `batch` rollup rows older than the retention period (the job repeats, a transaction each)."""
    expired = (
        select(UsageDay.kid_profile_id, UsageDay.day, UsageDay.app_id)
        .where(UsageDay.day < retention_cutoff(now, retention_days))
        .limit(batch)
    )
    return affected_rows(
        db.execute(delete(UsageDay).where(tuple_(UsageDay.kid_profile_id, UsageDay.day, UsageDay.app_id).in_(expired)))
    )
