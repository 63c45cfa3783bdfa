"""Issue 27 on the title page: "What allowing it for <kid> would change" is computed only when a
parent opens it (each preview reads every kid's launcher twice), by the panel route static/preview.js
asks, which writes nothing; without the script a link fills in that one panel; in a real browser
at phone size, opening it loads the panel."""

import re

import httpx
from playwright.sync_api import expect

from axolotly.launcher.query import LAUNCHER_SQL
from tests.support.api import add_kid, auth
from tests.support.axe_audit import violations
from tests.support.browser import log_in, new_page
from tests.support.factories import make_title
from tests.support.pages import csrf, logged_in_parent
from tests.support.previews import library_title, written_state

PHONE = {"width": 375, "height": 812}
PASSWORD = "a long enough password"


def family(client, db) -> dict:
    """Logged in; Emma (8, rules mode: G movies) and Leo (allow list); Alpha (G) in the library, and
    Echo (G), not in it yet: allowing it for anyone brings it to Emma too."""
    parent = logged_in_parent(client)
    emma, leo = add_kid(client, parent, "Emma", age=8), add_kid(client, parent, "Leo", age=None)
    alpha = library_title(client, parent, db, "Alpha", certification="G")
    echo = make_title(db, title="Echo", certification="G", providers=["netflix"])
    return {"parent": parent, "emma": emma, "leo": leo, "alpha": alpha, "echo": echo}


def launcher_reads(counter) -> int:
    return sum(statement == LAUNCHER_SQL for statement in counter.statements)


def details_of(page: str, kid_id: int) -> str:
    start = page.index(f'id="allow-preview-{kid_id}"')
    return page[start : page.index("</details>", start)]


def panel_url(title_id: int, kid_id: int) -> str:
    return f"/catalog/titles/{title_id}/allow-preview/{kid_id}"


def test_the_title_page_runs_no_preview_and_names_each_panel(client, db, count_statements):
    f = family(client, db)
    echo = f["echo"]
    count_statements.statements.clear()

    page = client.get(f"/catalog/titles/{echo.id}").text

    assert launcher_reads(count_statements) == 0, "no kid's launcher read for a view"
    for kid in (f["emma"], f["leo"]):
        details = details_of(page, kid["id"])
        assert f'data-panel-url="{panel_url(echo.id, kid["id"])}"' in details
        assert '<div class="preview" aria-live="polite"></div>' in details, "an empty panel"
        assert f'href="/catalog/titles/{echo.id}?preview={kid["id"]}#allow-preview-{kid["id"]}"' in details
        assert " open" not in details.split(">", 1)[0]
    assert "Would appear for" not in page
    assert '<script src="/static/preview.js" defer></script>' in page


def test_the_panel_route_previews_an_own_kid_and_writes_nothing(client, db, count_statements):
    f = family(client, db)
    echo, leo = f["echo"], f["leo"]
    token = csrf(client, f"/catalog/titles/{echo.id}")
    before = written_state(db, f["parent"]["id"])
    count_statements.statements.clear()

    response = client.post(panel_url(echo.id, leo["id"]), data={"csrf_token": token})

    assert response.status_code == 200
    panel = response.text
    assert "<html" not in panel, "the panel alone"
    assert "Would appear for Emma" in panel and "Would appear for Leo" in panel and "Echo" in panel
    assert "Nothing is saved yet." in panel
    assert launcher_reads(count_statements) == 4, "two kids, before and after"
    assert written_state(db, f["parent"]["id"]) == before, "launcher versions, trail, jobs, library unchanged"
    assert 'data-panel-url="' in client.get(f"/catalog/titles/{echo.id}").text, "still not in the library"


