"""The family library, each kid's rules and "What Emma can watch" as pages; the title page's one
form for rules and blocked episodes."""

import html

from sqlalchemy import select

from axolotly.catalog.offline import OfflineCatalog
from axolotly.families import library as family_library
from axolotly.models import KidProfile, KidProfileTitle
from tests.support.api import add_kid, auth, episode_ids, offline_title, sign_up
from tests.support.pages import csrf, logged_in_parent

KIDS_PAGE = {"referer": "http://testserver/family/kids"}


def library_ids(db, family_id: int) -> set[int]:
    """Titles added by hand and titles with a policy (families/library_rows.py)."""
    db.expire_all()
    return family_library.library_title_ids(db, family_id)


def allow(client, parent, kid, title, policy="allow"):
    response = client.put(
        f"/api/parent/kids/{kid['id']}/policies/{title.id}", json={"policy": policy}, headers=auth(parent)
    )
    assert response.status_code == 200, response.text


def test_adding_from_the_catalog_fills_the_library_page_and_the_catalog_landing(client, db):
    parent = logged_in_parent(client)
    bluey = offline_title(db, "Bluey")  # in the catalog, not yet in this family's library
    search = client.get("/catalog?q=Bluey").text
    assert "Add “Bluey” to our library" in search
    response = client.post(
        f"/family/library/{bluey.id}",
        data={"csrf_token": csrf(client, "/catalog")},
        headers={"referer": "http://testserver/catalog?q=Bluey"},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/catalog?q=Bluey"
    assert "In our library" in client.get("/catalog?q=Bluey").text
    moana = next(t for t in OfflineCatalog().all_titles() if t.title == "Moana")  # not imported yet: one click
    client.post(
        "/catalog/titles",
        data={"tmdb_id": str(moana.tmdb_id), "media_type": "movie", "csrf_token": csrf(client, "/catalog")},
    )
    assert bluey.id in library_ids(db, parent["id"]) and len(library_ids(db, parent["id"])) == 2

    page = client.get("/family/library").text
    assert "Bluey" in page and "Moana" in page and "TV-Y" in page and "PG" in page
    assert f"by {parent['email']}" in page
    assert "Comedy" in page and "Ages 0–4" in page and "age_0_4" not in page  # tags in words
    assert f'href="/family/library/{bluey.id}/remove"' in page
    landing = client.get("/catalog").text
    assert "Our library (2)" in landing and f'href="/catalog/titles/{bluey.id}"' in landing
    assert "Title not found" in client.post("/family/library/2147483647", data={"csrf_token": csrf(client, "/")}).text


def test_removing_a_title_names_the_kids_whose_rules_go_then_removes_them(client, db):
    parent = logged_in_parent(client)
    emma, leo = add_kid(client, parent, "Emma"), add_kid(client, parent, "Leo")
    bluey, moana = offline_title(db, "Bluey"), offline_title(db, "Moana", with_episodes=False)
    allow(client, parent, emma, bluey)
    allow(client, parent, leo, bluey, "deny")

    confirm = html.unescape(client.get(f"/family/library/{bluey.id}/remove").text)
    assert "Removing Bluey also removes its rules for Emma and Leo" in confirm
    assert client.get(f"/family/library/{moana.id}/remove").status_code == 404  # not in the library

    response = client.post(
        f"/family/library/{bluey.id}/remove", data={"csrf_token": csrf(client, "/")}, follow_redirects=False
    )
    assert response.headers["location"] == "/family/library"
    page = client.get("/family/library").text
    assert "Removed “Bluey” and 2 rules on it" in page and f"/catalog/titles/{bluey.id}" not in page
    assert bluey.id not in library_ids(db, parent["id"])
    assert db.scalars(select(KidProfileTitle).where(KidProfileTitle.title_id == bluey.id)).all() == []


def test_the_rules_form_saves_and_refuses_an_unknown_rating_without_writing(client, db):
    parent = logged_in_parent(client)
    emma = add_kid(client, parent, "Emma", age=8)
    page = html.unescape(client.get("/family/kids").text)
    assert "Save Emma's rules" in page and "No limit" in page and 'value="scary_scenes"' in page
    assert '<option value="G" selected>' in page and '<option value="TV-PG" selected>' in page  # age 8's preset
    token = csrf(client, "/family/kids")

    response = client.post(
        f"/family/kids/{emma['id']}/rules",
        follow_redirects=False,
        data={
            "csrf_token": token,
            "mode": "rules",
            "max_movie_rating": "PG-13",
            "max_tv_rating": "",
            "blocked_tags": ["scary_scenes", "peril"],
        },
    )
    assert response.status_code == 303
    kid = db.get(KidProfile, emma["id"])
    db.refresh(kid)
    assert (kid.rules_mode, kid.max_movie_rating, kid.max_tv_rating, kid.block_unrated) == (
        "rules",
        "PG-13",
        None,
        False,
    )
    assert kid.blocked_tags == ["peril", "scary_scenes"]

    for bad in (
        {"max_movie_rating": "PG-15"},
        {"max_tv_rating": "PG"},
        {"mode": "anything"},
        {"blocked_tags": ["no_such_tag"]},
        {"block_unrated": "yes"},
    ):
        form = {"csrf_token": token, "mode": "allow_list", "max_movie_rating": "G", **bad}
        response = client.post(f"/family/kids/{emma['id']}/rules", data=form, headers=KIDS_PAGE, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/family/kids", bad
        assert 'role="alert"' in client.get("/family/kids").text, bad
        db.refresh(kid)
        assert (kid.rules_mode, kid.max_movie_rating) == ("rules", "PG-13"), bad

    client.post(f"/family/kids/{emma['id']}/rules", data={"csrf_token": token, "preset": "13"})
    db.refresh(kid)
    assert (kid.rules_mode, kid.max_movie_rating, kid.max_tv_rating, kid.block_unrated) == (
        "rules",
        "PG-13",
        "TV-PG",
        True,
    )
    assert kid.blocked_tags == ["peril", "scary_scenes"]  # a preset sets the caps, the tags stay
    # Presets are the starts of the US bands (0, 13, 14, 17): another age is refused, nothing changes.
    client.post(f"/family/kids/{emma['id']}/rules", data={"csrf_token": token, "preset": "3"}, headers=KIDS_PAGE)
    db.refresh(kid)
    assert kid.max_tv_rating == "TV-PG"


def test_what_a_kid_can_watch_lists_visible_and_hidden_titles_with_reasons(client, db):
    parent = logged_in_parent(client)
    emma = add_kid(client, parent, "Emma", age=5)
    caps = {"mode": "rules", "max_movie_rating": "G", "max_tv_rating": "TV-Y7", "block_unrated": True}
    assert client.put(f"/api/parent/kids/{emma['id']}/rules", json=caps, headers=auth(parent)).status_code == 200
    bluey, moana, frozen = (offline_title(db, name, with_episodes=False) for name in ("Bluey", "Moana", "Frozen"))
    token = csrf(client, "/catalog")
    for title in (bluey, moana):
        client.post(f"/family/library/{title.id}", data={"csrf_token": token})
    allow(client, parent, emma, frozen)  # allowed by a parent over Emma's limit

    page = html.unescape(client.get(f"/family/kids/{emma['id']}/watch").text)
    assert "What Emma can watch" in page
    visible, hidden = page.split('id="hidden"')
    assert "Bluey" in visible and "Within Emma's rules" in visible
    assert "Frozen" in visible and "Allowed by you, although PG is above Emma's limit, G" in visible
    assert "Moana" in hidden and "PG is above Emma's limit, G" in hidden
    assert f'href="/family/kids/{emma["id"]}/why/{moana.id}"' in hidden
    assert client.get(f"/family/kids/{emma['id']}/why/{moana.id}").status_code == 200


def test_the_title_page_saves_rules_and_blocked_episodes_in_one_form(client, db):
    parent = logged_in_parent(client)
    emma, leo = add_kid(client, parent, "Emma", age=8), add_kid(client, parent, "Leo", age=None)
    bluey = offline_title(db, "Bluey")
    allow(client, parent, emma, bluey)
    first, second = episode_ids(db, bluey.id)[:2]

    page = html.unescape(client.get(f"/catalog/titles/{bluey.id}").text)
    assert page.count('<form method="post" action="/catalog/titles/') == 1
    assert "Follows Emma's rules" in page and "No rule (hidden)" in page  # Emma in rules mode, Leo on the allow list
    assert "Made for children" in page and "made_for_kids" not in page

    token = csrf(client, f"/catalog/titles/{bluey.id}")
    response = client.post(
        f"/catalog/titles/{bluey.id}/policies",
        follow_redirects=False,
        data={
            "csrf_token": token,
            "kid": [str(emma["id"]), str(leo["id"])],
            "policy": ["allow", "deny"],
            "episodes_for": str(emma["id"]),
            "blocked": [str(first), str(second)],
        },
    )
    assert response.headers["location"] == f"/catalog/titles/{bluey.id}?kid={emma['id']}"
    assert "2 episodes blocked for Emma" in client.get(response.headers["location"]).text
    rows = {
        row.kid_profile_id: row
        for row in db.scalars(
            select(KidProfileTitle)
            .where(KidProfileTitle.title_id == bluey.id)
            .execution_options(populate_existing=True)
        )
    }
    assert rows[leo["id"]].policy == "deny"
    assert rows[emma["id"]].policy == "allow" and rows[emma["id"]].blocked_episodes == [first, second]

    # A rule taken away in the same form drops the blocks with it, and nothing else fails.
    client.post(
        f"/catalog/titles/{bluey.id}/policies",
        data={
            "csrf_token": token,
            "kid": [str(emma["id"]), str(leo["id"])],
            "policy": ["", "deny"],
            "episodes_for": str(emma["id"]),
            "blocked": [str(first)],
        },
    )
    assert db.scalars(
        select(KidProfileTitle.kid_profile_id)
        .where(KidProfileTitle.title_id == bluey.id)
        .execution_options(populate_existing=True)
    ).all() == [leo["id"]]


def test_another_familys_library_and_kids_are_not_found(client, db):
    owner = sign_up(client)
    emma = add_kid(client, owner, "Emma")
    bluey = offline_title(db, "Bluey", with_episodes=False)
    allow(client, owner, emma, bluey)
    logged_in_parent(client)  # another family
    assert client.get(f"/family/library/{bluey.id}/remove").status_code == 404
    token = csrf(client, "/")
    assert (
        "not in the family library"
        in client.post(f"/family/library/{bluey.id}/remove", data={"csrf_token": token}).text
    )
    assert client.get(f"/family/kids/{emma['id']}/watch").status_code == 404
    answer = client.post(f"/family/kids/{emma['id']}/rules", data={"csrf_token": token, "mode": "allow_list"})
    assert "not found" in answer.text.lower()
    assert bluey.id in library_ids(db, owner["id"])
    assert db.get(KidProfile, emma["id"]).rules_mode == "rules"
