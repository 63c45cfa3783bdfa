"""A new family's pages without a browser: the set-up checklist, "What Emma can watch" when it is
empty (why, and the link that fixes it), a blocked tag that no title carries, tags in words."""

import html
import re

from axolotly.catalog.providers import PROVIDERS, providers_for_country
from tests.support.api import add_kid, auth, offline_title
from tests.support.launcher_helpers import pair_device
from tests.support.pages import csrf, logged_in_parent

KIDS_PAGE = {"referer": "http://testserver/family/kids"}


def checklist(client) -> list[str] | None:
    """The home page's set-up steps as "done: words" / "todo: words", None once it is gone."""
    page = client.get("/").text
    if "Getting started" not in page:
        return None
    items = re.findall(r'<li class="(done|todo)">(.*?)</li>', page, re.S)
    return [f"{state}: {step_words(body)}" for state, body in items]


def step_words(body: str) -> str:
    words = re.sub(r"<[^>]+>|\s+", " ", body).replace("(done)", "").replace("✓", "").replace("○", "")
    return " ".join(words.split())


def text_of(page: str) -> str:
    """What a reader sees: the page without its tags, attributes and scripts."""
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_the_checklist_ticks_itself_off_and_goes_away_when_all_is_done(client, db):
    parent = logged_in_parent(client)
    assert checklist(client) == [
        "todo: Add your kids",
        "todo: Choose the streaming services you pay for",
        "todo: Add something to watch to your library",
        "todo: Pair a device for the kids to watch on",
    ]
    add_kid(client, parent, "Sofia", age=5)
    client.put("/api/parent/services/selected", json={"services": ["netflix"]}, headers=auth(parent))
    assert [step.split(":")[0] for step in checklist(client)] == ["done", "done", "todo", "todo"]
    assert "2 of 4 done" in client.get("/").text
    bluey = offline_title(db, "Bluey")
    client.post(f"/family/library/{bluey.id}", data={"csrf_token": csrf(client, "/catalog")})
    assert [step.split(":")[0] for step in checklist(client)] == ["done", "done", "done", "todo"]
    pair_device(client, parent)
    assert checklist(client) is None


def test_an_empty_library_says_so_and_links_to_the_catalog(client):
    parent = logged_in_parent(client)
    kid = add_kid(client, parent, "Sofia", age=5)
    page = client.get(f"/family/kids/{kid['id']}/watch").text
    assert "Nothing is visible to Sofia yet" in page and "Your library is empty" in page
    assert '<a href="/catalog">Find titles in the catalog</a>' in page


def test_an_allow_list_kid_with_nothing_allowed_is_told_and_linked_to_the_rules(client, db):
    parent = logged_in_parent(client)
    kid = add_kid(client, parent, "Sofia", age=None)  # no age: only what a parent allows
    bluey = offline_title(db, "Bluey")
    client.post(f"/family/library/{bluey.id}", data={"csrf_token": csrf(client, "/catalog")})
    page = html.unescape(client.get(f"/family/kids/{kid['id']}/watch").text)
    assert "1 title: Sofia sees only the titles you allow one by one, and you have allowed none of these yet." in page
    assert f'href="/family/kids#kid-{kid["id"]}"' in page


def test_titles_off_the_chosen_services_point_to_the_services_page(client, db):
    parent = logged_in_parent(client)
    kid = add_kid(client, parent, "Mateo", age=11)
    paddington = offline_title(db, "Paddington 2")
    elsewhere = next(p.id for p in PROVIDERS if p.id not in paddington.providers)
    client.put("/api/parent/services/selected", json={"services": [elsewhere]}, headers=auth(parent))
    client.post(f"/family/library/{paddington.id}", data={"csrf_token": csrf(client, "/catalog")})
    page = html.unescape(client.get(f"/family/kids/{kid['id']}/watch").text)
    assert "1 title: These titles are not on any of the services you chose." in page
    assert '<a href="/family/services">Choose your services</a>' in page
    why = html.unescape(client.get(f"/family/kids/{kid['id']}/why/{paddington.id}").text)
    assert "In your library and within Mateo's rules (PG), but not on any of the family's services" in why
    assert "Allowed" not in text_of(why)  # nobody allowed it


