"""Issue 27 in a real browser (Debian's Chromium) on a phone: the rules form previews itself as the
parent changes it (static/preview.js, no inline script), a preset button previews before anything is
saved, Save keeps it; the page fits 375 px and passes axe with the panel shown."""

import re

import httpx
from playwright.sync_api import expect

from tests.support.axe_audit import violations
from tests.support.browser import log_in, new_page, submit

PASSWORD = "a long enough password"
PHONE = {"width": 375, "height": 812}
LIBRARY = (
    "Toy Story",
    "Finding Nemo",
    "Moana",
    "Frozen",
    "Coco",
    "Encanto",
    "Inside Out",
    "Zootopia",
    "The Incredibles",
    "Bluey",
)


def add_to_library(api: httpx.Client, name: str) -> None:
    hit = next(h for h in api.get("/catalog/search", params={"q": name}).json() if h["title"] == name)
    title_id = hit["title_id"]
    if title_id is None:
        imported = api.post("/catalog/titles", json={"tmdb_id": hit["tmdb_id"], "media_type": hit["media_type"]})
        title_id = imported.json()["id"]
    assert api.put(f"/library/{title_id}").status_code in (200, 201)


def test_the_rules_form_previews_each_change_and_a_preset_before_saving(server, browser):
    api = httpx.Client(base_url=f"{server}/api/parent", timeout=10)
    api.post("/auth/signup", json={"email": "preview@example.com", "password": PASSWORD})
    token = api.post("/auth/login", json={"email": "preview@example.com", "password": PASSWORD}).json()
    api.headers["Authorization"] = f"Bearer {token['access_token']}"
    emma = api.post("/kids", json={"name": "Emma", "pin": "2468", "age": 8}).json()  # US: movies up to G
    for name in LIBRARY:
        add_to_library(api, name)

    outside: list[str] = []
    parent = new_page(browser, server, outside)
    log_in(parent, "preview@example.com", PASSWORD)
    parent.set_viewport_size(PHONE)
    parent.goto("/family/kids")
    panel = parent.locator(f"#kid-{emma['id']}-preview")
    expect(panel).to_be_empty()

    parent.locator(f"#kid-{emma['id']}-rules").get_by_label("Highest movie rating").select_option("PG")
    expect(panel).to_contain_text("Would appear for Emma")
    expect(panel).to_contain_text("7 titles")  # the PG movies
    expect(panel).to_contain_text("and 1 more")  # six posters shown
    expect(panel.locator("img")).to_have_count(6)
    expect(panel).to_contain_text("Nothing is saved yet.")
    assert parent.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert violations(parent) == []

    # Age 7's preset (G, TV-G) against the saved rules (G, TV-PG): Bluey (TV-Y) stays, nothing moves.
    parent.get_by_role("button", name=re.compile(r"^Age 7: .+ for Emma$")).click()
    expect(panel).to_contain_text("No change for Emma")
    form = parent.locator(f"#kid-{emma['id']}-rules")
    expect(form.get_by_label("Highest movie rating")).to_have_value("G")
    expect(form.get_by_label("Highest TV rating")).to_have_value("TV-G")
    assert api.get(f"/kids/{emma['id']}/rules").json()["max_tv_rating"] == "TV-PG", "a preset saves nothing"

    submit(parent, "Save Emma's rules")
    expect(parent.locator(".flash")).to_contain_text("Saved Emma's rules")
    rules = api.get(f"/kids/{emma['id']}/rules").json()
    assert (rules["max_movie_rating"], rules["max_tv_rating"]) == ("G", "TV-G")
    assert outside == []
