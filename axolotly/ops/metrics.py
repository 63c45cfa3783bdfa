"""Prometheus metrics: request latency per route and status, in-flight requests, pools, database.

The middleware is plain ASGI (no BaseHTTPMiddleware task per request) and labels by route
template (`/api/parent/kids/{kid_id}`), never by raw path, so label sets stay bounded.

Every uvicorn worker is its own process. With PROMETHEUS_MULTIPROC_DIR set (`axolotly serve`
sets a fresh one per run, see `multiproc.py`) each worker writes its figures to files there and
any worker's scrape merges them all: counters and histograms add up, gauges add up over the live
workers (`livesum`) or take the largest (`livemax`). Without it (tests, a single process) the
metrics live in this process's memory as usual.

Pool gauges are this worker's own, written at most once a second (a scrape in one worker cannot
look into another's pool). Database figures are one cluster's, so the scraping worker reads them
from the cached snapshot of `ops.stats` (stale values are marked by `axolotly_db_stats_stale`).
"""

import hmac
import os
import time
from collections.abc import Iterator
from typing import cast

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import QueuePool
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from axolotly.config import get_settings
from axolotly.db.engine import get_engine
from axolotly.ops import multiproc
from axolotly.ops.stats import database_stats

REGISTRY = CollectorRegistry()
REQUEST_SECONDS = Histogram(
    "axolotly_http_request_duration_seconds",
    "HTTP request latency",
    ["method", "route", "status"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
    registry=REGISTRY,
)
IN_FLIGHT = Gauge(
    "axolotly_http_requests_in_flight",
    "Requests being served (all workers)",
    registry=REGISTRY,
    multiprocess_mode="livesum",
)
LAST_REQUEST = Gauge(
    "axolotly_http_last_request_timestamp_seconds",
    "When any worker last finished a request",
    registry=REGISTRY,
    multiprocess_mode="livemax",
)
WORKERS = Gauge("axolotly_workers", "Live server worker processes", registry=REGISTRY, multiprocess_mode="livesum")
POOL = Gauge(
    "axolotly_db_pool",
    "Connection pools, summed over the live workers",
    ["pool", "figure"],
    registry=REGISTRY,
    multiprocess_mode="livesum",
)
POOL_REFRESH_SECONDS = 1.0
# Load shedding (ops/shedding.py): answers refused at once past MAX_REQUESTS_IN_FLIGHT, long polls
# held, and polls answered at once because MAX_HELD_POLLS were held already.
SHED = Counter(
    "axolotly_http_requests_shed",
    "Requests answered 503 at once: the worker had MAX_REQUESTS_IN_FLIGHT requests in flight",
    registry=REGISTRY,
)
HELD_POLLS = Gauge(
    "axolotly_held_polls",
    "Launcher long polls being held (all workers); they do not count as requests in flight",
    registry=REGISTRY,
    multiprocess_mode="livesum",
)
HOLDS_REFUSED = Counter(
    "axolotly_held_polls_refused",
    "Long polls answered at once (their wait ignored): the worker held MAX_HELD_POLLS already",
    registry=REGISTRY,
)


class MetricsMiddleware:
    def __init__(self, app: ASGIApp, pools: "PoolGauges"):
        self.app = app
        self.pools = pools

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = "500"

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = str(message["status"])
            await send(message)

        IN_FLIGHT.inc()
        try:
            await self.app(scope, receive, send_with_status)
        finally:
            IN_FLIGHT.dec()
            route = scope.get("route")
            REQUEST_SECONDS.labels(scope["method"], getattr(route, "path", "unmatched"), status).observe(
                time.perf_counter() - started
            )
            LAST_REQUEST.set(time.time())
            self.pools.refresh()


class PoolGauges:
    """Writes this worker's pool figures (the ORM QueuePool and the launcher's async pool)."""

    def __init__(self, app):
        self.app = app
        self._written = -POOL_REFRESH_SECONDS

    def refresh(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._written < POOL_REFRESH_SECONDS:
            return  # a request's hot path pays for this at most once a second per worker
        self._written = now
        pool = cast(QueuePool, get_engine().pool)  # the engine keeps SQLAlchemy's default pool
        POOL.labels("orm", "size").set(pool.size())
        POOL.labels("orm", "checked_out").set(pool.checkedout())
        POOL.labels("orm", "overflow").set(max(pool.overflow(), 0))
        launcher = getattr(getattr(self.app.state, "launcher_reads", None), "pool", None)
        if launcher is not None:
            stats = launcher.get_stats()
            POOL.labels("launcher", "size").set(stats.get("pool_size", 0))
            POOL.labels("launcher", "checked_out").set(stats.get("pool_size", 0) - stats.get("pool_available", 0))
            POOL.labels("launcher", "waiting").set(stats.get("requests_waiting", 0))


DATABASE_GAUGES = (
    ("cache_hit_ratio", "Share of block reads served from shared buffers"),
    ("connections", "Connections to this database"),
    ("active_connections", "Connections running a statement"),
    ("longest_query_seconds", "Age of the longest running statement"),
    ("lock_waits", "Backends waiting for a lock"),
    ("replicas", "Streaming replicas connected"),
    ("replication_lag_seconds", "Largest replay lag of a replica"),
    ("database_bytes", "Size of the database"),
    ("jobs_queued", "Jobs waiting for a worker"),
    ("jobs_running", "Jobs being run"),
    ("jobs_failed", "Jobs that failed for good"),
)
STATEMENT_LABEL_CHARS = 200


class DatabaseCollector(Collector):
    def collect(self) -> Iterator[GaugeMetricFamily]:
        figures = database_stats.snapshot()
        yield GaugeMetricFamily(
            "axolotly_db_stats_stale",
            "1: some database figures are the last good ones (a statistics query timed out or failed)",
            value=float(figures["stale"]),
        )
        if figures["age_seconds"] is not None:
            yield GaugeMetricFamily(
                "axolotly_db_stats_age_seconds", "Age of the oldest database figure shown", value=figures["age_seconds"]
            )
        for name, help_text in DATABASE_GAUGES:
            if figures[name] is not None:  # never read yet (database unreachable since start): absent, not 0
                yield GaugeMetricFamily(f"axolotly_db_{name}", help_text, value=float(figures[name]))
        tables = GaugeMetricFamily("axolotly_db_table_bytes", "Table size with indexes and TOAST", labels=["table"])
        for table, size in sorted(figures["table_bytes"].items()):
            tables.add_metric([table], size)
        yield tables
        yield from _top_statements(figures)


def _top_statements(figures: dict) -> Iterator[GaugeMetricFamily]:
    """pg_stat_statements' top statements by total and by mean time (PostgreSQL's own timing)."""
    labels = ["order", "queryid", "statement"]
    total = GaugeMetricFamily(
        "axolotly_db_statement_total_seconds", "Top statements: total execution time", labels=labels
    )
    mean = GaugeMetricFamily("axolotly_db_statement_mean_seconds", "Top statements: mean execution time", labels=labels)
    calls = GaugeMetricFamily("axolotly_db_statement_calls", "Top statements: calls", labels=labels)
    for order in ("total", "mean"):
        for row in figures[f"statements_by_{order}"]:
            key = [order, str(row["queryid"]), " ".join((row["statement"] or "").split())[:STATEMENT_LABEL_CHARS]]
            total.add_metric(key, row["total_ms"] / 1000)
            mean.add_metric(key, row["mean_ms"] / 1000)
            calls.add_metric(key, row["calls"])
    yield from (total, mean, calls)


def scrape_registry() -> CollectorRegistry:
    """What /metrics shows: every worker's request metrics, plus this database's figures."""
    registry = CollectorRegistry()
    if multiproc.enabled():
        multiproc.register_collector(registry)
    else:
        registry.register(_Merged(REGISTRY))
    registry.register(DatabaseCollector())
    return registry


def install(app) -> None:
    pools = PoolGauges(app)
    app.add_middleware(MetricsMiddleware, pools=pools)
    registry = scrape_registry()

    @app.get("/metrics", tags=["ops"], include_in_schema=False)
    def metrics(request: Request) -> Response:
        token = get_settings().metrics_token
        # Bytes, not str: compare_digest refuses non-ASCII strings (a TypeError, i.e. a 500). Starlette
        # decodes header bytes as latin-1, so latin-1 gives back exactly the bytes that were sent.
        sent = request.headers.get("authorization", "").encode("latin-1")
        if token and not hmac.compare_digest(sent, f"Bearer {token}".encode()):
            return Response(
                '{"detail":"Metrics token required"}',
                status_code=401,
                media_type="application/json",
                headers={"WWW-Authenticate": "Bearer"},
            )
        pools.refresh(force=True)
        multiproc.forget_dead_workers()
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


def worker_started() -> None:
    WORKERS.set(1)


def worker_stopping() -> None:
    """A worker that ends cleanly takes its live gauges along (a killed one: `forget_dead_workers`)."""
    WORKERS.set(0)
    multiproc.mark_dead(os.getpid())


class _Merged(Collector):
    """The process-wide request metrics inside each app's own scrape registry."""

    def __init__(self, registry: CollectorRegistry):
        self.registry = registry

    def collect(self):
        yield from self.registry.collect()
