"""The answers of the launcher's hottest calls, one code path for both doors (issue 26):
launcher/hot_path.py serves them in front of the framework, launcher/router.py through it (when
the hot path hands a request on: an error to map, or an app without the hot path).

`/api/apps`: ETags per kid and launcher version, and the last end of the kid's allows for a while
that has come (policies/until.py): an allow that ends moves the ETag that instant, with no write;
`If-None-Match` + `Prefer: wait=N` (RFC 7240, N ≤ 60) holds the request until the kid's launcher
version moves or the kid's next allow ends (200, the new body) or N seconds pass (304), woken by
launcher/live.py or at that end (no polling, no query while held). Without `Prefer` nothing
changes for today's launchers. A held request does not count as a request in flight; past the
ceiling of held polls (ops/shedding.py) `wait` is ignored.
"""

import asyncio
import re
from collections.abc import MutableMapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from starlette.types import Receive

from axolotly.launcher.auth import AuthenticatedDevice, authenticate_device_async
from axolotly.launcher.live import Changes, device_key, launcher_key
from axolotly.launcher.reads import LauncherReads
from axolotly.launcher.service import RenderedLauncher, device_launcher

# Bump when the shape of /api/apps changes, so old ETags never match a new format.
CONTENT_FORMAT = "2"
UNASSIGNED = RenderedLauncher.of("[]")
MAX_WAIT_SECONDS = 60
# A held poll wakes this long after an allow's end: the timer may fire a hair early, and the read
# it wakes for must be at or past the end.
END_SLACK_SECONDS = 0.02
WAIT_PREFERENCE = re.compile(r"(?:^|[,;])\s*wait\s*=\s*\"?(\d{1,6})\"?\s*(?:$|[,;])", re.IGNORECASE)


class HoldCapacity(Protocol):
    """ops/shedding.py's per-worker capacity, as a held request sees it."""

    def try_hold(self) -> bool: ...

    def end_hold(self) -> None: ...


def held_capacity(scope: MutableMapping[str, Any]) -> HoldCapacity | None:
    """The capacity the load-shedding middleware (ops/shedding.py) put in the request's scope."""
    state = scope.get("state")
    return state.get("capacity") if isinstance(state, dict) else None


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes = b""
    media_type: str | None = None

    def response_headers(self) -> dict[str, str]:
        return {**self.headers, "Content-Type": self.media_type} if self.media_type else dict(self.headers)


def requested_wait(prefer: str | None) -> int:
    """Seconds a client asks to be held (`Prefer: wait=N`), at most 60; 0 when it did not ask."""
    if not prefer:
        return 0
    match = WAIT_PREFERENCE.search(prefer)
    return min(int(match.group(1)), MAX_WAIT_SECONDS) if match else 0


def held_seconds(if_none_match: str | None, prefer: str | None) -> int:
    """How long to hold: only a client that names the version it holds (not `*`, which any
    version matches) and asks to wait."""
    if not if_none_match or if_none_match.strip() == "*":
        return 0
    return requested_wait(prefer)


def utc_now_iso() -> str:
    # "Z", not "+00:00": older Java/Android parsers (Instant.parse before JDK 12) accept only "Z".
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def accepts_gzip(header: str | None) -> bool:
    for coding in (header or "").lower().split(","):
        name, _, params = coding.strip().partition(";")
        if name.strip() == "gzip":
            return params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


def etag_matches(header: str, etags: set[str]) -> bool:
    candidates = {candidate.strip().removeprefix("W/") for candidate in header.split(",")}
    return "*" in candidates or not candidates.isdisjoint(etags)


def launcher_etag(device: AuthenticatedDevice) -> str:
    """Within one launcher version the launcher changes only when an allow ends, and the last end
    that has come only grows: (kid, version, last end) never names two contents. A kid with no
    ended allow keeps the tag it always had."""
    if device.kid_profile_id is None:
        return f'"{CONTENT_FORMAT}-unassigned"'
    ended = f"-e{device.allows_ended}" if device.allows_ended is not None else ""
    return f'"{CONTENT_FORMAT}-k{device.kid_profile_id}-v{device.launcher_version}{ended}"'


def until_next_end(device: AuthenticatedDevice) -> float | None:
    """Seconds until the kid's next allow ends (and the launcher with it), a hair after it; None
    when none is pending."""
    if device.next_allow_end is None:
        return None
    seconds = (device.next_allow_end - datetime.now(UTC)).total_seconds()
    return max(seconds, 0.0) + END_SLACK_SECONDS


