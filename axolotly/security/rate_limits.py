"""Throttled attempts (log-ins, PINs, pairing codes, sign-ups): durable fixed-window counters in
PostgreSQL (table `rate_limits`), and how a refused attempt is answered.

Throttles count before they judge: `spend` increments a counter and returns its new value in one
statement, committed on its own, before the guess is evaluated. Concurrent guesses queue on the
counter's row and each sees its own count, so a burst of N gets no more than the budget
evaluated, and an error that rolls the request back cannot undo the count. A success may
`refund` its attempt, so legitimate use does not eat the budget. The column is still called
`failures` (migration 0005); it counts attempts not yet refunded.

Every statement here runs in a short transaction of its own (never the request's): a counter row
locked by a long request transaction would make every other attempt on that key wait for it. The
counters have a small pool of their own, one per process, built from the settings on first use and
disposed at shutdown (main.py): a request already holds one connection of the main pool, and a
burst of requests each waiting for a second one from the same pool would starve it.

A refused attempt is an ordinary typed error (errors.py: 401, 429), raised through `refuse`, which
asks the request's transaction owner to keep what the request recorded about the attempt (the
audit event of a failed log-in, a PIN lockout and its audit event) although the request ends in
an error (db/engine.py `end_request`). Services never commit. The counters themselves never
depend on it; they are committed already.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from typing import NoReturn

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.orm import Session

from axolotly.db.engine import connection_options, database_url, keep_through
from axolotly.errors import DomainError, TooManyRequests

COUNTER_POOL_SIZE = 4

SPEND = text(
    "INSERT INTO rate_limits AS r (key, window_start, failures) VALUES (:key, now(), 1) "
    "ON CONFLICT (key) DO UPDATE SET "
    "  failures = CASE WHEN r.window_start <= now() - :window THEN 1 ELSE r.failures + 1 END, "
    "  window_start = CASE WHEN r.window_start <= now() - :window THEN now() ELSE r.window_start END "
    "RETURNING failures, ceil(extract(epoch FROM window_start + :window - now())) AS retry_after"
)


@dataclass(frozen=True)
class Limit:
    key: str
    max_attempts: int
    window: timedelta


@lru_cache(maxsize=1)
def counter_engine() -> Engine:
    """The counters' own small pool on the app's database (one per process)."""
    # Connections are held for one statement and never while waiting on anything else.
    return create_engine(
        database_url(),
        pool_size=COUNTER_POOL_SIZE,
        max_overflow=0,
        pool_pre_ping=True,
        connect_args=connection_options(),
    )


def dispose_counter_pool() -> None:
    """Closes the counters' pool at shutdown, if this process made one."""
    if counter_engine.cache_info().currsize:
        counter_engine().dispose()
        counter_engine.cache_clear()


@contextmanager
def _own_transaction() -> Iterator[Connection]:
    """A transaction of its own, committed at once."""
    with counter_engine().begin() as connection:
        yield connection


def spend(limit: Limit, detail: str) -> int:
    """Counts one attempt against `limit` and returns its number in the window; 429 (Retry-After)
    when it goes beyond the budget."""
    with _own_transaction() as connection:
        row = connection.execute(SPEND, {"key": limit.key, "window": limit.window}).one()
    if row.failures > limit.max_attempts:
        raise TooManyRequests(detail, retry_after_seconds=int(row.retry_after))
    return int(row.failures)


def spend_all(limits: tuple[Limit, ...], detail: str) -> None:
    """Spends each limit in order, stopping at the first that refuses (a caller blocked by its
    own address does not eat the shared, global budget)."""
    for limit in limits:
        spend(limit, detail)


def refund(limit: Limit) -> None:
    """Gives back one attempt (a success)."""
    with _own_transaction() as connection:
        connection.execute(
            text("UPDATE rate_limits SET failures = greatest(failures - 1, 0) WHERE key = :key"), {"key": limit.key}
        )


def clear(limit: Limit) -> None:
    with _own_transaction() as connection:
        connection.execute(text("DELETE FROM rate_limits WHERE key = :key"), {"key": limit.key})


def lock_out(limit: Limit) -> int:
    """Restarts the window of a spent budget, so that the lockout lasts a whole window from now
    (the last allowed attempt failed); returns the seconds until it ends."""
    with _own_transaction() as connection:
        connection.execute(
            text("UPDATE rate_limits SET window_start = now(), failures = greatest(failures, :max) WHERE key = :key"),
            {"key": limit.key, "max": limit.max_attempts},
        )
    return int(limit.window.total_seconds())


def refuse(db: Session, error: DomainError) -> NoReturn:
    """Answers a refused attempt with `error`, keeping what the request recorded about it.

    The request's transaction owner commits instead of rolling back when exactly this error ends
    the request (db/engine.py `keep_through`), as when these refusals were plain responses: only
    call this once the request has written nothing that should not stand on its own. A caller
    that catches the error and answers normally (the log-in and PIN pages) commits anyway.
    Callers: a failed log-in (its audit event) and a PIN lockout (the lock and its audit event).
    """
    keep_through(db, error)
    raise error
