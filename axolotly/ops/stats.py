"""Database figures from PostgreSQL's statistics views, read at most every few seconds.

`/metrics` and `/api/admin/db-health` share one cached snapshot per process, so however often
they are scraped the database answers one round of queries per DB_STATS_CACHE_SECONDS.

A scrape must never hang on the database (a table held by an ACCESS EXCLUSIVE lock made table
sizes wait for seconds): the queries run with a short `lock_timeout` and `statement_timeout`, in
three independent parts. A part that fails keeps its last good values, marked stale, so an
operator still sees the live activity (lock waits, longest statement) while a table is locked.
"""

import logging
import time
from datetime import UTC, datetime
from threading import Lock
from typing import Any

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError

from axolotly.config import get_settings
from axolotly.db import slow_queries
from axolotly.db.engine import get_engine

logger = logging.getLogger(__name__)

# Short enough that three parts, each failing at worst, still answer a scrape well within 1 s.
LOCK_TIMEOUT, STATEMENT_TIMEOUT = "100ms", "300ms"
TOP_STATEMENTS = 10

# Catalog and statistics views only: nothing here waits for a lock on a user table.
ACTIVITY_SQL = text("""
SELECT
    (SELECT round(sum(blks_hit)::numeric / nullif(sum(blks_hit) + sum(blks_read), 0), 4)
       FROM pg_stat_database WHERE datname = current_database()) AS cache_hit_ratio,
    (SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()) AS connections,
    (SELECT count(*) FROM pg_stat_activity
       WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()) AS active_connections,
    (SELECT COALESCE(EXTRACT(EPOCH FROM max(now() - query_start)), 0)::float FROM pg_stat_activity
       WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()
         AND backend_type = 'client backend') AS longest_query_seconds,
    (SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock') AS lock_waits,
    (SELECT count(*) FROM pg_stat_replication) AS replicas,
    (SELECT COALESCE(EXTRACT(EPOCH FROM max(replay_lag)), 0)::float FROM pg_stat_replication)
        AS replication_lag_seconds,
    pg_database_size(current_database()) AS database_bytes
""")

# These open user tables (sizes, job counts): a lock held on one of them makes this part wait.
TABLES_SQL = text("""
SELECT
    (SELECT json_object_agg(relname, pg_total_relation_size(relid))
       FROM pg_stat_user_tables WHERE schemaname = 'public') AS table_bytes,
    (SELECT count(*) FROM procrastinate_jobs WHERE status = 'todo') AS jobs_queued,
    (SELECT count(*) FROM procrastinate_jobs WHERE status = 'doing') AS jobs_running,
    (SELECT count(*) FROM procrastinate_jobs WHERE status = 'failed') AS jobs_failed
""")

_STATEMENTS = """
SELECT queryid::text AS queryid, query AS statement, calls,
       round(total_exec_time::numeric, 1)::float AS total_ms, round(mean_exec_time::numeric, 2)::float AS mean_ms,
       round(max_exec_time::numeric, 1)::float AS max_ms
FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
ORDER BY {order} DESC LIMIT :limit
"""
STATEMENTS_BY_TOTAL_SQL = text(_STATEMENTS.format(order="total_exec_time"))
STATEMENTS_BY_MEAN_SQL = text(_STATEMENTS.format(order="mean_exec_time"))

ACTIVITY_FIGURES = (
    "cache_hit_ratio",
    "connections",
    "active_connections",
    "longest_query_seconds",
    "lock_waits",
    "replicas",
    "replication_lag_seconds",
    "database_bytes",
)
TABLE_FIGURES = ("table_bytes", "jobs_queued", "jobs_running", "jobs_failed")
STATEMENT_FIGURES = (
    "statements_by_total",
    "statements_by_mean",
    "statements_source",
    "slow_statements",
    "slow_statements_source",
)
PARTS = {"activity": ACTIVITY_FIGURES, "tables": TABLE_FIGURES, "statements": STATEMENT_FIGURES}


def _empty_part(part: str) -> dict[str, Any]:
    """What a part shows before it was ever read (the database was unreachable from the start)."""
    figures: dict[str, Any] = {name: None for name in PARTS[part]}
    if part == "tables":
        figures["table_bytes"] = {}
    if part == "statements":
        figures.update(
            statements_by_total=[],
            statements_by_mean=[],
            slow_statements=[],
            statements_source="none",
            slow_statements_source="none",
        )
    return figures


class DatabaseStats:
    def __init__(self):
        self._snapshot: dict[str, Any] | None = None
        self._taken = 0.0
        self._lock = Lock()
        # Per part: its last good figures and when they were read (wall clock, for the page).
        self._good: dict[str, dict[str, Any]] = {}
        self._good_at: dict[str, datetime] = {}

    def snapshot(self, engine: Engine | None = None) -> dict[str, Any]:
        with self._lock:
            if self._snapshot is None or time.monotonic() - self._taken >= get_settings().db_stats_cache_seconds:
                self._snapshot = self._read(engine or get_engine())
                self._taken = time.monotonic()
            return self._snapshot

    def _read(self, engine: Engine) -> dict[str, Any]:
        fresh, errors = read_parts(engine)
        now = datetime.now(UTC)
        for part, figures in fresh.items():
            self._good[part], self._good_at[part] = figures, now
        snapshot: dict[str, Any] = {}
        for part in PARTS:
            snapshot.update(self._good.get(part) or _empty_part(part))
        stale = sorted(errors)
        for part, reason in errors.items():
            logger.warning("database statistics (%s) unavailable, showing the last good values: %s", part, reason)
        oldest = min((self._good_at[part] for part in PARTS if part in self._good_at), default=None)
        snapshot.update(
            stale=bool(stale),
            stale_parts=stale,
            stale_reasons=errors,
            taken_at=oldest.isoformat() if oldest else None,
            age_seconds=(now - oldest).total_seconds() if oldest else None,
        )
        return snapshot


