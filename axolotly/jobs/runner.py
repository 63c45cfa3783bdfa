"""`axolotly worker`: the procrastinate worker, restarted on fresh connections after a database outage.

procrastinate stops its worker when a query fails (fetching a job, the heartbeat, the listener)
and leaves reconnecting to whoever runs it. Here each run opens the app anew (a new pool, new
connections) and a run that ended without being asked to stop is retried every second until
PostgreSQL answers again; SIGINT/SIGTERM stop it gracefully (running jobs finish first).
"""

import asyncio
import logging
import signal

import procrastinate
import psycopg

from axolotly.catalog.tmdb import process_clients
from axolotly.config import get_settings
from axolotly.db.engine import connection_options, database_url, libpq_conninfo
from axolotly.jobs.tasks import recover_stalled_jobs

logger = logging.getLogger(__name__)

RETRY_EVERY_SECONDS = 1.0


async def run_worker(app: procrastinate.App, *, concurrency: int, **worker_options) -> None:
    """One worker run on freshly opened connections, until it stops or the database fails it."""
    stalled_after = get_settings().job_stalled_after_seconds
    await _database_answers()
    async with app.open_async():
        # Jobs left `doing` by a worker that died are picked up at once, not at the next minute.
        await recover_stalled_jobs(app)
        await app.run_worker_async(
            concurrency=concurrency,
            install_signal_handlers=False,
            update_heartbeat_interval=min(10.0, stalled_after / 3),
            stalled_worker_timeout=stalled_after,
            **worker_options,
        )


async def _database_answers() -> None:
    """Waits (trying every second) until a connection succeeds: the pool's own opening would
    back off exponentially and start the worker many seconds after PostgreSQL is back."""
    while True:
        try:
            # A statement, not only a connection: a pooler (PgBouncer) accepts clients while
            # PostgreSQL behind it is still down.
            async with await psycopg.AsyncConnection.connect(
                libpq_conninfo(database_url()), **connection_options()
            ) as connection:
                await connection.execute("SELECT 1")
            return
        except psycopg.OperationalError:
            await asyncio.sleep(RETRY_EVERY_SECONDS)


async def supervise_worker(
    app: procrastinate.App, *, concurrency: int = 1, stop: asyncio.Event | None = None, **worker_options
) -> None:
    """Runs the worker until `stop` is set (by default: on SIGINT or SIGTERM)."""
    if stop is None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
    stopping = asyncio.create_task(stop.wait())
    try:
        while not stop.is_set():
            run = asyncio.create_task(run_worker(app, concurrency=concurrency, **worker_options))
            await asyncio.wait({run, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if stop.is_set():
                run.cancel()  # procrastinate stops gracefully: running jobs end first
                await asyncio.gather(run, return_exceptions=True)
                return
            error = run.exception()
            logger.warning(
                "job worker stopped (%s); starting again on new connections in %s s",
                repr(error) if error else "a side task failed",
                RETRY_EVERY_SECONDS,
            )
            await asyncio.wait({stopping}, timeout=RETRY_EVERY_SECONDS)
    finally:
        stopping.cancel()
        process_clients.close()  # the TMDB client jobs used (made on first use, catalog/tmdb.py)
