"""Held launcher polls (`Prefer: wait=N`, issue 26) through a real server with two workers: a
parent's change reaches a held launcher at once, a quiet hold ends in a 304, and the device's
proof of delivery follows."""

import asyncio
import threading
import time

import httpx
import pytest

from axolotly.launcher.answers import ClientGone, Hold, requested_wait
from axolotly.launcher.live import Changes
from tests.support.live_app import paired_launcher, parent_headers, sql
from tests.support.pg import demo_database
from tests.support.processes import live_server

TIMEOUT = 60


@pytest.fixture(scope="module")
def database(server_url):
    return demo_database(server_url, "axolotly_long_poll")


@pytest.fixture(scope="module")
def server(database):
    with live_server(database, workers=2) as base:
        yield base


@pytest.fixture
def emma_device(server, database):
    """A launcher paired to Emma, its first answer fetched; yields (parent headers, device headers, kid id, ETag)."""
    with httpx.Client(base_url=server, timeout=TIMEOUT) as client:
        parent = parent_headers(client)
        kid_id = next(k["id"] for k in client.get("/api/parent/kids", headers=parent).json() if k["name"] == "Emma")
        device = paired_launcher(client, parent, "Emma")
        first = client.get("/api/apps", headers=device)
        assert first.status_code == 200
        yield parent, device, kid_id, first.headers["ETag"]


def held(url: str, headers: dict, results: list) -> threading.Thread:
    """A launcher's held poll in the background; appends (answer, the moment it arrived)."""

    def poll() -> None:
        answer = httpx.get(url, headers=headers, timeout=TIMEOUT)
        results.append((answer, time.monotonic()))

    thread = threading.Thread(target=poll)
    thread.start()
    time.sleep(0.5)  # the request reaches the server and is held before the parent acts
    return thread


def test_a_held_poll_is_woken_by_a_parents_change_in_under_a_second(server, database, emma_device):
    parent, device, kid_id, etag = emma_device
    title_id = sql(database, "SELECT id FROM titles WHERE title = 'Bluey'")[0][0]
    results: list = []
    thread = held(f"{server}/api/apps", {**device, "If-None-Match": etag, "Prefer": "wait=30"}, results)
    assert not results, "held, not answered"

    changed = httpx.put(
        f"{server}/api/parent/kids/{kid_id}/policies/{title_id}", json={"policy": "deny"}, headers=parent
    )
    stored = time.monotonic()
    assert changed.status_code == 200, changed.text
    thread.join(TIMEOUT)

    [(answer, arrived)] = results
    assert answer.status_code == 200 and answer.headers["ETag"] != etag
    assert str(title_id) not in {item["id"] for group in answer.json() for item in group["content"]}
    assert arrived - stored < 1.0, f"the new body arrived {arrived - stored:.2f} s after the change was stored"

    # Proof of delivery: the device fetched the launcher as it is now, and the parent sees so.
    [listed] = [d for d in httpx.get(f"{server}/api/parent/devices", headers=parent).json() if d["kid_id"] == kid_id]
    assert listed["up_to_date"] is True and listed["held_since"] is not None


def test_a_held_poll_with_nothing_to_tell_ends_in_a_304_after_its_wait(server, emma_device):
    _, device, _, etag = emma_device
    started = time.monotonic()
    answer = httpx.get(f"{server}/api/apps", headers={**device, "If-None-Match": etag, "Prefer": "wait=1"})
    assert answer.status_code == 304 and answer.headers["ETag"] == etag
    assert time.monotonic() - started >= 1.0


def test_a_launcher_that_asks_no_wait_is_answered_at_once(server, emma_device):
    _, device, _, etag = emma_device
    started = time.monotonic()
    assert httpx.get(f"{server}/api/apps", headers={**device, "If-None-Match": etag}).status_code == 304
    assert time.monotonic() - started < 0.9  # no hold: not the one-second wait of a held poll


