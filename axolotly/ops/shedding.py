"""Load shedding: past capacity, a new request is answered 503 with Retry-After at once.

Without it a saturated server queues requests (in the kernel's accept queue, in uvicorn, in the
thread pool) until clients time out: the fleet benchmark saw 15,000-20,000 polling launchers wait
60 s for nothing. A quick 503 lets a launcher come back a moment later (with jitter, so they do
not all return in the same second; later still while refusals keep coming) and keeps the answers
that are served fast.

Per worker process (each has one event loop): `Capacity` counts the requests this worker is
answering. Past MAX_REQUESTS_IN_FLIGHT a new one is refused before any routing, parsing or SQL.
`/metrics` is never refused: a saturated server is when its figures are wanted most.

A held long poll (`GET /api/apps` with `Prefer: wait`) costs a socket and a little memory while it
waits, no CPU: it does not count as in flight. The handler that decides to hold finds this
request's `RequestCapacity` in `request.state.capacity` (`scope["state"]["capacity"]`) and calls
`try_hold()` (False past MAX_HELD_POLLS: it answers at once, ignoring `wait`), then `end_hold()`
when it wakes, on the event loop both. A hold the handler leaves open is ended with the request.
"""

import json
import random
import time
from collections.abc import Callable

from starlette.types import ASGIApp, Receive, Scope, Send

from axolotly.config import get_settings
from axolotly.ops.metrics import HELD_POLLS, HOLDS_REFUSED, SHED

EXEMPT_PATHS = frozenset({"/metrics"})
RETRY_AFTER_SECONDS = 3  # the most a refused client is told to wait, drawn from 1 up to it per answer...
MAX_RETRY_AFTER_SECONDS = 30  # ...and, while refusals keep coming, up to this
SHED_BODY = json.dumps({"detail": "The server is busy; try again in a moment"}).encode()


class Capacity:
    """This worker's requests in flight and long polls held. Touched on the event loop only."""

    def __init__(self, max_in_flight: int, max_held: int, clock: Callable[[], float] = time.monotonic):
        self.max_in_flight = max_in_flight
        self.max_held = max_held
        self.clock = clock
        self.in_flight = 0
        self.held = 0
        self._second = 0  # the whole second of the monotonic clock these refusals were counted in
        self._refused = 0  # refusals in that second
        self._refused_before = 0  # refusals in the second before it

    def full(self) -> bool:
        return self.in_flight >= self.max_in_flight

    def retry_after(self) -> int:
        """Seconds a refused client should wait, with jitter: 1-3 normally. While refusals keep
        coming (a fleet coming back at once, retrying on its own), the range widens with their
        rate, so that the retries spread out instead of returning as a storm that keeps the
        worker full."""
        second = int(self.clock())
        if second != self._second:
            self._refused_before = self._refused if second == self._second + 1 else 0
            self._second, self._refused = second, 0
        self._refused += 1
        pressure = 1 + self._refused_before // self.max_in_flight
        return random.randint(1, min(MAX_RETRY_AFTER_SECONDS, RETRY_AFTER_SECONDS * pressure))  # noqa: S311  # jitter


class RequestCapacity:
    """One request's view of its worker's Capacity: moves it between in flight and held."""

    __slots__ = ("capacity", "holding")

    def __init__(self, capacity: Capacity):
        self.capacity = capacity
        self.holding = False

    def try_hold(self) -> bool:
        """Counts this request as held, not in flight; False (nothing changes) past MAX_HELD_POLLS."""
        capacity = self.capacity
        if self.holding:
            return True
        if capacity.held >= capacity.max_held:
            HOLDS_REFUSED.inc()
            return False
        capacity.in_flight -= 1
        capacity.held += 1
        self.holding = True
        HELD_POLLS.inc()
        return True

    def end_hold(self) -> None:
        """Back in flight (it is about to answer). Safe to call twice, or without a hold."""
        if not self.holding:
            return
        self.capacity.held -= 1
        self.capacity.in_flight += 1
        self.holding = False
        HELD_POLLS.dec()


class LoadShedding:
    """Plain ASGI (no task per request, unlike BaseHTTPMiddleware); installed outermost, so that a
    refused request costs as little as the server can spend on it."""

    def __init__(self, app: ASGIApp, capacity: Capacity | None = None):
        self.app = app
        settings = get_settings()
        self.capacity = capacity or Capacity(settings.max_requests_in_flight, settings.max_held_polls)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in EXEMPT_PATHS:
            await self.app(scope, receive, send)
            return
        capacity = self.capacity
        if capacity.full():
            SHED.inc()
            await refuse(send, capacity.retry_after())
            return
        capacity.in_flight += 1  # no await since full(): nothing else ran in between
        request = RequestCapacity(capacity)
        scope.setdefault("state", {})["capacity"] = request
        try:
            await self.app(scope, receive, send)
        finally:
            request.end_hold()
            capacity.in_flight -= 1


async def refuse(send: Send, retry_after: int) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 503,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(SHED_BODY)).encode()),
                (b"retry-after", str(retry_after).encode()),
                (b"cache-control", b"no-store"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": SHED_BODY})
