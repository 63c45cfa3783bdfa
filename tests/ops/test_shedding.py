"""Past capacity the server answers 503 with Retry-After at once instead of queueing requests until
clients time out; /metrics always answers (issue 26 §3)."""

import re
import socket
import time
from contextlib import ExitStack, contextmanager
from urllib.parse import urlsplit

import httpx

from axolotly.ops.shedding import MAX_RETRY_AFTER_SECONDS, RETRY_AFTER_SECONDS
from tests.support.processes import live_server


@contextmanager
def upload_in_progress(base: str):
    """A request the app is already answering and that does not end yet: its headers are sent, its
    body only in part (FastAPI waits for the rest). Ends when the rest is sent."""
    address = urlsplit(base)
    body = b'{"email": "slow@example.com", "password": "a slow upload"}'
    with socket.create_connection((address.hostname, address.port), timeout=10) as connection:
        connection.sendall(
            b"POST /api/parent/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
            + body[:10]
        )
        yield
        connection.sendall(body[10:])
        status_line = connection.recv(200).split(b"\r\n", 1)[0]
        assert not status_line.startswith(b"HTTP/1.1 503"), status_line  # it was let in: it is answered


def in_flight_reaches(base: str, count: int) -> None:
    """Waits until the app counts `count` requests in flight besides the scrape itself."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        scrape = httpx.get(f"{base}/metrics", timeout=5).text
        match = re.search(r"^axolotly_http_requests_in_flight (\S+)$", scrape, re.MULTILINE)
        if match and float(match.group(1)) >= count + 1:
            return
        time.sleep(0.02)
    raise AssertionError(f"never {count} requests in flight")


def shed_count(base: str) -> float:
    scrape = httpx.get(f"{base}/metrics", timeout=5).text
    match = re.search(r"^axolotly_http_requests_shed_total (\S+)$", scrape, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


def test_past_capacity_a_request_is_refused_at_once_and_metrics_still_answer(database_url):
    with live_server(database_url, env={"MAX_REQUESTS_IN_FLIGHT": "2"}) as base:
        before = shed_count(base)
        with ExitStack() as slow_requests:
            for _ in range(2):
                slow_requests.enter_context(upload_in_progress(base))
            in_flight_reaches(base, 2)

            started = time.monotonic()
            refused = [httpx.get(f"{base}/healthz", timeout=5) for _ in range(3)]
            elapsed = time.monotonic() - started
            assert [response.status_code for response in refused] == [503, 503, 503]
            # 1-3 s at first; refusals that keep coming (here across a second's boundary) widen it.
            assert 1 <= int(refused[0].headers["Retry-After"]) <= RETRY_AFTER_SECONDS
            assert all(1 <= int(response.headers["Retry-After"]) <= MAX_RETRY_AFTER_SECONDS for response in refused)
            assert refused[0].json() == {"detail": "The server is busy; try again in a moment"}
            assert elapsed < 3, f"refusals took {elapsed:.1f} s: they were queued"  # no request waited its turn

            metrics = httpx.get(f"{base}/metrics", timeout=5)
            assert metrics.status_code == 200
            assert shed_count(base) == before + 3
        # The slow requests ended (each answered, none refused): capacity is back.
        assert httpx.get(f"{base}/healthz", timeout=5).status_code == 200
