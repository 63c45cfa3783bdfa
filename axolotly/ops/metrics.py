"""Prometheus metrics: request latency per route and status, in-flight requests, pools, database.

The middleware is plain ASGI (no BaseHTTPMiddleware task per request) and labels by route
template (`/api/parent/kids/{kid_id}`), never by raw path, so label sets stay bounded. Pool and
database gauges are collected at scrape time; database figures come from the cached snapshot
of `ops.stats` (one query per DB_STATS_CACHE_SECONDS however often Prometheus scrapes).
"""

import hmac
import time
from collections.abc import Iterator

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from axolotly.config import get_settings
from axolotly.db.engine import get_engine
from axolotly.ops.stats import database_stats

REGISTRY = CollectorRegistry()
REQUEST_SECONDS = Histogram(
    "axolotly_http_request_duration_seconds", "HTTP request latency", ["method", "route", "status"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5), registry=REGISTRY,
)
IN_FLIGHT = Gauge("axolotly_http_requests_in_flight", "Requests being served", registry=REGISTRY)


class MetricsMiddleware:
    def __init__(self, app: ASGIApp):
        self.app = app

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
                time.perf_counter() - started)


class PoolCollector(Collector):
    """The ORM pool (QueuePool) and the launcher's async pool of this worker process."""

    def __init__(self, app):
        self.app = app

    def collect(self) -> Iterator[GaugeMetricFamily]:
        pool = get_engine().pool
        family = GaugeMetricFamily("axolotly_db_pool", "Connection pools of this process", labels=["pool", "figure"])
        family.add_metric(["orm", "size"], pool.size())
        family.add_metric(["orm", "checked_out"], pool.checkedout())
        family.add_metric(["orm", "overflow"], max(pool.overflow(), 0))
        launcher = getattr(getattr(self.app.state, "launcher_reads", None), "pool", None)
        if launcher is not None:
            stats = launcher.get_stats()
            family.add_metric(["launcher", "size"], stats.get("pool_size", 0))
            family.add_metric(["launcher", "checked_out"], stats.get("pool_size", 0) - stats.get("pool_available", 0))
            family.add_metric(["launcher", "waiting"], stats.get("requests_waiting", 0))
        yield family


class DatabaseCollector(Collector):
    def collect(self) -> Iterator[GaugeMetricFamily]:
        figures = database_stats.snapshot()
        for name, help_text in (
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
        ):
            yield GaugeMetricFamily(f"axolotly_db_{name}", help_text, value=float(figures[name] or 0))
        tables = GaugeMetricFamily("axolotly_db_table_bytes", "Table size with indexes and TOAST", labels=["table"])
        for table, size in sorted((figures["table_bytes"] or {}).items()):
            tables.add_metric([table], size)
        yield tables


def install(app) -> None:
    app.add_middleware(MetricsMiddleware)
    registry = CollectorRegistry()
    registry.register(_Merged(REGISTRY))
    registry.register(PoolCollector(app))
    registry.register(DatabaseCollector())

    @app.get("/metrics", tags=["ops"], include_in_schema=False)
    def metrics(request: Request) -> Response:
        token = get_settings().metrics_token
        if token and not hmac.compare_digest(request.headers.get("authorization", ""), f"Bearer {token}"):
            return Response('{"detail":"Metrics token required"}', status_code=401, media_type="application/json",
                            headers={"WWW-Authenticate": "Bearer"})
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


class _Merged(Collector):
    """The process-wide request metrics inside each app's own scrape registry."""

    def __init__(self, registry: CollectorRegistry):
        self.registry = registry

    def collect(self):
        yield from self.registry.collect()
