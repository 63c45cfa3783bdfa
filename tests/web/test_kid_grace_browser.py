"""The episode grace in a real browser (Debian's Chromium) at phone size: the kid taps an episode on
the web launcher (kid_usage.js beacons it to the server, which notes it in a signed cookie), her
time runs out while it plays, and back on the launcher she sees "You can finish this episode" with
the way back to it instead of the time's-up screen; axe finds nothing on that page."""

from datetime import UTC, datetime

import httpx
import pytest
from playwright.sync_api import expect

from axolotly.seed.demo import DEMO_PARENT
from axolotly.web import kid_playing
from tests.support.axe_audit import violations
from tests.support.browser import log_in, new_page, submit
from tests.support.live_app import paired_launcher, parent_headers, sql
from tests.support.pg import demo_database
from tests.support.processes import live_server, wait_for

TIMEOUT = 60  # generous: the machine's cores are shared
PHONE = {"width": 375, "height": 812}


@pytest.fixture(scope="module")
def database(server_url):
    return demo_database(server_url, "axolotly_grace_browser")


@pytest.fixture(scope="module")
def server(database):
    with live_server(database) as base:
        yield base


def test_the_kid_may_finish_the_episode_on_a_phone(server, database, browser):
    sql(database, "UPDATE episodes SET runtime_minutes = 22")
    with httpx.Client(base_url=server, timeout=TIMEOUT) as api:
        parent = parent_headers(api)
        emma = next(kid for kid in api.get("/api/parent/kids", headers=parent).json() if kid["name"] == "Emma")
        rules = {"enabled": True, "school_day_limit_minutes": 30, "weekend_limit_minutes": 30}
        saved = api.put(
            f"/api/parent/kids/{emma['id']}/screen-time", json={**rules, "episode_grace_minutes": 15}, headers=parent
        )
        assert saved.status_code == 200, saved.text
        tablet = paired_launcher(api, parent)  # another of Emma's devices: where her other minutes go
        code = api.post("/api/parent/pairing-codes", headers=parent).json()["code"]

    outside: list[str] = []
    kid = new_page(browser, server, outside)
    kid.set_viewport_size(PHONE)
    # The episode opens on the service's own site: here a page of ours in its place.
    kid.context.route(
        lambda url: not url.startswith(server),
        lambda route: route.fulfill(body="<p>Playing</p>", content_type="text/html"),
    )
    kid.goto("/kids")
    kid.get_by_label("Ask a parent for the 6-digit code").fill(code)
    submit(kid, "Connect")
    kid.get_by_role("link", name="Emma").click()
    pad = kid.get_by_role("group", name="Number pad")
    for digit in "1234":
        pad.get_by_role("button", name=digit, exact=True).click()
    submit(kid, "Go")
    kid.get_by_role("link", name="Bluey").click()
    episode = kid.locator("a.episode-card[data-episode]").first
    with kid.expect_request(lambda request: request.url.endswith("/playing")):
        episode.click()
    kid.wait_for_load_state()
    assert not kid.url.startswith(server)  # on the service's page now
    noted = lambda: any(cookie["name"] == kid_playing.COOKIE for cookie in kid.context.cookies(server))  # noqa: E731
    wait_for(noted, timeout=10)  # the beacon's answer set it, though the page had gone

    # Meanwhile the rest of her 30 minutes goes on her tablet: her time is up while the episode plays.
    now = datetime.now(UTC).replace(microsecond=0)
    logged = httpx.post(
        f"{server}/api/usage-logs",
        headers=tablet,
        json={"app_id": "999", "duration_seconds": 31 * 60, "timestamp": now.isoformat().replace("+00:00", "Z")},
        timeout=TIMEOUT,
    )
    assert logged.status_code == 200, logged.text

    kid.go_back()
    expect(kid.get_by_role("heading", name="Almost time to stop, Emma!")).to_be_visible(timeout=10_000)
    expect(kid.get_by_text("You can finish this episode. Then it's time to stop.")).to_be_visible()
    expect(kid.get_by_role("link", name="Back to my episode")).to_be_visible()
    expect(kid.locator(".poster-card")).to_have_count(0)
    assert violations(kid) == []
    assert kid.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert not [note for note in outside if note.startswith("CSP violation")]  # only the service's page went out
    kid.context.close()  # its held poll ends with it


def test_the_parents_choice_reads_well_on_a_phone(server, browser):
    outside: list[str] = []
    parent = new_page(browser, server, outside)
    parent.set_viewport_size(PHONE)
    log_in(parent, *DEMO_PARENT)
    with httpx.Client(base_url=server, timeout=TIMEOUT) as api:
        emma = next(
            kid for kid in api.get("/api/parent/kids", headers=parent_headers(api)).json() if kid["name"] == "Emma"
        )
    parent.goto(f"/family/kids/{emma['id']}/screen-time")
    parent.get_by_label("Limit Emma's screen time").check()
    parent.get_by_label("Minutes a day (empty: no limit)").first.fill("45")
    group = parent.get_by_role("group", name="Let the episode finish")
    group.get_by_label("up to 20 minutes").check()
    submit(parent, "Save screen time")
    expect(parent.get_by_role("group", name="Let the episode finish").get_by_label("up to 20 minutes")).to_be_checked()
    expect(parent.locator("#screen-time-now")).to_contain_text("for at most 20 minutes more.")
    assert violations(parent) == []
    assert parent.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert outside == []
