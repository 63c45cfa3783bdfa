"""Database figures from PostgreSQL's statistics views, read at most every few seconds.

`/metrics` and `/api/admin/db-health` share one cached snapshot per process, so however often
they are scraped the database answers one query per DB_STATS_CACHE_SECONDS.
"""

import time
from threading import Lock
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from axolotly.config import get_settings
from axolotly.db.engine import get_engine
from axolotly.db import slow_queries

HEALTH_SQL = text("""
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
    pg_database_size(current_database()) AS database_bytes,
    (SELECT json_object_agg(relname, pg_total_relation_size(relid))
       FROM pg_stat_user_tables WHERE schemaname = 'public') AS table_bytes,
    (SELECT count(*) FROM procrastinate_jobs WHERE status = 'todo') AS jobs_queued,
    (SELECT count(*) FROM procrastinate_jobs WHERE status = 'doing') AS jobs_running,
    (SELECT count(*) FROM procrastinate_jobs WHERE status = 'failed') AS jobs_failed
""")

PG_STAT_STATEMENTS_SQL = text("""
SELECT query AS statement, calls, round(mean_exec_time::numeric, 1)::float AS mean_ms,
       round(max_exec_time::numeric, 1)::float AS max_ms
FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
ORDER BY mean_exec_time DESC LIMIT 10
""")


class DatabaseStats:
    def __init__(self):
        self._snapshot: dict[str, Any] | None = None
        self._taken = 0.0
        self._lock = Lock()

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            if self._snapshot is None or time.monotonic() - self._taken >= get_settings().db_stats_cache_seconds:
                self._snapshot = read_figures()
                self._taken = time.monotonic()
            return self._snapshot


def read_figures() -> dict[str, Any]:
    with get_engine().connect() as connection:
        figures = dict(connection.execute(HEALTH_SQL).mappings().one())
        figures["cache_hit_ratio"] = float(figures["cache_hit_ratio"] or 0)
        figures["slow_statements"], figures["slow_statements_source"] = _slow_statements(connection)
    return figures


def _slow_statements(connection) -> tuple[list[dict], str]:
    installed = connection.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'")).first()
    if installed:
        try:
            with connection.begin_nested():
                rows = connection.execute(PG_STAT_STATEMENTS_SQL).mappings().all()
            return [dict(row) for row in rows], "pg_stat_statements"
        except DBAPIError:  # installed but not preloaded (shared_preload_libraries)
            pass
    return slow_queries.slowest(), "slow_query_log"


def explain_analyze(sql: str) -> str:
    """The plan with timings and buffers of one statement, run in a READ ONLY transaction that is
    rolled back (an operator's EXPLAIN ANALYZE must not change data)."""
    statement = sql.strip().rstrip(";").strip()
    if not statement or ";" in statement:
        raise ValueError("give exactly one statement")
    with get_engine().connect() as connection:
        transaction = connection.begin()
        try:
            cursor = connection.connection.dbapi_connection.cursor()
            cursor.execute("SET TRANSACTION READ ONLY")
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {statement}")
            rows = cursor.fetchall()
        finally:
            transaction.rollback()
    return "\n".join(row[0] for row in rows)


database_stats = DatabaseStats()
