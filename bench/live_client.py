"""One load-generating process of `make bench-live` (bench/live.py starts several): launchers that
hold long polls on `GET /api/apps`, one keep-alive connection each.

Each launcher fetches its launcher once (200, its ETag), then asks again at once with
`If-None-Match: <etag>` and `Prefer: wait=WAIT`: the server holds the request until the kid's
launcher version moves (200, the new body: reported) or WAIT seconds pass (304: asked again).
A 503 is asked again after its Retry-After. Plain asyncio protocols (uvloop when installed) and
hand-written HTTP/1.1, so that one process holds 15,000 connections for a few KiB each.

Connections open at a given rate, with a bounded number of launchers waiting for their first
answer at any time. Reads a JSON plan on stdin; writes lines on stdout, in the monotonic clock every process of the
machine shares (CLOCK_MONOTONIC):
  `holding <count> <seconds>`  all its launchers hold (or the ramp timed out: the count says how many)
  `seen <kid> <monotonic>`     a new launcher body arrived on this kid's device
  `done <json>`                at SIGTERM: answers by status, other answers by status and detail,
                               errors by kind, launchers with a request outstanding
Its own folder is on sys.path (run as a script), and it imports nothing of the project: fleet.py
derives the device keys.
"""

import asyncio
import contextlib
import json
import signal
import socket
import sys
import time
from collections import Counter
from typing import cast

from fleet import api_key, device_id

IP_BIND_ADDRESS_NO_PORT = 24  # Linux: the source port is chosen at connect(), per destination
RETRY_SECONDS = 1.0


class Fleet:
    def __init__(self, plan: dict):
        self.port = plan["port"]
        self.source = plan["source_address"]
        self.seed = plan["key_seed"]
        self.wait = plan["wait_seconds"]
        self.kids: list[int] = plan["kids"]
        self.rate = plan["connections_per_second"]
        # Launchers still waiting for their first answer, at most: a ramp faster than the server
        # answers overflows its listen queue (SYN cookies, then resets), which no real fleet does.
        self.first_answers = asyncio.Semaphore(plan["ramp_window"])
        self.ramp_timeout = plan["ramp_timeout_seconds"]
        self.statuses: Counter[int] = Counter()
        self.errors: Counter[str] = Counter()
        self.refusals: Counter[str] = Counter()  # answers other than 200 and 304, by status and detail
        self.idle_closes = 0  # connections the server closed while no question was asked on them
        self.holding = 0
        self.all_holding = asyncio.Event()
        self.stopping = False
        self.launchers: list[Launcher] = []

    def say(self, line: str) -> None:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

    async def run(self) -> None:
        """Ramps up, reports, then holds until SIGTERM (which ends it at any point, the ramp included)."""
        main = asyncio.current_task()
        assert main is not None
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, main.cancel)
        try:
            await self.ramp()
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            pass
        finally:
            self.stopping = True
            outstanding = sum(launcher.waiting for launcher in self.launchers)
            for launcher in self.launchers:
                launcher.close()
            result = {
                "statuses": dict(self.statuses),
                "errors": dict(self.errors),
                "refusals": dict(self.refusals),
                "idle_closes": self.idle_closes,
                "outstanding": outstanding,
            }
            self.say("done " + json.dumps(result))

    async def ramp(self) -> None:
        loop = asyncio.get_running_loop()
        started = time.monotonic()
        deadline = started + self.ramp_timeout
        for number, kid in enumerate(self.kids):
            await asyncio.sleep(max(0.0, started + number / self.rate - time.monotonic()))
            # Past the deadline the window no longer holds the ramp back: the count will say.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.first_answers.acquire(), max(0.0, deadline - time.monotonic()))
            launcher = Launcher(self, kid)
            self.launchers.append(launcher)
            loop.create_task(launcher.connect())
        with contextlib.suppress(TimeoutError):  # the count says how many hold
            await asyncio.wait_for(self.all_holding.wait(), max(0.0, deadline - time.monotonic()))
        self.say(f"holding {self.holding} {time.monotonic() - started:.2f}")

    def first_answer(self) -> None:
        self.first_answers.release()
        self.holding += 1
        if self.holding == len(self.kids):
            self.all_holding.set()


