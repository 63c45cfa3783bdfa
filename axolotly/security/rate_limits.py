"""Durable fixed-window failure counters in PostgreSQL (table `rate_limits`).

Counters live in the database, not in memory, so they hold across workers and restarts. Callers
record failures in the request's own transaction and must therefore answer a failure with a
response rather than an exception (an exception would roll the counter back).
"""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

from axolotly.errors import TooManyRequests


@dataclass(frozen=True)
class Limit:
    key: str
    max_failures: int
    window: timedelta


def enforce(db: Session, limit: Limit, detail: str) -> None:
    """Raises 429 with Retry-After while `limit.key` has used up its failures in the window."""
    row = db.execute(
        text(
            "SELECT failures, ceil(extract(epoch FROM window_start + :window - now())) AS retry_after "
            "FROM rate_limits WHERE key = :key AND window_start > now() - :window"
        ),
        {"key": limit.key, "window": limit.window},
    ).first()
    if row is not None and row.failures >= limit.max_failures:
        raise TooManyRequests(detail, retry_after_seconds=int(row.retry_after))


def record_failure(db: Session, limit: Limit) -> None:
    db.execute(
        text(
            "INSERT INTO rate_limits AS r (key, window_start, failures) VALUES (:key, now(), 1) "
            "ON CONFLICT (key) DO UPDATE SET "
            "  failures = CASE WHEN r.window_start <= now() - :window THEN 1 ELSE r.failures + 1 END, "
            "  window_start = CASE WHEN r.window_start <= now() - :window THEN now() ELSE r.window_start END"
        ),
        {"key": limit.key, "window": limit.window},
    )


def clear(db: Session, limit: Limit) -> None:
    db.execute(text("DELETE FROM rate_limits WHERE key = :key"), {"key": limit.key})
