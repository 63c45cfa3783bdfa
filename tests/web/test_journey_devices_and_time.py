"""Issue 23 in a real browser, at 1280×800 and 390×844: the pairing page gives the full address;
a device given to Mateo opens Mateo's launcher and nobody else's until the parent lets any kid use
it; the device list says who is watching; a 1-minute limit passes the form; the kid's grid shows
the time left today; "Ask for more time" becomes a request the parent answers with a bonus, and the
kid's screen shows the answer. Layout by element geometry; axe finds nothing."""

import re

import httpx
import psycopg
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.engine import make_url

from tests.support.axe_audit import violations
from tests.support.browser import log_in, new_page, submit
from tests.support.pg import libpq_url

SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
PASSWORD = "a long enough password"


def fits(page: Page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert violations(page) == []


def same_line(box: dict, other: dict) -> bool:
    middle = box["y"] + box["height"] / 2
    return abs(middle - (other["y"] + other["height"] / 2)) <= 8 and box["x"] + box["width"] <= other["x"]


def family(server: str, size: str) -> tuple[httpx.Client, dict, dict]:
    api = httpx.Client(base_url=f"{server}/api/parent", timeout=10)
    email = f"devices-{size}@example.com"
    api.post("/auth/signup", json={"email": email, "password": PASSWORD})
    token = api.post("/auth/login", json={"email": email, "password": PASSWORD}).json()
    api.headers["Authorization"] = f"Bearer {token['access_token']}"
    mateo = api.post("/kids", json={"name": "Mateo", "pin": "1111", "age": 5}).json()
    sofia = api.post("/kids", json={"name": "Sofia", "pin": "2222", "age": 11}).json()
    for kid, minutes in ((mateo, 20), (sofia, 0)):
        body = {"enabled": True, "school_day_limit_minutes": minutes, "weekend_limit_minutes": minutes}
        assert api.put(f"/kids/{kid['id']}/screen-time", json=body).status_code == 200
    return api, mateo, sofia


@pytest.mark.parametrize("size", SIZES)
def test_a_kids_device_screen_time_and_asking_for_more(server, server_url, browser, size):
    width = SIZES[size]["width"]
    api, mateo, sofia = family(server, size)
    outside: list[str] = []
    parent = new_page(browser, server, outside)
    parent.set_viewport_size(SIZES[size])
    log_in(parent, f"devices-{size}@example.com", PASSWORD)

    # Screen time is in the menu, and a 1-minute limit passes the form as it passes the API.
    assert parent.locator('nav a[href="/family/screen-time"]').count() == 1
    parent.goto("/family/screen-time")
    expect(parent.get_by_role("heading", name="Mateo")).to_be_visible()
    expect(parent.locator("main")).to_contain_text("20 min left today")
    fits(parent, width)
    parent.get_by_role("link", name="Change Mateo's screen time").click()
    parent.get_by_label("Minutes a day (empty: no limit)").first.fill("1")
    submit(parent, "Save screen time")
    expect(parent.locator("main > .flash")).to_contain_text("On school days Mateo may watch 1 min")
    parent.get_by_label("Minutes a day (empty: no limit)").first.fill("20")
    submit(parent, "Save screen time")

    # Pairing: the full address to open, as a link that fits the screen.
    parent.goto("/family/devices")
    submit(parent, "Create pairing code")
    address = parent.locator("a.launcher-address")
    expect(address).to_have_text(f"{server}/kids")
    box = address.bounding_box()
    assert box["x"] + box["width"] <= width
    code = parent.locator(".pairing-code .code").inner_text().strip()
    fits(parent, width)

    kid = new_page(browser, server, outside)
    kid.set_viewport_size(SIZES[size])
    kid.goto(address.get_attribute("href"))
    kid.get_by_label("Ask a parent for the 6-digit code").fill(code)
    submit(kid, "Connect")
    expect(parent.get_by_role("heading", name="Who uses this device?")).to_be_visible()
    parent.get_by_label("Device name").fill("Mateo's phone")
    parent.get_by_role("radio", name="Mateo").check()
    any_kid = parent.locator("label.tick-row")
    assert same_line(any_kid.locator("input").bounding_box(), any_kid.locator("span").bounding_box())
    expect(parent.get_by_label("Any kid of the family may use this device")).not_to_be_checked()
    submit(parent, "Save")
    expect(parent.locator("main > .flash")).to_contain_text("Mateo's phone shows Mateo's launcher, and only Mateo's")

    # Mateo's device opens Mateo's launcher: no picker, no PIN, no "Switch kid"; the time left shows.
    kid.goto("/kids")
    expect(kid.get_by_role("heading", name="Mateo's shows")).to_be_visible()
    expect(kid.locator(".time-left")).to_have_text(re.compile(r"^(20|19) minutes of screen time left today$"))
    expect(kid.get_by_role("button", name="Switch kid")).to_have_count(0)
    fits(kid, width)
    kid.goto(f"/kids/{sofia['id']}/pin")
    expect(kid.get_by_role("heading", name="This screen is Mateo's")).to_be_visible()
    expect(kid.get_by_label("Your PIN")).to_have_count(0)
    fits(kid, width)

    parent.goto("/family/devices")
    expect(parent.locator(".device .watching")).to_have_text("Mateo is watching now")

    # The parent lets any kid use it: Sofia signs in with her PIN, her time is up, she asks.
    parent.get_by_label("Any kid of the family may use this device").check()
    submit(parent, "Save")
    expect(parent.locator("main > .flash")).to_contain_text("any kid of the family may sign in")
    kid.goto("/kids")
    kid.get_by_role("link", name="Sofia").click()
    kid.get_by_label("Your PIN").fill("2222")
    submit(kid, "Go")
    expect(kid.get_by_role("heading", name="That's all for today, Sofia!")).to_be_visible()
    fits(kid, width)
    submit(kid, "Ask for more time")
    expect(kid.locator(".time-answer")).to_have_text("You asked for more time. Waiting for a grown-up…")
    expect(kid.get_by_role("button", name="Ask for more time")).to_have_count(0)

    # The home page counts it; the requests page answers it with the bonus buttons.
    parent.goto("/family/devices")
    expect(parent.locator(".device .watching")).to_have_text("Sofia is watching now")
    parent.goto("/")
    parent.get_by_role("link", name="1 waiting for an answer").click()
    expect(parent.get_by_role("heading", name="Sofia asks for more time today")).to_be_visible()
    fits(parent, width)
    submit(parent, "+15 min for Sofia")
    expect(parent.locator("main > .flash")).to_contain_text("Sofia has 15 extra minutes today")
    expect(parent.get_by_role("heading", name="Sofia asks for more time today")).to_have_count(0)

    # No reload: the kid's page refreshes itself (its held poll is woken by the grant).
    expect(kid.get_by_role("heading", name="Sofia's shows")).to_be_visible()
    expect(kid.locator(".time-answer")).to_have_text("A grown-up gave you 15 more minutes!")
    expect(kid.locator(".time-left")).to_have_text(re.compile(r"^(15|14) minutes of screen time left today$"))
    fits(kid, width)

    # A code nobody used expires: it leaves "Waiting for the device…" on the open page by itself.
    parent.goto("/family/devices")
    submit(parent, "Create pairing code")
    expect(parent.locator(".pairing-code")).to_have_count(1)
    database = make_url(server_url).set(database="axolotly_browser").render_as_string(hide_password=False)
    with psycopg.connect(libpq_url(database), autocommit=True) as db:
        db.execute("UPDATE pairing_codes SET expires_at = now() - interval '1 second' WHERE NOT used")
    expect(parent.locator(".pairing-code")).to_have_count(0, timeout=3000)
    expect(parent.get_by_text("Waiting for the device")).to_have_count(0)
    expect(parent.locator(".pairing-expired")).to_be_visible()
    assert outside == []