def test_the_panel_route_needs_the_csrf_token_and_the_familys_own_kid(client, db):
    f = family(client, db)
    echo, emma = f["echo"], f["emma"]
    stale = client.post(panel_url(echo.id, emma["id"]), data={"csrf_token": "0" * 64})
    assert stale.status_code == 403 and "Would appear" not in stale.text
    missing = client.post(panel_url(echo.id, emma["id"]), data={})
    assert missing.status_code == 403 and "Would appear" not in missing.text

    other = logged_in_parent(client)  # the browser now belongs to another family
    add_kid(client, other, "Mia", age=8)
    token = csrf(client, f"/catalog/titles/{echo.id}")
    before = written_state(db, f["parent"]["id"])
    refused = client.post(panel_url(echo.id, emma["id"]), data={"csrf_token": token}, follow_redirects=False)
    # A refused page POST goes back with the reason (web/templating.py page_error), as the rules panel's.
    assert refused.status_code == 303 and "Would appear" not in refused.text
    assert "Kid profile not found" in client.get(f"/catalog/titles/{echo.id}").text
    assert written_state(db, f["parent"]["id"]) == before
    theirs = client.get(f"/catalog/titles/{echo.id}?preview={emma['id']}").text
    assert "Emma" not in theirs and "Would appear" not in theirs, "another family's kid: no preview on their page"


def test_without_the_script_the_link_fills_in_that_one_panel(client, db, count_statements):
    f = family(client, db)
    echo, emma, leo = f["echo"], f["emma"], f["leo"]
    before = written_state(db, f["parent"]["id"])
    count_statements.statements.clear()

    page = client.get(f"/catalog/titles/{echo.id}?preview={leo['id']}").text

    assert launcher_reads(count_statements) == 4, "Leo's preview alone"
    leos = details_of(page, leo["id"])
    assert re.match(r'id="allow-preview-\d+" data-panel-url="[^"]+" open>', leos)
    assert "Would appear for Emma" in leos and "Would appear for Leo" in leos
    assert "Show what would change" not in leos
    emmas = details_of(page, emma["id"])
    assert '<div class="preview" aria-live="polite"></div>' in emmas and "Show what would change" in emmas
    assert written_state(db, f["parent"]["id"]) == before


def test_no_preview_for_a_library_title_or_a_family_without_rules_mode(client, db):
    f = family(client, db)
    assert "allow-preview" not in client.get(f"/catalog/titles/{f['alpha'].id}").text, "already in the library"
    response = client.put(
        f"/api/parent/kids/{f['emma']['id']}/rules",
        json={"mode": "allow_list", "max_movie_rating": None, "max_tv_rating": None, "blocked_tags": []},
        headers=auth(f["parent"]),
    )
    assert response.status_code == 200, response.text
    page = client.get(f"/catalog/titles/{f['echo'].id}").text
    assert "allow-preview" not in page and "/static/preview.js" not in page


def import_title(api: httpx.Client, name: str) -> int:
    """A title of the offline catalog in the database, not in the family library."""
    hit = next(h for h in api.get("/catalog/search", params={"q": name}).json() if h["title"] == name)
    if hit["title_id"] is not None:
        return hit["title_id"]
    imported = api.post("/catalog/titles", json={"tmdb_id": hit["tmdb_id"], "media_type": hit["media_type"]})
    return imported.json()["id"]


def test_opening_the_details_loads_the_panel_at_phone_size(server, browser):
    api = httpx.Client(base_url=f"{server}/api/parent", timeout=10)
    api.post("/auth/signup", json={"email": "title-preview@example.com", "password": PASSWORD})
    token = api.post("/auth/login", json={"email": "title-preview@example.com", "password": PASSWORD}).json()
    api.headers["Authorization"] = f"Bearer {token['access_token']}"
    api.post("/kids", json={"name": "Emma", "pin": "2468", "age": 8})  # rules mode
    leo = api.post("/kids", json={"name": "Leo", "pin": "1357", "age": None}).json()  # allow list
    title_id = import_title(api, "Toy Story")

    outside: list[str] = []
    parent = new_page(browser, server, outside)
    log_in(parent, "title-preview@example.com", PASSWORD)
    parent.set_viewport_size(PHONE)
    parent.goto(f"/catalog/titles/{title_id}")
    details = parent.locator(f"#allow-preview-{leo['id']}")
    panel = details.locator(".preview")
    expect(panel).to_be_empty()

    details.get_by_text("What allowing it for Leo would change").click()
    expect(panel).to_contain_text("Would appear for Leo")
    expect(panel).to_contain_text("Toy Story")
    expect(panel).to_contain_text("Nothing is saved yet.")
    expect(details.get_by_role("link", name=re.compile("Show what would change"))).to_have_count(0)
    assert parent.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert violations(parent) == []
    assert all(item["title"]["id"] != title_id for item in api.get("/library").json()), "nothing saved"
    assert outside == []
