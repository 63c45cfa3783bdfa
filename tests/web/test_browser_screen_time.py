"""Screen time in a real browser (Debian's Chromium): the kid web launcher shows a friendly
"time's up" screen instead of titles when the day's budget is spent, and the shows come back the
moment a parent grants bonus time; the parent's screen-time page says the rules in words."""

import httpx
from playwright.sync_api import expect

from tests.support.browser import new_page, submit

PASSWORD = "a long enough password"


def test_times_up_screen_and_bonus_time_in_a_real_browser(server, browser):
    api = httpx.Client(base_url=f"{server}/api/parent", timeout=10)
    api.post("/auth/signup", json={"email": "screen-time@example.com", "password": PASSWORD})
    token = api.post("/auth/login", json={"email": "screen-time@example.com", "password": PASSWORD}).json()
    api.headers["Authorization"] = f"Bearer {token['access_token']}"
    kid = api.post("/kids", json={"name": "Mia", "pin": "2468"}).json()
    no_time = {"enabled": True, "school_day_limit_minutes": 0, "weekend_limit_minutes": 0}
    assert api.put(f"/kids/{kid['id']}/screen-time", json=no_time).status_code == 200
    code = api.post("/pairing-codes").json()["code"]

    outside: list[str] = []
    tablet = new_page(browser, server, outside)
    tablet.goto("/kids")
    tablet.get_by_label("Ask a parent for the 6-digit code").fill(code)
    submit(tablet, "Connect")  # Mia is the only kid: the device is hers and opens her launcher, no PIN
    expect(tablet.get_by_role("heading", name="That's all for today, Mia!")).to_be_visible()
    expect(tablet.get_by_text("See you another day!")).to_be_visible()  # no day of hers has any time
    expect(tablet.locator(".poster-card")).to_have_count(0)

    assert api.post(f"/kids/{kid['id']}/bonus-time", json={"minutes": 30}).status_code == 200
    tablet.reload()
    expect(tablet.get_by_role("heading", name="Mia's shows")).to_be_visible()

    parent = new_page(browser, server, outside)
    parent.goto("/login")
    parent.get_by_label("Email").fill("screen-time@example.com")
    parent.get_by_label("Password").fill(PASSWORD)
    submit(parent, "Log in")
    parent.goto(f"/family/kids/{kid['id']}/screen-time")
    expect(parent.locator("#screen-time-now")).to_contain_text("On school days Mia may not watch at all.")
    expect(parent.locator("#screen-time-now")).to_contain_text("30 min left today")
    assert outside == []