def read_parts(engine: Engine) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """Each part's figures, or why it failed. Never waits longer than the timeouts allow."""
    fresh: dict[str, dict[str, Any]] = {}
    errors: dict[str, str] = {}
    try:
        with engine.connect() as connection, connection.begin():
            connection.execute(text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'"))
            connection.execute(text(f"SET LOCAL statement_timeout = '{STATEMENT_TIMEOUT}'"))
            for part, read in (("activity", _activity), ("tables", _tables), ("statements", _statements)):
                try:
                    with connection.begin_nested():
                        fresh[part] = read(connection)
                except SQLAlchemyError as error:
                    errors[part] = _reason(error)
    except SQLAlchemyError as error:  # no connection at all (database down, pool exhausted)
        errors.update({part: _reason(error) for part in PARTS if part not in fresh})
        fresh.clear()  # nothing of a transaction that failed is trusted
    return fresh, errors


def read_figures(engine: Engine | None = None) -> dict[str, Any]:
    """All figures fresh (raises when a part fails): for tests and one-off reads."""
    fresh, errors = read_parts(engine or get_engine())
    if errors:
        raise RuntimeError(f"database statistics unavailable: {errors}")
    return {key: value for figures in fresh.values() for key, value in figures.items()}


def _reason(error: SQLAlchemyError) -> str:
    original = getattr(error, "orig", None) or error
    return (str(original).splitlines() or [type(original).__name__])[0]


def _activity(connection: Connection) -> dict[str, Any]:
    figures = dict(connection.execute(ACTIVITY_SQL).mappings().one())
    figures["cache_hit_ratio"] = float(figures["cache_hit_ratio"] or 0)
    return figures


def _tables(connection: Connection) -> dict[str, Any]:
    figures = dict(connection.execute(TABLES_SQL).mappings().one())
    figures["table_bytes"] = figures["table_bytes"] or {}
    return figures


def _statements(connection: Connection) -> dict[str, Any]:
    """The top statements from pg_stat_statements, else this process's slow-query log."""
    if _pg_stat_statements_ready(connection):
        by_total = [
            dict(row) for row in connection.execute(STATEMENTS_BY_TOTAL_SQL, {"limit": TOP_STATEMENTS}).mappings()
        ]
        by_mean = [
            dict(row) for row in connection.execute(STATEMENTS_BY_MEAN_SQL, {"limit": TOP_STATEMENTS}).mappings()
        ]
        return {
            "statements_by_total": by_total,
            "statements_by_mean": by_mean,
            "statements_source": "pg_stat_statements",
            "slow_statements": by_mean,
            "slow_statements_source": "pg_stat_statements",
        }
    slowest = slow_queries.slowest(TOP_STATEMENTS)
    return {
        "statements_by_total": [],
        "statements_by_mean": [],
        "statements_source": "none",
        "slow_statements": slowest,
        "slow_statements_source": "slow_query_log",
    }


_create_refused = False  # per process: the account may not create extensions (a managed server)

PRELOADED_SQL = text("""
SELECT 'pg_stat_statements' = ANY (string_to_array(replace(current_setting('shared_preload_libraries'), ' ', ''), ','))
   AND EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_stat_statements') AS preloaded,
       EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements') AS installed
""")


def _pg_stat_statements_ready(connection: Connection) -> bool:
    """Creates the extension where the server preloads it (the embedded cluster does), so no
    migration depends on it: a server without the library simply shows the slow-query log."""
    global _create_refused
    row = connection.execute(PRELOADED_SQL).one()
    if row.installed:
        return bool(row.preloaded)  # installed but not preloaded: its views raise an error
    if not row.preloaded or _create_refused:
        return False
    try:
        with connection.begin_nested():
            connection.execute(text("CREATE EXTENSION IF NOT EXISTS pg_stat_statements"))
    except SQLAlchemyError as error:
        _create_refused = True
        logger.info("pg_stat_statements is preloaded but cannot be created here: %s", _reason(error))
        return False
    return True


def explain_analyze(sql: str) -> str:
    """The plan with timings and buffers of one statement, run in a READ ONLY transaction that is
    rolled back (an operator's EXPLAIN ANALYZE must not change data)."""
    statement = sql.strip().rstrip(";").strip()
    if not statement or ";" in statement:
        raise ValueError("give exactly one statement")
    with get_engine().connect() as connection:
        transaction = connection.begin()
        try:
            dbapi_connection = connection.connection.dbapi_connection
            if dbapi_connection is None:  # only once the connection was invalidated
                raise SQLAlchemyError("the connection was lost")
            cursor = dbapi_connection.cursor()
            cursor.execute("SET TRANSACTION READ ONLY")
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {statement}")
            rows = cursor.fetchall()
        finally:
            transaction.rollback()
    return "\n".join(row[0] for row in rows)


database_stats = DatabaseStats()
