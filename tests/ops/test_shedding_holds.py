"""Held long polls do not count as requests in flight, have a ceiling of their own, a hold a
handler forgets to end is ended with its request, and refusals that keep coming are spread out
(ops/shedding.py, in-process: no database)."""

import asyncio

import httpx
from starlette.types import Receive, Scope, Send

from axolotly.ops.shedding import Capacity, LoadShedding


class HoldingApp:
    """`/hold` holds (when allowed) until `release` is set and answers whether it held; `/hold-and-forget`
    holds and never ends its hold; anything else answers at once."""

    def __init__(self) -> None:
        self.release = asyncio.Event()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        status = 200
        if scope["path"].startswith("/hold"):
            capacity = scope["state"]["capacity"]
            held = capacity.try_hold()
            if held:
                await self.release.wait()
                if scope["path"] == "/hold":
                    capacity.end_hold()
            status = 200 if held else 204
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b""})


async def wait_until(predicate) -> None:
    for _ in range(500):
        if predicate():
            return
        await asyncio.sleep(0.002)
    raise AssertionError("never happened")


def test_held_polls_leave_room_for_requests_up_to_their_own_ceiling():
    async def scenario() -> None:
        app = HoldingApp()
        capacity = Capacity(max_in_flight=1, max_held=2)
        transport = httpx.ASGITransport(app=LoadShedding(app, capacity))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            holds = [asyncio.create_task(client.get("/hold")) for _ in range(2)]
            await wait_until(lambda: capacity.held == 2)
            assert capacity.in_flight == 0
            # Two polls held, and a request still gets in (capacity 1): held polls do not count.
            assert (await client.get("/other")).status_code == 200
            # Past the ceiling of held polls a poll is not held: answered at once (its wait ignored).
            assert (await client.get("/hold")).status_code == 204
            app.release.set()
            assert [(await hold).status_code for hold in holds] == [200, 200]
        assert (capacity.in_flight, capacity.held) == (0, 0)

    asyncio.run(scenario())


def test_a_full_worker_refuses_at_once_and_a_forgotten_hold_ends_with_its_request():
    async def scenario() -> None:
        app = HoldingApp()
        capacity = Capacity(max_in_flight=1, max_held=0)  # nothing may be held: /hold stays in flight
        transport = httpx.ASGITransport(app=LoadShedding(app, capacity))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            app.release.set()
            capacity.in_flight = 1  # another request of this worker is being answered
            refused = await client.get("/other")
            assert refused.status_code == 503 and 1 <= int(refused.headers["Retry-After"]) <= 3
            assert (await client.get("/metrics")).status_code == 200  # never refused
            capacity.in_flight = 0
            capacity.max_held = 1
            assert (await client.get("/hold-and-forget")).status_code == 200
        assert (capacity.in_flight, capacity.held) == (0, 0)

    asyncio.run(scenario())


def test_while_refusals_keep_coming_clients_are_told_to_wait_longer():
    """A fleet retrying every 1-3 s after each refusal would keep a full worker full: after a
    second of many refusals the range widens (at most 30 s), and narrows again once they stop."""
    now = [1000.0]
    capacity = Capacity(max_in_flight=2, max_held=0, clock=lambda: now[0])
    assert {capacity.retry_after() for _ in range(200)} <= {1, 2, 3}
    now[0] = 1001.5  # the next second, after 200 refusals
    storm = [capacity.retry_after() for _ in range(200)]
    assert max(storm) > 3 and all(1 <= seconds <= 30 for seconds in storm)
    now[0] = 1005.0  # seconds later, nothing refused in between
    assert {capacity.retry_after() for _ in range(50)} <= {1, 2, 3}
