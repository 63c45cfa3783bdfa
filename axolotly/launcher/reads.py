"""The launcher's hot path on an async psycopg pool: no ORM session, no thread hop, autocommit.

`/api/apps` and `/api/device/validate` are called by every launcher on every screen. They run
as `async def` on the event loop and talk to PostgreSQL through `LauncherReads`: one statement
to authenticate the device (which also touches `last_active` at most once a minute and records
the version the device holds when it changes), one to build the launcher JSON when the
per-process cache misses. Autocommit: single statements need no
BEGIN/COMMIT round trips.

A statement that meets a lost connection (PostgreSQL restarted, backend terminated) is run
once more on a fresh connection: these statements are reads, or idempotent writes (the touch,
the held version), so a second run is safe. While PostgreSQL is down the error reaches http_errors.py: 503.

Tests swap in one that runs the same SQL through the test's rolled-back session
(tests/launcher_reads.py); a test with committed data drives `PooledLauncherReads` itself.
"""

import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import psycopg
from fastapi import Request
from psycopg.rows import namedtuple_row
from psycopg_pool import PoolTimeout

from axolotly.config import get_settings
from axolotly.db import slow_queries
from axolotly.db.async_pool import AsyncPool, connection_lost
from axolotly.db.engine import connection_options, database_url, libpq_conninfo
from axolotly.db.replicas import ReplicaSet

# The one statement of every launcher call: the device and its kid's launcher version, and, only
# when the key presented is the device's own (its digest compared in SQL, so nobody else can
# write), `last_active` at most once a minute (not a write per request) and, for a call that hands
# the device its kid's launcher (`fetching`: /api/apps, the web launcher), the version it now
# holds and since when: proof of delivery, written only when that version changes (no write per
# 304). SKIP LOCKED: a burst of one device's calls does not queue on the row's lock; one of
# them writes what all would.
# The kid's allows for a while (policies/until.py), as of `at` (the caller's clock): the last end
# that has come (`allows_ended`, epoch seconds as text, exact: the ETag names it, so the ETag moves
# the instant an allow ends, with no write) and the next one (`next_allow_end`: a held poll wakes
# then). Both read the partial index (kid_profile_id, allowed_until); NULL for a kid without any.
DEVICE_SQL = """
WITH d AS (
    SELECT d.id, d.family_id, d.api_key_digest, d.legacy_key_sha256, d.kid_profile_id,
           k.name AS kid_name, k.age AS kid_age, k.launcher_version,
           (SELECT trim_scale(extract(epoch FROM max(p.allowed_until)))::text FROM kid_profiles_titles p
            WHERE p.kid_profile_id = d.kid_profile_id AND p.allowed_until <= %(at)s) AS allows_ended,
           (SELECT min(p.allowed_until) FROM kid_profiles_titles p
            WHERE p.kid_profile_id = d.kid_profile_id AND p.allowed_until > %(at)s) AS next_allow_end,
           d.last_active IS NULL OR d.last_active < now() - interval '60 seconds' AS needs_touch,
           %(fetching)s AND k.launcher_version IS DISTINCT FROM d.held_version AS newly_held
    FROM devices d LEFT JOIN kid_profiles k ON k.id = d.kid_profile_id
    WHERE d.device_id = %(device_id)s
), written AS (
    UPDATE devices SET last_active = now(),
           held_version = CASE WHEN d.newly_held THEN d.launcher_version ELSE devices.held_version END,
           held_since = CASE WHEN d.newly_held THEN now() ELSE devices.held_since END
    FROM d
    WHERE devices.id = (SELECT id FROM devices WHERE id = d.id FOR UPDATE SKIP LOCKED)
      AND d.api_key_digest = %(digest)s AND (d.needs_touch OR d.newly_held)
    RETURNING devices.id
)
SELECT d.* FROM d
"""

# A device imported from the older backend presents its old key (axolotly/importer/): its first
# successful call stores Axolotly's HMAC digest in place of the legacy SHA-256, so no legacy
# digest outlives one call (and this statement runs once per such device, touching it too).
# The WHERE on the legacy digest makes a second run (a retry on a fresh connection) change nothing.
REPLACE_LEGACY_KEY_SQL = """
UPDATE devices SET api_key_digest = %(digest)s, legacy_key_sha256 = NULL, last_active = now()
WHERE id = %(id)s AND legacy_key_sha256 = %(legacy)s
RETURNING id
"""


class LauncherReads(Protocol):
    async def fetch_one(self, sql: str, params: dict[str, Any]) -> Any: ...

    async def fetch_one_replica(self, sql: str, params: dict[str, Any]) -> Any:
        """Like fetch_one, on a healthy read replica when there is one (db/replicas.py)."""


class PooledLauncherReads:
    """Production: a small async pool per worker process, in autocommit."""

    def __init__(self, url: str, max_size: int, replicas: ReplicaSet | None = None):
        self.replicas = replicas or ReplicaSet([])
        self.served_by_replica = 0  # launcher statements a replica answered (tests, operators)
        self.pool = AsyncPool(
            libpq_conninfo(url),
            max_size=max_size,
            name="launcher",
            kwargs={"autocommit": True, "row_factory": namedtuple_row, **connection_options()},
        )

    async def open(self) -> None:
        await self.pool.open()

    async def close(self) -> None:
        await self.pool.close()
        await self.replicas.close()

    async def fetch_one(self, sql: str, params: dict[str, Any]) -> Any:
        return await self._on_primary(sql, lambda connecting: _read(connecting, sql, params))

    async def fetch_one_replica(self, sql: str, params: dict[str, Any]) -> Any:
        replica = await self.replicas.pick_pool()
        if replica is not None:
            try:
                started = time.perf_counter()
                row = await _read(replica.connection(), sql, params)
                slow_queries.record(sql, time.perf_counter() - started)
                self.served_by_replica += 1
                return row
            except (psycopg.OperationalError, PoolTimeout) as error:  # went down since its check
                self.replicas.mark_failed(replica, error)
        return await self.fetch_one(sql, params)

    async def _on_primary(self, sql: str, run: Callable[[Any], Awaitable[Any]]) -> Any:
        """`run(connecting)` on our pool; once more on a fresh connection after a lost one."""
        started = time.perf_counter()
        try:
            result = await run(self.pool.connection())
        except psycopg.OperationalError as error:
            if not connection_lost(error):
                raise
            result = await run(self.pool.connection(fresh=True))
        slow_queries.record(sql, time.perf_counter() - started)
        return result


async def _read(connecting: Any, sql: str, params: dict[str, Any]) -> Any:
    async with connecting as connection:
        cursor = await connection.execute(sql, params)
        return await cursor.fetchone()


def pooled_launcher_reads() -> PooledLauncherReads:
    settings = get_settings()
    return PooledLauncherReads(
        database_url(), max_size=settings.db_pool_size, replicas=ReplicaSet(settings.replica_urls)
    )


def get_launcher_reads(request: Request) -> LauncherReads:
    """FastAPI dependency: the app's pool, opened by the lifespan (see main.py)."""
    reads: LauncherReads = request.app.state.launcher_reads
    return reads


class CountingReads:
    """Wraps any LauncherReads and records each statement (for tests and `make bench`)."""

    def __init__(self, inner: LauncherReads):
        self.inner = inner
        self.statements: list[str] = []

    async def fetch_one(self, sql: str, params: dict[str, Any]) -> Any:
        self.statements.append(sql)
        return await self.inner.fetch_one(sql, params)

    async def fetch_one_replica(self, sql: str, params: dict[str, Any]) -> Any:
        self.statements.append(sql)
        return await self.inner.fetch_one_replica(sql, params)