def test_a_change_not_yet_fetched_shows_as_not_yet_on_the_device(server, database, emma_device):
    parent, _, kid_id, _ = emma_device
    title_id = sql(database, "SELECT id FROM titles WHERE title = 'Bluey'")[0][0]
    changed = httpx.put(
        f"{server}/api/parent/kids/{kid_id}/policies/{title_id}", json={"policy": "allow"}, headers=parent
    )
    assert changed.status_code == 200
    listed = [d for d in httpx.get(f"{server}/api/parent/devices", headers=parent).json() if d["kid_id"] == kid_id]
    assert listed and not any(d["up_to_date"] for d in listed)


def test_unpairing_wakes_a_held_poll_that_then_finds_its_key_refused(server, database, emma_device):
    parent, device, _, etag = emma_device
    results: list = []
    thread = held(f"{server}/api/apps", {**device, "If-None-Match": etag, "Prefer": "wait=30"}, results)
    row = sql(database, "SELECT id FROM devices WHERE device_id = %(d)s", {"d": device["X-Device-ID"]})[0][0]
    assert httpx.delete(f"{server}/api/parent/devices/{row}", headers=parent).status_code == 204
    thread.join(TIMEOUT)
    [(answer, _)] = results
    assert answer.status_code == 401


def test_a_held_time_limits_poll_is_woken_by_a_pause(server, emma_device):
    parent, device, kid_id, _ = emma_device
    first = httpx.get(f"{server}/api/time-limits", headers=device)
    assert first.status_code == 200 and first.json()["reason"] != "paused"
    results: list = []
    thread = held(
        f"{server}/api/time-limits", {**device, "If-None-Match": first.headers["ETag"], "Prefer": "wait=30"}, results
    )
    paused = httpx.post(f"{server}/api/parent/kids/{kid_id}/pause", json={"minutes": 30}, headers=parent)
    assert paused.status_code == 200, paused.text
    thread.join(TIMEOUT)
    [(answer, _)] = results
    assert answer.status_code == 200
    assert answer.json()["allowedNow"] is False and answer.json()["reason"] == "paused"
    httpx.delete(f"{server}/api/parent/kids/{kid_id}/pause", headers=parent)


@pytest.mark.parametrize(
    ("prefer", "seconds"),
    [
        ("wait=10", 10),
        ("respond-async, wait=100", 60),
        ("wait = 5", 5),
        ("wait=abc", 0),
        ("handling=lenient", 0),
        (None, 0),
    ],
)
def test_the_wait_a_launcher_asks_for_is_read_as_rfc_7240_writes_it(prefer, seconds):
    assert requested_wait(prefer) == seconds


class Capacity:
    def __init__(self):
        self.held = 0

    def try_hold(self) -> bool:
        self.held += 1
        return True

    def end_hold(self) -> None:
        self.held -= 1


def test_a_held_poll_whose_client_leaves_frees_its_hold_at_once():
    async def scenario() -> tuple[float, int, int]:
        capacity = Capacity()
        messages = [{"type": "http.request", "body": b"", "more_body": False}]

        async def receive() -> dict:
            if messages:
                return messages.pop()
            await asyncio.sleep(0.2)  # the launcher's connection drops
            return {"type": "http.disconnect"}

        hold = Hold(Changes(), capacity, 30, receive)
        started = time.monotonic()
        held_while_waiting = 0
        try:
            waiting = asyncio.ensure_future(hold.wait(["42"], since=hold.mark()))
            await asyncio.sleep(0.05)
            held_while_waiting = capacity.held
            with pytest.raises(ClientGone):
                await waiting
        finally:
            hold.end()
        return time.monotonic() - started, held_while_waiting, capacity.held

    took, held_while_waiting, held_after = asyncio.run(scenario())
    assert held_while_waiting == 1 and held_after == 0
    assert took < 5  # not the 30 s the launcher asked for