def test_rules_that_hide_everything_say_so_and_name_the_tag(client, db):
    parent = logged_in_parent(client)
    kid = add_kid(client, parent, "Mateo", age=11)
    bluey = offline_title(db, "Bluey")
    client.post(f"/family/library/{bluey.id}", data={"csrf_token": csrf(client, "/catalog")})
    tag = sorted(bluey.tags)[0]
    form = {"csrf_token": csrf(client, "/family/kids"), "mode": "rules", "blocked_tags": [tag]}
    client.post(f"/family/kids/{kid['id']}/rules", data=form, headers=KIDS_PAGE)
    page = html.unescape(client.get(f"/family/kids/{kid['id']}/watch").text)
    assert "1 title: Mateo's rules hide these titles." in page and "Change Mateo's rules" in page
    from axolotly.catalog.tags import tag_label

    assert f"Tagged “{tag_label(tag)}”, which Mateo's rules block" in page and tag not in text_of(page)


def test_blocking_a_tag_no_library_title_carries_saves_and_says_so(client, db):
    parent = logged_in_parent(client)
    kid = add_kid(client, parent, "Mateo", age=11)
    bluey = offline_title(db, "Bluey")
    client.post(f"/family/library/{bluey.id}", data={"csrf_token": csrf(client, "/catalog")})
    carried = sorted(bluey.tags)[0]
    form = {"csrf_token": csrf(client, "/family/kids"), "mode": "rules", "blocked_tags": ["death_of_parent", carried]}
    page = html.unescape(client.post(f"/family/kids/{kid['id']}/rules", data=form, headers=KIDS_PAGE).text)
    assert "No title in your library carries “Death of a parent” yet." in page
    assert client.get(f"/api/parent/kids/{kid['id']}/rules", headers=auth(parent)).json()["blocked_tags"] == sorted(
        ["death_of_parent", carried]
    )
    again = html.unescape(client.post(f"/family/kids/{kid['id']}/rules", data=form, headers=KIDS_PAGE).text)
    assert "No title in your library carries" not in again  # said once, when the tag is newly blocked
    form["blocked_tags"] = [carried]
    client.post(f"/family/kids/{kid['id']}/rules", data=form, headers=KIDS_PAGE)
    form["blocked_tags"] = [carried, "grief"]
    second = html.unescape(client.post(f"/family/kids/{kid['id']}/rules", data=form, headers=KIDS_PAGE).text)
    assert "carries “Grief” yet" in second


def test_library_kids_and_why_pages_show_no_tag_code(client, db):
    parent = logged_in_parent(client)
    kid = add_kid(client, parent, "Mateo", age=11)
    bluey = offline_title(db, "Bluey")
    client.post(f"/family/library/{bluey.id}", data={"csrf_token": csrf(client, "/catalog")})
    form = {"csrf_token": csrf(client, "/family/kids"), "mode": "rules", "blocked_tags": ["death_of_parent"]}
    client.post(f"/family/kids/{kid['id']}/rules", data=form, headers=KIDS_PAGE)
    for path in ("/family/library", "/family/kids", f"/family/kids/{kid['id']}/why/{bluey.id}", "/family/activity"):
        seen = text_of(client.get(path).text)
        assert not re.search(r"\b[a-z]+_[a-z0-9_]+\b", seen), (path, re.findall(r"\b[a-z]+_[a-z0-9_]+\b", seen))
        for jargon in ("allow list", "rules mode", "Death loss", "age 0 4", "rated pg13", "Presets ("):
            assert jargon not in seen, (path, jargon)
    kids_page = text_of(client.get("/family/kids").text)
    assert "Death and loss" in kids_page and "Ages 0–4" in kids_page and "Rated PG-13" in kids_page


def test_each_service_checkbox_is_inside_its_named_label(client):
    logged_in_parent(client)
    page = client.get("/family/services").text
    row = r'<label class="episode service-choice"><input type="checkbox" id="use_(\w+)"[^>]*>\s*<span>([^<]+)</span>'
    rows = re.findall(row + "</label>", page)
    assert {service for service, _ in rows} == {p.id for p in providers_for_country("US")}  # a US family's
    assert dict(rows)["netflix"] == "Netflix"
