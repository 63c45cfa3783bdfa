"""The kid web launcher's live refresh on a real server over a socket: a held poll is woken by the
NOTIFY of a parent's committed change (the trigger of migration 0039, the worker's listener) and
answers "reload" in well under a second; in Chromium the kid's page changes by itself (static/kid.js)
when the parent presses "Pause now" on the home page, at 390 px, and axe finds nothing on either.
TestClient cannot show this: its changes never commit."""

import re
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
from playwright.sync_api import expect

from axolotly.seed.demo import DEMO_PARENT
from tests.support.axe_audit import violations
from tests.support.browser import log_in, new_page, submit
from tests.support.live_app import parent_headers

TIMEOUT = 60  # generous: the machine's cores are shared
PHONE = {"width": 390, "height": 844}


def csrf(browser: httpx.Client, path: str) -> str:
    return re.search(r'name="csrf_token" value="([0-9a-f]+)"', browser.get(path).text)[1]


def pairing_code(base: str, parent: dict) -> str:
    return httpx.post(f"{base}/api/parent/pairing-codes", headers=parent, timeout=TIMEOUT).json()["code"]


def emma_of(api: httpx.Client, parent: dict) -> dict:
    return next(kid for kid in api.get("/api/parent/kids", headers=parent).json() if kid["name"] == "Emma")


def test_a_parents_pause_wakes_the_held_kid_page_in_under_a_second(server):
    with httpx.Client(base_url=server, timeout=TIMEOUT) as api, httpx.Client(base_url=server, timeout=TIMEOUT) as kid:
        parent = parent_headers(api)
        emma = emma_of(api, parent)
        paired = kid.post("/kids/pair", data={"code": pairing_code(server, parent), "csrf_token": csrf(kid, "/kids")})
        assert paired.status_code == 303, paired.text
        pin = {"pin": "1234", "csrf_token": csrf(kid, f"/kids/{emma['id']}/pin")}
        assert kid.post(f"/kids/{emma['id']}/pin", data=pin).status_code == 303
        page = kid.get(f"/kids/{emma['id']}/launcher").text
        live = re.search(r'<meta name="axolotly-live" content="([^"]+)">', page)[1]
        with ThreadPoolExecutor(1) as pool:
            held = pool.submit(kid.get, live)
            time.sleep(0.5)  # the poll has read the state and waits
            assert not held.done()
            paused = api.post(f"/api/parent/kids/{emma['id']}/pause", json={"minutes": 15}, headers=parent)
            assert paused.status_code == 200, paused.text
            committed = time.monotonic()
            assert held.result(timeout=TIMEOUT).json() == {"reload": True}
            assert time.monotonic() - committed < 1.0
        assert "Break time, Emma!" in kid.get(f"/kids/{emma['id']}/launcher").text
        assert api.delete(f"/api/parent/kids/{emma['id']}/pause", headers=parent).status_code == 200


def test_the_kid_page_follows_the_parents_pause_button_by_itself(server, browser):
    outside: list[str] = []
    parent = new_page(browser, server, outside)
    parent.set_viewport_size(PHONE)
    log_in(parent, *DEMO_PARENT)
    with httpx.Client(base_url=server, timeout=TIMEOUT) as api:
        code = pairing_code(server, parent_headers(api))
    kid = new_page(browser, server, outside)
    kid.set_viewport_size(PHONE)
    kid.goto("/kids")
    kid.get_by_label("Ask a parent for the 6-digit code").fill(code)
    submit(kid, "Connect")
    kid.get_by_role("link", name="Emma").click()
    pad = kid.get_by_role("group", name="Number pad")
    for digit in "1234":
        pad.get_by_role("button", name=digit, exact=True).click()
    submit(kid, "Go")
    expect(kid.locator(".poster-grid")).to_be_visible()

    parent.goto("/")
    parent.locator("details.pause").first.locator("summary").click()
    assert violations(parent) == [] and parent.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    submit(parent, "Pause Emma for 30 min")
    expect(parent.get_by_role("status")).to_contain_text("Emma: Paused until")
    expect(parent.get_by_role("button", name="Resume Emma's screen time")).to_be_visible()
    assert violations(parent) == [] and parent.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    expect(kid.get_by_role("heading", name="Break time, Emma!")).to_be_visible(timeout=5000)  # no reload by us
    assert violations(kid) == [] and kid.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    submit(parent, "Resume Emma's screen time")
    expect(kid.locator(".poster-grid")).to_be_visible(timeout=5000)
    assert outside == []
    kid.context.close()  # its held poll ends with it