class Launcher(asyncio.Protocol):
    """One device: its connection, its ETag, and the response being read."""

    def __init__(self, fleet: Fleet, kid: int):
        self.fleet = fleet
        self.kid = kid
        self.headers = (
            f"GET /api/apps HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Device-ID: {device_id(kid)}\r\n"
            f"X-API-Key: {api_key(fleet.seed, kid)}\r\nAccept-Encoding: gzip\r\n"
        )
        self.etag: str | None = None
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None
        self.waiting = False  # a request sent and not yet answered

    async def connect(self) -> None:
        loop = asyncio.get_running_loop()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, 1)
            sock.bind((self.fleet.source, 0))
            sock.setblocking(False)
            await loop.sock_connect(sock, ("127.0.0.1", self.fleet.port))
            await loop.create_connection(lambda: self, sock=sock)
        except OSError as error:
            sock.close()
            self.fleet.errors[f"connect: {type(error).__name__} {error.strerror or ''}".strip()] += 1
            if not self.fleet.stopping:
                loop.call_later(RETRY_SECONDS, lambda: loop.create_task(self.connect()))

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's are no subclass of it
        self.ask()

    def ask(self) -> None:
        if self.fleet.stopping:
            return
        if self.transport is None:  # closed while idle (keep-alive): a new one, as OkHttp opens
            asyncio.get_running_loop().create_task(self.connect())
            return
        request = self.headers
        if self.etag is not None:
            request += f"If-None-Match: {self.etag}\r\nPrefer: wait={self.fleet.wait}\r\n"
        self.transport.write((request + "\r\n").encode("latin-1"))
        self.waiting = True

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while (end := self.buffer.find(b"\r\n\r\n")) >= 0:
            lines = bytes(self.buffer[:end]).decode("latin-1").split("\r\n")
            headers = {
                name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in lines[1:])
            }
            length = int(headers.get("content-length", 0))
            if len(self.buffer) < end + 4 + length:
                return
            body = bytes(self.buffer[end + 4 : end + 4 + length])
            del self.buffer[: end + 4 + length]
            self.answered(int(lines[0].split()[1]), headers, body)

    def answered(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.waiting = False
        self.fleet.statuses[status] += 1
        if status == 200:
            etag = headers.get("etag")
            if self.etag is None:
                self.fleet.first_answer()
            elif etag != self.etag:
                self.fleet.say(f"seen {self.kid} {time.monotonic():.6f}")
            self.etag = etag
            self.ask()
        elif status == 304:
            self.ask()
        else:
            try:  # why: shed (the server is busy) or no database connection in time, say
                why = json.loads(body)["detail"] if headers.get("content-type") == "application/json" else ""
            except (ValueError, KeyError, TypeError):
                why = ""
            self.fleet.refusals[f"{status} {why}".strip()] += 1
            delay = float(headers.get("retry-after", RETRY_SECONDS))
            asyncio.get_running_loop().call_later(delay, self.ask)

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        self.buffer.clear()
        if self.fleet.stopping:
            return
        if not self.waiting:
            # Idle past the server's keep-alive (5 s), e.g. waiting out a Retry-After: the next
            # question opens a new connection. Not an error.
            self.fleet.idle_closes += 1
            return
        self.fleet.errors[f"closed by the server with a question unanswered{f': {exc}' if exc else ''}"] += 1
        self.waiting = False
        loop = asyncio.get_running_loop()
        loop.call_later(RETRY_SECONDS, lambda: loop.create_task(self.connect()))

    def close(self) -> None:
        if self.transport is not None:
            self.transport.abort()


def main() -> None:
    fleet = Fleet(json.load(sys.stdin))
    try:
        import uvloop
    except ImportError:
        asyncio.run(fleet.run())
    else:
        uvloop.run(fleet.run())


if __name__ == "__main__":
    main()
