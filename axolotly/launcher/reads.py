"""The launcher's hot path on an async psycopg pool: no ORM session, no thread hop, autocommit.

`/api/apps` and `/api/device/validate` are called by every launcher on every screen. They run
as `async def` on the event loop and talk to PostgreSQL through `LauncherReads`: one statement
to authenticate the device, one to touch `last_active` at most once a minute, one to build the
launcher JSON when the per-process cache misses. Autocommit: single statements need no
BEGIN/COMMIT round trips.

Tests swap in `SessionLauncherReads`, which runs the same SQL through the test's rolled-back
session; a test with committed data drives `PooledLauncherReads` itself.
"""

from typing import Any, Protocol

from fastapi import Request
from psycopg import AsyncConnection
from psycopg.rows import namedtuple_row
from psycopg_pool import AsyncConnectionPool
from sqlalchemy.orm import Session

from axolotly.config import get_settings
from axolotly.db.engine import database_url

DEVICE_SQL = """
    SELECT d.id, d.family_id, d.api_key_digest, d.kid_profile_id,
           k.name AS kid_name, k.age AS kid_age, k.launcher_version,
           d.last_active IS NULL OR d.last_active < now() - interval '60 seconds' AS needs_touch
    FROM devices d LEFT JOIN kid_profiles k ON k.id = d.kid_profile_id
    WHERE d.device_id = %(device_id)s
"""

TOUCH_SQL = "UPDATE devices SET last_active = now() WHERE id = %(id)s"


class LauncherReads(Protocol):
    async def fetch_one(self, sql: str, params: dict[str, Any]) -> Any: ...

    async def execute(self, sql: str, params: dict[str, Any]) -> None: ...


class PooledLauncherReads:
    """Production: a small async pool per worker process, in autocommit."""

    def __init__(self, url: str, max_size: int, connection_class: type[AsyncConnection] = AsyncConnection):
        self.pool = AsyncConnectionPool(
            url.replace("postgresql+psycopg://", "postgresql://"), min_size=1, max_size=max_size,
            kwargs={"autocommit": True, "row_factory": namedtuple_row}, connection_class=connection_class,
            open=False, name="launcher",
        )

    async def open(self) -> None:
        await self.pool.open(wait=False)

    async def close(self) -> None:
        await self.pool.close()

    async def fetch_one(self, sql: str, params: dict[str, Any]) -> Any:
        async with self.pool.connection() as connection:
            cursor = await connection.execute(sql, params)
            return await cursor.fetchone()

    async def execute(self, sql: str, params: dict[str, Any]) -> None:
        async with self.pool.connection() as connection:
            await connection.execute(sql, params)


class SessionLauncherReads:
    """The same statements through an ORM session's connection (tests' rolled-back transaction)."""

    def __init__(self, session: Session):
        self.session = session

    async def fetch_one(self, sql: str, params: dict[str, Any]) -> Any:
        return self.session.connection().exec_driver_sql(sql, params).first()

    async def execute(self, sql: str, params: dict[str, Any]) -> None:
        self.session.connection().exec_driver_sql(sql, params)
        self.session.commit()


def pooled_launcher_reads() -> PooledLauncherReads:
    return PooledLauncherReads(database_url(), max_size=get_settings().db_pool_size)


def get_launcher_reads(request: Request) -> LauncherReads:
    """FastAPI dependency: the app's pool, opened by the lifespan (see main.py)."""
    return request.app.state.launcher_reads


class CountingReads:
    """Wraps any LauncherReads and records each statement (for tests and `make bench`)."""

    def __init__(self, inner: LauncherReads):
        self.inner = inner
        self.statements: list[str] = []

    async def fetch_one(self, sql: str, params: dict[str, Any]) -> Any:
        self.statements.append(sql)
        return await self.inner.fetch_one(sql, params)

    async def execute(self, sql: str, params: dict[str, Any]) -> None:
        self.statements.append(sql)
        await self.inner.execute(sql, params)
