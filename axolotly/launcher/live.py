"""Held launcher polls woken by PostgreSQL's LISTEN/NOTIFY (issue 26): no polling loop, no query per
held request.

Triggers (migration 0039) `pg_notify('axolotly_kids', key)` as their transaction commits: "<kid id>"
when a kid's launcher version moves, "t<kid id>" when what /api/time-limits answers may change,
"d<device id>" when a device changes kid or is unpaired. Each server worker holds ONE listening
connection (direct to PostgreSQL: a transaction pooler cannot keep a LISTEN) and wakes exactly the
requests waiting on those keys.

A change can commit between a request's read and its wait: `mark()` before the read, `wait(...,
since=mark)` after it, and a key that changed in between answers at once. While the listening
connection is down every held request is woken (it may have missed a change) and the listener
reconnects; the requests read the state again and hold again.
"""

import asyncio
import logging
from collections.abc import Iterable
from typing import Any

import psycopg

from axolotly.db.engine import connection_options, direct_database_url, libpq_conninfo

CHANNEL = "axolotly_kids"
RECONNECT_SECONDS = 1.0
# Keys whose last change is remembered (for `since`): one int per key, the oldest forgotten first.
REMEMBERED_KEYS = 200_000
logger = logging.getLogger(__name__)


def launcher_key(kid_id: int) -> str:
    return str(kid_id)


def time_key(kid_id: int) -> str:
    return f"t{kid_id}"


def device_key(device_id: int) -> str:
    return f"d{device_id}"


class Changes:
    """This worker's listener and the futures of its held requests, by key."""

    def __init__(self, conninfo: str | None = None):
        self._conninfo = conninfo
        self._waiting: dict[str, set[asyncio.Future[bool]]] = {}
        self._changed_at: dict[str, int] = {}  # key -> sequence number of its last change
        self._sequence = 0
        self._listening = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def held(self) -> int:
        """Requests waiting now (a request waiting on three keys counts once per key)."""
        return sum(len(futures) for futures in self._waiting.values())

    def mark(self) -> int:
        return self._sequence

    async def start(self) -> None:
        self._task = asyncio.create_task(self._listen_forever(), name="launcher-changes")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        self._wake_everyone()

    async def wait_until_listening(self, timeout: float) -> bool:
        try:
            async with asyncio.timeout(timeout):
                await self._listening.wait()
            return True
        except TimeoutError:
            return False

    async def wait(self, keys: Iterable[str], timeout: float, since: int | None = None) -> bool:
        """True as soon as one of `keys` changes (or changed after `since`), False after `timeout`."""
        keys = list(keys)
        if since is not None and any(self._changed_at.get(key, -1) > since for key in keys):
            return True
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        for key in keys:
            self._waiting.setdefault(key, set()).add(future)
        try:
            async with asyncio.timeout(timeout):
                return await future
        except TimeoutError:
            return False
        finally:
            for key in keys:
                futures = self._waiting.get(key)
                if futures is not None:
                    futures.discard(future)
                    if not futures:
                        del self._waiting[key]

    def changed(self, key: str) -> None:
        """A change of `key` (from the listener; tests may call it)."""
        self._sequence += 1
        self._changed_at.pop(key, None)
        self._changed_at[key] = self._sequence
        if len(self._changed_at) > REMEMBERED_KEYS:
            del self._changed_at[next(iter(self._changed_at))]
        for future in self._waiting.pop(key, ()):
            if not future.done():
                future.set_result(True)

    def _wake_everyone(self) -> None:
        self._sequence += 1
        waiting, self._waiting = self._waiting, {}
        for futures in waiting.values():
            for future in futures:
                if not future.done():
                    future.set_result(True)

    async def _listen_forever(self) -> None:
        while True:
            try:
                await self._listen_once()
            except (psycopg.Error, OSError) as error:
                logger.warning("launcher change listener lost its connection (%r); reconnecting", error)
            self._listening.clear()
            self._wake_everyone()  # a change may have been missed while down
            await asyncio.sleep(RECONNECT_SECONDS)

    async def _listen_once(self) -> None:
        conninfo = self._conninfo or libpq_conninfo(direct_database_url())
        options: dict[str, Any] = {**connection_options(), "autocommit": True}
        options.pop("prepare_threshold", None)
        async with await psycopg.AsyncConnection.connect(
            conninfo, application_name="axolotly-launcher-listen", **options
        ) as connection:
            await connection.execute(f"LISTEN {CHANNEL}")
            self._listening.set()
            self._wake_everyone()  # whatever changed before LISTEN took effect is read again
            async for notify in connection.notifies():
                self.changed(notify.payload)


def get_changes(request: Any) -> Changes:
    """This worker's `Changes` (app.state.changes, started by the lifespan in main.py)."""
    changes: Changes = request.app.state.changes
    return changes
