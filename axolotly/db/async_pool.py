"""A small async connection pool that fails fast while PostgreSQL is down and recovers at once.

psycopg_pool refills itself with exponential back-off (1 s, 2 s, 4 s, ...), so after an outage of
a few seconds it would keep requests waiting well after PostgreSQL accepts connections again,
and while PostgreSQL is down every request would wait the pool's timeout. Here a request that
finds no idle connection simply connects: refused at once while the server is down (the
caller answers 503), served the moment it is back. A connection that failed is dropped with
every idle one opened before it (they share its fate: a restart or a mass termination), as
SQLAlchemy's pool does.
"""

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import psycopg
from psycopg.pq import TransactionStatus
from psycopg_pool import PoolTimeout

# SQLSTATEs that mean "this connection is gone", beyond libpq's own connection failures (08...).
CONNECTION_ENDED = ("57P01", "57P02", "57P03")  # admin shutdown, crash shutdown, cannot connect now


def connection_lost(error: BaseException, connection: psycopg.AsyncConnection | None = None) -> bool:
    """True when `error` says the connection (not the statement) failed: worth one retry elsewhere."""
    if not isinstance(error, psycopg.OperationalError):
        return False
    state = getattr(error, "sqlstate", None) or ""
    if state.startswith("08") or state in CONNECTION_ENDED:
        return True
    # libpq errors without a SQLSTATE (server closed the connection unexpectedly, EOF, reset).
    return not state or bool(connection is not None and (connection.closed or connection.broken))


class AsyncPool:
    def __init__(
        self,
        conninfo: str,
        *,
        max_size: int,
        kwargs: dict[str, Any] | None = None,
        timeout: float = 30.0,
        name: str = "pool",
    ):
        self.conninfo = conninfo
        self.kwargs = kwargs or {}
        self.max_size = max_size
        self.timeout = timeout
        self.name = name
        self._idle: deque[tuple[int, psycopg.AsyncConnection]] = deque()
        self._slots: asyncio.Semaphore | None = None
        self._generation = 0  # bumped when a connection failed: older ones are not reused
        self._in_use = 0
        self._waiting = 0
        self._closed = False

    async def open(self) -> None:
        """Nothing to connect yet: the first request does (so a server started while PostgreSQL is
        down starts anyway, and answers 503 until it is up)."""
        self._slots = asyncio.Semaphore(self.max_size)  # on the running loop
        self._closed = False

    async def close(self) -> None:
        self._closed = True
        await self._discard_idle()

    @asynccontextmanager
    async def connection(
        self, timeout: float | None = None, fresh: bool = False
    ) -> AsyncIterator[psycopg.AsyncConnection]:
        """A connection for one use; `fresh` opens a new one (the retry after a lost connection)."""
        if self._slots is None or self._closed:
            raise PoolTimeout(f"pool {self.name!r} is not open")
        self._waiting += 1
        try:
            async with asyncio.timeout(self.timeout if timeout is None else timeout):
                await self._slots.acquire()
        except TimeoutError:
            raise PoolTimeout(f"no connection of pool {self.name!r} free in time") from None
        finally:
            self._waiting -= 1
        self._in_use += 1
        try:
            generation, connection = await self._take(fresh)
            try:
                yield connection
            except BaseException as error:
                if connection_lost(error, connection):
                    self._generation += 1
                    await self._discard_idle()
                    await connection.close()
                else:  # a statement's error: the connection is fine unless left mid-statement
                    await self._give_back(generation, connection)
                raise
            await self._give_back(generation, connection)
        finally:
            self._in_use -= 1
            self._slots.release()

    def get_stats(self) -> dict[str, int]:
        """The figures /metrics reads (named as psycopg_pool names them)."""
        return {
            "pool_size": self._in_use + len(self._idle),
            "pool_available": len(self._idle),
            "requests_waiting": self._waiting,
        }

    async def _take(self, fresh: bool) -> tuple[int, psycopg.AsyncConnection]:
        while self._idle and not fresh:
            generation, connection = self._idle.pop()  # the most recently used: warm, least likely closed
            if generation == self._generation and not connection.closed:
                return generation, connection
            await connection.close()
        generation = self._generation
        return generation, await psycopg.AsyncConnection.connect(self.conninfo, **self.kwargs)

    async def _give_back(self, generation: int, connection: psycopg.AsyncConnection) -> None:
        reusable = (
            generation == self._generation
            and not self._closed
            and not connection.closed
            and connection.info.transaction_status == TransactionStatus.IDLE
        )
        if reusable:
            self._idle.append((generation, connection))
        else:
            await connection.close()

    async def _discard_idle(self) -> None:
        while self._idle:
            _, connection = self._idle.pop()
            await connection.close()
