"""Slow statements: one structured JSON log line each, and the latest kept for db-health.

Every statement slower than SLOW_QUERY_MS is logged with its duration and its text with
literals replaced by `?` (bound parameters are never logged). Both doors to the database report
here: the ORM engine (`watch`) and the launcher's async pool (`record`).
"""

import json
import logging
import re
import time
from collections import deque
from threading import Lock

from sqlalchemy import Engine, event

from axolotly.config import get_settings

logger = logging.getLogger("axolotly.slow_query")
_LITERALS = re.compile(r"'(?:[^']|'')*'|\b\d+(?:\.\d+)?\b")
_recent: deque[dict] = deque(maxlen=200)
_lock = Lock()


def redact(statement: str) -> str:
    return " ".join(_LITERALS.sub("?", statement).split())


def record(statement: str, seconds: float) -> None:
    milliseconds = seconds * 1000
    if milliseconds < get_settings().slow_query_ms:
        return
    entry = {"event": "slow_query", "duration_ms": round(milliseconds, 1), "statement": redact(statement)}
    with _lock:
        _recent.append(entry)
    logger.warning(json.dumps(entry))


def slowest(limit: int = 10) -> list[dict]:
    """This process's slowest recent statements (when pg_stat_statements is not installed)."""
    with _lock:
        entries = list(_recent)
    return sorted(entries, key=lambda entry: entry["duration_ms"], reverse=True)[:limit]


def watch(engine: Engine) -> None:
    @event.listens_for(engine, "before_cursor_execute")
    def _started(conn, cursor, statement, parameters, context, executemany):
        conn.info.setdefault("statement_started", []).append(time.perf_counter())

    @event.listens_for(engine, "after_cursor_execute")
    def _finished(conn, cursor, statement, parameters, context, executemany):
        started = conn.info["statement_started"].pop()
        record(statement, time.perf_counter() - started)

    @event.listens_for(engine, "handle_error")
    def _failed(context):
        stack = context.connection.info.get("statement_started") if context.connection is not None else None
        if stack:
            stack.pop()
