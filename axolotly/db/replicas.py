"""Read replicas: read-only work may run on a healthy replica; everything else on the primary.

What goes to a replica (DATABASE_REPLICA_URLS): the launcher's JSON (`/api/apps`, checked
against the primary's launcher_version so a lagging copy is never cached or served as current)
and the shared catalog's reads (`ReadSession`: search, title lists, title detail). Device and
parent authentication, every write and every read of a writing request use the primary.

A replica is used only while it answers, is in recovery, streams from the primary and its replay
lag is within REPLICA_MAX_LAG_SECONDS; health is checked at most every CHECK_EVERY seconds and a
replica that fails is left alone for DOWN_FOR seconds. Any doubt means the primary.
"""

import itertools
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Annotated, Any

import psycopg
from fastapi import Depends
from psycopg.rows import namedtuple_row
from psycopg_pool import AsyncConnectionPool, PoolTimeout
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from axolotly.config import get_settings
from axolotly.db.engine import libpq_conninfo, normalise_url, session_factory

CHECK_EVERY, DOWN_FOR, CONNECT_TIMEOUT = 2.0, 10.0, 2

HEALTH_SQL = """
    SELECT pg_is_in_recovery() AS in_recovery,
           COALESCE((SELECT status = 'streaming' FROM pg_stat_wal_receiver), false) AS streaming,
           CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
                -- behind, and nothing replayed since it started: behind since at least its start
                ELSE EXTRACT(EPOCH FROM now() - COALESCE(pg_last_xact_replay_timestamp(), pg_postmaster_start_time()))
           END::float AS lag
"""


@dataclass
class Replica:
    url: str
    checked_at: float = -1e9
    healthy: bool = False
    lag: float | None = None
    error: str | None = None
    _engine: Engine | None = field(default=None, repr=False)
    _pool: AsyncConnectionPool | None = field(default=None, repr=False)

    def needs_check(self, now: float) -> bool:
        return now - self.checked_at >= (CHECK_EVERY if self.healthy or self.error is None else DOWN_FOR)

    def record(self, now: float, row: Any = None, error: Exception | None = None) -> None:
        self.checked_at = now
        if error is not None:
            self.healthy, self.lag, self.error = False, None, str(error).splitlines()[0] if str(error) else "error"
            return
        self.lag, self.error = row.lag, None
        self.healthy = bool(row.in_recovery and row.streaming and row.lag <= get_settings().replica_max_lag_seconds)

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = create_engine(
                normalise_url(self.url),
                pool_size=5,
                max_overflow=5,
                pool_pre_ping=True,
                connect_args={"connect_timeout": CONNECT_TIMEOUT},
            )
        return self._engine

    async def pool(self) -> AsyncConnectionPool:
        if self._pool is None:
            self._pool = AsyncConnectionPool(
                libpq_conninfo(self.url),
                min_size=1,
                max_size=5,
                kwargs={"autocommit": True, "row_factory": namedtuple_row, "connect_timeout": CONNECT_TIMEOUT},
                open=False,
                name=f"replica-{self.url.rsplit('@', 1)[-1]}",
                timeout=CONNECT_TIMEOUT,
            )
            await self._pool.open(wait=False)
        return self._pool


class ReplicaSet:
    def __init__(self, urls: list[str]):
        self.replicas = [Replica(url) for url in urls]
        self._turn = itertools.count()

    def _in_turn(self) -> list[Replica]:
        if not self.replicas:
            return []
        start = next(self._turn) % len(self.replicas)
        return self.replicas[start:] + self.replicas[:start]

    def pick_engine(self) -> Engine | None:
        """A healthy replica's engine for an ORM read session, or None (use the primary)."""
        for replica in self._in_turn():
            now = time.monotonic()
            if replica.needs_check(now):
                try:
                    with replica.engine.connect() as connection:
                        replica.record(now, connection.execute(text(HEALTH_SQL)).one())
                except DBAPIError as error:
                    replica.record(now, error=error)
            if replica.healthy:
                return replica.engine
        return None

    async def pick_pool(self) -> AsyncConnectionPool | None:
        """A healthy replica's async pool for the launcher, or None (use the primary)."""
        for replica in self._in_turn():
            now = time.monotonic()
            pool = await replica.pool()
            if replica.needs_check(now):
                try:
                    async with pool.connection(timeout=CONNECT_TIMEOUT) as connection:
                        replica.record(now, await (await connection.execute(HEALTH_SQL)).fetchone())
                except (psycopg.Error, PoolTimeout, TimeoutError) as error:
                    replica.record(now, error=error)
            if replica.healthy:
                return pool
        return None

    def mark_failed(self, used: AsyncConnectionPool | Engine, error: Exception) -> None:
        for replica in self.replicas:
            if used is replica._pool or used is replica._engine:
                replica.record(time.monotonic(), error=error)

    async def close(self) -> None:
        for replica in self.replicas:
            if replica._pool is not None:
                await replica._pool.close()
                replica._pool = None


@lru_cache
def replica_set() -> ReplicaSet:
    return ReplicaSet(get_settings().replica_urls)


@lru_cache
def _replica_sessions(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def get_read_session() -> Iterator[Session]:
    """FastAPI dependency for read-only requests: a replica when one is healthy, else the primary."""
    replicas = replica_set()
    session = None
    engine = replicas.pick_engine()
    if engine is not None:
        session = _replica_sessions(engine)()
        transaction = session.begin()
        try:
            session.connection()  # connect now: a replica that just died means the primary, not a 500
        except DBAPIError as error:
            session.close()
            session = None
            replicas.mark_failed(engine, error)
    if session is None:
        session = session_factory()()
        transaction = session.begin()
    with session, transaction:
        yield session


ReadSession = Annotated[Session, Depends(get_read_session, scope="function")]  # ends before the response


def replica_status() -> list[dict]:
    return [
        {
            "url": replica.url.rsplit("@", 1)[-1],
            "healthy": replica.healthy,
            "lag_seconds": replica.lag,
            "error": replica.error,
        }
        for replica in replica_set().replicas
    ]
