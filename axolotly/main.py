"""The ASGI application: routers, error mapping, /healthz."""

import asyncio
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

import psycopg
from fastapi import Depends, FastAPI
from fastapi.responses import JSONResponse
from psycopg_pool import PoolTimeout

from axolotly import http_errors
from axolotly.accounts.router import router as accounts_router
from axolotly.admin.router import router as admin_router
from axolotly.admin.router import unpublish_admin_api_in_production
from axolotly.catalog import tmdb
from axolotly.catalog.router import router as catalog_router
from axolotly.config import get_settings
from axolotly.devices.router import router as devices_router
from axolotly.exports.router import router as exports_router
from axolotly.families.packs_router import router as packs_router
from axolotly.families.requests_router import ask_list_router
from axolotly.families.requests_router import router as requests_router
from axolotly.families.router import router as families_router
from axolotly.launcher.hot_path import LauncherHotPath
from axolotly.launcher.live import Changes
from axolotly.launcher.reads import LauncherReads, get_launcher_reads, pooled_launcher_reads
from axolotly.launcher.router import router as launcher_router
from axolotly.notifications.router import router as notifications_router
from axolotly.ops import metrics
from axolotly.ops.shedding import LoadShedding
from axolotly.ota.router import router as ota_router
from axolotly.policies.preview_router import router as preview_router
from axolotly.policies.router import router as policies_router
from axolotly.ratings.router import router as ratings_router
from axolotly.reports.router import router as reports_router
from axolotly.screen_time.router import router as screen_time_router
from axolotly.screen_time.router import time_requests_router
from axolotly.security import rate_limits
from axolotly.web import language, pages, security_headers, templating


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """One async pool per worker process for the launcher's hot path (launcher/reads.py) and one
    listening connection that wakes held launcher polls (launcher/live.py); the process's TMDB
    clients and throttle counters' pool are made on first use and closed here."""
    reads = pooled_launcher_reads()
    await reads.open()
    app.state.launcher_reads = reads
    changes = Changes()
    await changes.start()
    app.state.changes = changes
    metrics.worker_started()
    # Start-up objects (modules, routes, models) live forever: keep them out of every GC pass,
    # so full collections under load stay short (latency tail).
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        metrics.worker_stopping()
        await changes.stop()
        await reads.close()
        await tmdb.process_clients.aclose()
        rate_limits.dispose_counter_pool()


def create_app() -> FastAPI:
    get_settings()  # fail fast on bad configuration (e.g. a placeholder secret in production)
    app = FastAPI(
        lifespan=lifespan,
        title="Axolotly",
        version="0.1.0",
        description="Parental controls for kids' streaming: parent API, launcher API, admin API.",
        # A path with a stray trailing slash (an id ending in "/") is a 404, not a 307 that sends a
        # DELETE or PUT on to another address.
        redirect_slashes=False,
    )

    metrics.install(app)
    language.install(app)
    pages.install(app)
    for router in (
        accounts_router,
        families_router,
        catalog_router,
        policies_router,
        devices_router,
        reports_router,
        admin_router,
        launcher_router,
        ota_router,
        packs_router,
        requests_router,
        ask_list_router,
        screen_time_router,
        time_requests_router,
        ratings_router,
        notifications_router,
        preview_router,
        exports_router,
    ):
        app.include_router(router)
    unpublish_admin_api_in_production(app)

    http_errors.install(app, page_error=templating.page_error)
    app.add_middleware(LauncherHotPath, fastapi_app=app)
    app.add_middleware(LoadShedding)  # outside the hot path: a refusal costs the least it can
    security_headers.install(app)

    @app.get("/healthz", tags=["ops"])
    async def healthz(reads: Annotated[LauncherReads, Depends(get_launcher_reads)]) -> JSONResponse:
        """Liveness and database connectivity (503 when the database does not answer in 2 s)."""
        try:
            async with asyncio.timeout(2):
                await reads.fetch_one("SELECT 1", {})
        except (psycopg.Error, PoolTimeout, TimeoutError):
            return JSONResponse(
                {"status": "degraded", "database": "unreachable"},
                status_code=503,
                headers=http_errors.DATABASE_UNAVAILABLE.headers,
            )
        return JSONResponse({"status": "ok", "database": "ok"})

    return app