class Hold:
    """A request held past its first read: counted as held, not in flight, until it ends."""

    def __init__(
        self, changes: Changes | None, capacity: HoldCapacity | None, seconds: int, receive: Receive | None = None
    ):
        self.changes = changes
        self.capacity = capacity
        self.deadline = asyncio.get_running_loop().time() + seconds if seconds and changes else None
        self.holding = False
        self.receive = receive  # the request's ASGI receive: tells when the client has gone
        self._gone: asyncio.Task[None] | None = None

    def remaining(self) -> float:
        return 0.0 if self.deadline is None else self.deadline - asyncio.get_running_loop().time()

    def mark(self) -> int:
        return self.changes.mark() if self.changes is not None else 0

    async def wait(self, keys: list[str], since: int, at_most: float | None = None) -> bool:
        """False when there is nothing to wait for (no time left, or past the ceiling of held polls)."""
        remaining = self.remaining() if at_most is None else min(self.remaining(), at_most)
        if self.changes is None or remaining <= 0:
            return False
        if not self.holding:
            if self.capacity is not None and not self.capacity.try_hold():
                self.deadline = None  # past the ceiling: answer now, as without `wait`
                return False
            self.holding = True
        waiting = self.changes.wait(keys, remaining, since=since)
        if self.receive is None:
            return await waiting
        if self._gone is None:
            self._gone = asyncio.ensure_future(_disconnected(self.receive))
        woken = asyncio.ensure_future(waiting)
        await asyncio.wait({woken, self._gone}, return_when=asyncio.FIRST_COMPLETED)
        if not woken.done():  # the client left: nobody to answer, and the hold is freed at once
            woken.cancel()
            raise ClientGone
        return woken.result()

    def end(self) -> None:
        if self.holding and self.capacity is not None:
            self.capacity.end_hold()
        self.holding = False
        if self._gone is not None:
            self._gone.cancel()


class ClientGone(Exception):
    """A held request's client disconnected: there is no one to answer."""


async def _disconnected(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        continue


async def apps_answer(
    reads: LauncherReads,
    changes: Changes | None,
    capacity: HoldCapacity | None,
    *,
    device_id: str | None,
    api_key: str | None,
    if_none_match: str | None,
    accept_encoding: str | None,
    prefer: str | None,
    receive: Receive | None = None,
) -> Answer:
    """This device's kid's launcher: provider groups in the family's order; `[]` when unassigned.

    gzip when the client accepts it (OkHttp does, transparently); each encoding has its own strong
    ETag, and either one answers If-None-Match since both name the same content.
    """
    hold = Hold(changes, capacity, held_seconds(if_none_match, prefer), receive)
    try:
        while True:
            since = hold.mark()  # before the read: a change committed after it still wakes us
            device = await authenticate_device_async(reads, device_id, api_key, fetching=True)
            etag = launcher_etag(device)
            gzip_etag = etag[:-1] + '-gz"'
            use_gzip = accepts_gzip(accept_encoding)
            headers = {
                "ETag": gzip_etag if use_gzip else etag,
                "Cache-Control": "private, no-cache",
                "Vary": "Accept-Encoding",
            }
            if not (if_none_match and etag_matches(if_none_match, {etag, gzip_etag})):
                return await _launcher_body(reads, device, headers, use_gzip)
            keys = [device_key(device.id)]
            if device.kid_profile_id is not None:
                keys.append(launcher_key(device.kid_profile_id))
            if not await hold.wait(keys, since, at_most=until_next_end(device)) and hold.remaining() <= 0:
                return Answer(304, headers)
    finally:
        hold.end()


async def _launcher_body(
    reads: LauncherReads, device: AuthenticatedDevice, headers: dict[str, str], use_gzip: bool
) -> Answer:
    if device.kid_profile_id is None or device.launcher_version is None:
        rendered = UNASSIGNED
    else:
        rendered = await device_launcher(
            reads,
            device.family_id,
            device.kid_profile_id,
            device.launcher_version,
            device.allows_ended,
            device.read_at,
        )
    if use_gzip:
        headers["Content-Encoding"] = "gzip"
        return Answer(200, headers, rendered.gzip, "application/json")
    return Answer(200, headers, rendered.json, "application/json")


async def heartbeat_answer(reads: LauncherReads, *, device_id: str | None, api_key: str | None) -> Answer:
    """Being seen is the heartbeat's whole job: the device statement keeps `last_active`."""
    await authenticate_device_async(reads, device_id, api_key)
    body = b'{"status":"ok","server_time":"' + utc_now_iso().encode() + b'"}'
    return Answer(200, {}, body, "application/json")
