"""The notification pages on a phone (390×844) in Chromium: the unread count shows on the closed
menu, the list and the settings fit the screen, opening a notice reads it (no script needed), and
nothing reaches another host or breaks the page's CSP."""

import httpx
from playwright.sync_api import expect

from axolotly.seed.demo import DEMO_PARENT
from tests.support.browser import log_in, new_page

PHONE = {"width": 390, "height": 844}


def pair_a_device(base: str) -> None:
    """The demo family pairs a new device through the API: every parent is told."""
    login = {"email": DEMO_PARENT[0], "password": DEMO_PARENT[1]}
    token = httpx.post(f"{base}/api/parent/auth/login", json=login).json()["access_token"]
    code = httpx.post(f"{base}/api/parent/pairing-codes", headers={"Authorization": f"Bearer {token}"}).json()["code"]
    assert httpx.post(f"{base}/api/pair", json={"pairingCode": code}).status_code == 200


def test_the_notifications_fit_a_phone_and_the_closed_menu_counts_the_unread(server, browser):
    outside: list[str] = []
    page = new_page(browser, server, outside)
    page.set_viewport_size(PHONE)
    log_in(page, *DEMO_PARENT)
    pair_a_device(server)
    page.goto("/family/kids")
    expect(page.locator("details.menu > summary .badge")).to_be_visible()  # before the menu opens

    page.goto("/notifications")
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    first = page.locator("ul.notices li").first
    expect(first).to_have_class("unread")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    first.get_by_role("button").click()
    page.wait_for_load_state()
    assert page.url.endswith("/family/devices")
    expect(page.locator("details.menu > summary .badge")).to_have_count(0)

    page.goto("/account/notifications")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    box = page.locator("table.prefs").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    asking = page.get_by_role("checkbox", name="A kid asks for a title Email")
    expect(asking).to_be_checked()
    asking.uncheck()
    page.get_by_role("button", name="Save notification settings").click()
    page.wait_for_load_state()
    expect(page.locator(".flash")).to_have_text("Notification settings saved")
    expect(page.get_by_role("checkbox", name="A kid asks for a title Email")).not_to_be_checked()
    expect(page.get_by_role("checkbox", name="A kid asks for a title In the app")).to_be_checked()
    assert outside == []
