"""The kid web launcher under a parent's pause, and its live refresh: each kid page names a long poll
(`/kids/{kid}/live?since=<what the page shows>`) that answers "reload" as soon as that is no longer
what the page would show (woken by launcher/live.py, or by the clock), else "no" after a while.
On a pinned clock (a school day); the real NOTIFY path is tests/web/test_kid_live_server.py."""

import asyncio
import re
import time as wall
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from axolotly.launcher.live import time_key
from axolotly.models import Device
from axolotly.web import kid_pages
from tests.support.api import auth, use_zone
from tests.support.kid_pages import signed_in
from tests.support.pinned_days import SCHOOL_DAY
from tests.support.processes import wait_for

pytestmark = pytest.mark.parametrize("clock", [SCHOOL_DAY], indirect=True)


def pause(client, family, **body) -> dict:
    kid = family["emma"]
    response = client.post(f"/api/parent/kids/{kid['id']}/pause", json=body, headers=auth(family["parent"]))
    assert response.status_code == 200, response.text
    return response.json()


def live_url(page: str) -> str:
    return re.search(r'<meta name="axolotly-live" content="([^"]+)">', page)[1]


def test_a_paused_kid_sees_the_paused_screen_until_a_parent_resumes(client, family, clock):
    use_zone(client, family["parent"], clock.zone)
    browser = signed_in(client, family)
    kid = family["emma"]
    pause(client, family, minutes=30)
    for path in (f"/kids/{kid['id']}/launcher", f"/kids/{kid['id']}/titles/{family['show'].id}"):
        page = browser.get(path).text
        assert "Break time, Emma!" in page and "A grown-up paused your shows. They will be back at 12:30." in page
        assert "Sunny Days" not in page and "poster-card" not in page
        assert "Ask for more time" not in page  # a pause is a parent's decision, not the day's budget
    client.delete(f"/api/parent/kids/{kid['id']}/pause", headers=auth(family["parent"]))
    assert "Sunny Days" in browser.get(f"/kids/{kid['id']}/launcher").text


def test_the_paused_screen_says_when_shows_are_back_after_a_bedtime_that_follows(client, family, clock):
    use_zone(client, family["parent"], clock.zone)
    browser = signed_in(client, family)
    window = {"start": "12:20", "end": "14:00"}
    settings = {"enabled": True, "school_day_bedtime": window, "weekend_bedtime": window}
    client.put(f"/api/parent/kids/{family['emma']['id']}/screen-time", json=settings, headers=auth(family["parent"]))
    pause(client, family, minutes=30)  # until 12:30, inside the bedtime that starts at 12:20
    page = browser.get(f"/kids/{family['emma']['id']}/launcher").text
    assert "Break time, Emma!" in page and "They will be back at 14:00." in page


def test_a_stale_page_is_told_to_reload_at_once_and_a_current_one_after_the_hold(
    client, db, family, clock, monkeypatch
):
    browser = signed_in(client, family)
    url = live_url(browser.get(f"/kids/{family['emma']['id']}/launcher").text)
    monkeypatch.setattr(kid_pages, "LIVE_HOLD_SECONDS", 0.3)
    db.execute(update(Device).values(watching_kid_id=None, watching_at=func.now() - timedelta(minutes=10)))
    started = wall.monotonic()
    unchanged = browser.get(url)
    assert unchanged.json() == {"reload": False} and wall.monotonic() - started >= 0.3
    assert unchanged.headers["cache-control"] == "no-store"
    # A page left open shows the kid: the parent's device list still says who is watching.
    assert db.scalars(select(Device.watching_kid_id).where(Device.watching_kid_id.is_not(None))).all() == [
        family["emma"]["id"]
    ]
    pause(client, family, minutes=15)
    started = wall.monotonic()
    assert browser.get(url).json() == {"reload": True} and wall.monotonic() - started < 0.3  # no hold
    new_url = live_url(browser.get(f"/kids/{family['emma']['id']}/launcher").text)
    assert new_url != url and browser.get(new_url).json() == {"reload": False}


def test_a_browser_that_may_not_show_the_kid_is_told_to_reload(client, family, clock):
    stranger = TestClient(client.app)  # not paired: reloading shows the pairing screen
    leo = signed_in(client, family, "leo", "5678")  # signed in as Leo, not Emma
    for since in ("", "0" * 16, "x" * 64):
        for browser in (stranger, leo):
            assert browser.get(f"/kids/{family['emma']['id']}/live?since={since}").json() == {"reload": True}
    assert leo.get(f"/kids/{family['emma']['id']}/live?since={'y' * 65}").status_code in (400, 422)


def test_a_parents_change_wakes_the_held_poll(app, client, family, clock):
    browser = signed_in(client, family)
    url = live_url(browser.get(f"/kids/{family['emma']['id']}/launcher").text)
    with TestClient(app) as holder, ThreadPoolExecutor(1) as pool:  # its own loop: app.state.changes
        holder.cookies = browser.cookies
        changes = app.state.changes
        held = pool.submit(holder.get, url)
        wait_for(lambda: changes.held > 0 or held.done(), timeout=30)  # waiting on the kid's keys
        assert not held.done(), held.result().text
        pause(client, family, minutes=15)
        started = wall.monotonic()
        holder.portal.call(changes.changed, time_key(family["emma"]["id"]))  # a commit's NOTIFY, in a real server
        assert held.result(timeout=10).json() == {"reload": True}
        assert wall.monotonic() - started < 2


def test_the_poll_wakes_when_the_clock_ends_the_pause(app, client, family, clock):
    browser = signed_in(client, family)
    pause(client, family, minutes=1)
    clock.shift(timedelta(seconds=59, milliseconds=500))  # half a second left: held a second at most
    url = live_url(browser.get(f"/kids/{family['emma']['id']}/launcher").text)
    with ThreadPoolExecutor(1) as pool:
        started = wall.monotonic()
        held = pool.submit(browser.get, url)
        wait_for(lambda: app.state.changes.held > 0, timeout=30)
        clock.shift(timedelta(seconds=1))  # the pause ends while the poll is held
        assert held.result(timeout=20).json() == {"reload": True}
        assert wall.monotonic() - started < 10  # not the 25 s hold


class LeavingBrowser:
    """An ASGI request whose browser goes away after `after` seconds (a tab closed)."""

    def __init__(self, after: float):
        self.after = after

    async def receive(self) -> dict:
        await asyncio.sleep(self.after)
        return {"type": "http.disconnect"}


def test_a_hold_ends_as_soon_as_the_browser_leaves(clock):
    async def hold(after: float) -> tuple[bool, float]:
        started = wall.monotonic()
        left = await kid_pages._held(LeavingBrowser(after), asyncio.sleep(0.2, result=False))
        return left, wall.monotonic() - started

    left, took = asyncio.run(hold(0.01))
    assert left and took < 0.15
    assert asyncio.run(hold(5))[0] is False  # the wait ended first: an answer is due
