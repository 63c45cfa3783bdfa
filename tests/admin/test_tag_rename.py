"""Renaming a content tag renames it everywhere it is used, in one transaction: titles', episodes'
and kids' rules; a name another tag holds, or an automatic tag's name, is a 409."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from axolotly.accounts.service import create_admin
from axolotly.models import ContentTag, KidProfile
from tests.support.admin_console import console, flash, rows_of, send_rows, tag_form
from tests.support.api import PASSWORD, add_kid, admin_headers, auth, sign_up
from tests.support.factories import make_episode, make_title
from tests.support.launcher_helpers import pair_device
from tests.support.pages import log_in

RULES = {"mode": "rules", "max_movie_rating": None, "max_tv_rating": None, "block_unrated": False}


def new_tag(client, headers, name: str) -> int:
    response = client.post("/api/admin/tags", json={"tag": name, "category": "theme"}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def family_blocking(client, db, tag: str):
    """Emma (rules mode) blocks `tag`; the library holds a film and an episode carrying it, and a film without."""
    parent = sign_up(client)
    emma = add_kid(client, parent, "Emma", age=None)
    answer = client.put(
        f"/api/parent/kids/{emma['id']}/rules", json={**RULES, "blocked_tags": [tag, "peril"]}, headers=auth(parent)
    )
    assert answer.status_code == 200, answer.text
    # Tags written as an older backend or psql would: the catalog only derives its automatic ones.
    tagged = make_title(db, title="Ghost Film", providers=["netflix"], certification="G", tags=["animated", tag])
    show = make_title(db, title="Quiet Show", media_type="tv", providers=["netflix"], certification="TV-Y")
    make_episode(db, show, 1, 1, name="Spooky one", tags=[tag])
    make_episode(db, show, 1, 2, name="Calm one")
    plain = make_title(db, title="Plain Film", providers=["netflix"], certification="G", tags=["animated"])
    db.commit()
    for title in (tagged, show, plain):
        assert client.put(f"/api/parent/library/{title.id}", headers=auth(parent)).status_code == 201
    return parent, emma, pair_device(client, parent)


def launcher_titles(client, device) -> dict[str, list[str]]:
    """What the kid's launcher shows: each title with its episodes' names."""
    answer = client.get("/api/apps", headers=device)
    assert answer.status_code == 200, answer.text
    return {
        item["appName"]: [e["name"] for e in item["episodes"]] for group in answer.json() for item in group["content"]
    }


SHOWN = {"Plain Film": [], "Quiet Show": ["Calm one"]}  # Ghost Film and the spooky episode are hidden


def uses_of(db, name: str) -> int:
    """Rows of titles, episodes and kids' rules that still hold `name`."""
    return db.execute(
        text("""
        SELECT (SELECT count(*) FROM titles WHERE tags ? :name) + (SELECT count(*) FROM episodes WHERE tags ? :name)
             + (SELECT count(*) FROM kid_profiles WHERE blocked_tags ? :name)"""),
        {"name": name},
    ).scalar_one()


def test_a_renamed_tag_is_renamed_in_titles_episodes_and_rules_and_still_blocks(client, db):
    admin_api = admin_headers(client, db)
    tag_id = new_tag(client, admin_api, "gentle_ghosts")
    parent, emma, device = family_blocking(client, db, "gentle_ghosts")
    assert launcher_titles(client, device) == SHOWN
    etag = client.get("/api/apps", headers=device).headers["ETag"]

    renamed = client.put(
        f"/api/admin/tags/{tag_id}", json={"tag": "friendly_ghosts", "category": "theme"}, headers=admin_api
    )
    assert renamed.status_code == 200 and renamed.json()["tag"] == "friendly_ghosts"

    assert uses_of(db, "gentle_ghosts") == 0
    assert uses_of(db, "friendly_ghosts") == 3  # the film, the episode, Emma's rules
    assert launcher_titles(client, device) == SHOWN, "Emma's rules still block the renamed tag"
    assert client.get("/api/apps", headers=device).headers["ETag"] != etag, "what the launcher holds changed"
    rules = client.get(f"/api/parent/kids/{emma['id']}/rules", headers=auth(parent)).json()
    assert rules["blocked_tags"] == ["friendly_ghosts", "peril"]
    saved = client.put(
        f"/api/parent/kids/{emma['id']}/rules",
        headers=auth(parent),
        json={key: value for key, value in rules.items() if key != "kid_id"},
    )
    assert saved.status_code == 200, saved.text


def test_renaming_onto_another_tags_name_is_a_409_and_changes_nothing(client, db):
    admin_api = admin_headers(client, db)
    tag_id = new_tag(client, admin_api, "gentle_ghosts")
    new_tag(client, admin_api, "loud_ghosts")
    family_blocking(client, db, "gentle_ghosts")
    answer = client.put(f"/api/admin/tags/{tag_id}", json={"tag": "loud_ghosts"}, headers=admin_api)
    assert answer.status_code == 409 and answer.json()["detail"] == "The tag 'loud_ghosts' exists already"
    assert uses_of(db, "gentle_ghosts") == 3 and uses_of(db, "loud_ghosts") == 0
    assert db.scalar(select(ContentTag.tag).where(ContentTag.id == tag_id)) == "gentle_ghosts"


def test_an_automatic_tag_keeps_its_name(client, db):
    """The catalog gives `peril` to titles from TMDB's genres at every sync: renamed, it would come back."""
    admin_api = admin_headers(client, db)
    peril = db.scalar(select(ContentTag).where(ContentTag.tag == "peril"))
    answer = client.put(
        f"/api/admin/tags/{peril.id}", json={"tag": "danger", "category": peril.category}, headers=admin_api
    )
    assert answer.status_code == 409 and "from TMDB" in answer.json()["detail"]
    assert db.scalar(text("SELECT count(*) FROM content_tags WHERE tag IN ('peril', 'danger')")) == 1
    assert db.scalar(text("SELECT tag FROM content_tags WHERE id = :id"), {"id": peril.id}) == "peril"
    described = client.put(
        f"/api/admin/tags/{peril.id}",
        json={"tag": "peril", "category": peril.category, "description": "Heroes in danger"},
        headers=admin_api,
    )
    assert described.status_code == 200, described.text


@pytest.fixture
def console_browser(client, db):
    """An admin's own browser on the console."""
    create_admin(db, "console@example.com", PASSWORD)
    with TestClient(client.app) as browser:
        assert log_in(browser, "console@example.com").status_code == 303
        yield browser


def test_the_console_form_renames_everywhere_too(client, db, console_browser):
    admin_api = admin_headers(client, db)
    new_tag(client, admin_api, "gentle_ghosts")
    _, emma, device = family_blocking(client, db, "gentle_ghosts")
    rows = rows_of(tag_form(console(console_browser)))
    next(row for row in rows if row["tag"] == "gentle_ghosts")["tag"] = "friendly_ghosts"
    assert "Tags saved: 1 changed" in flash(console_browser, send_rows(console_browser, rows))
    assert uses_of(db, "gentle_ghosts") == 0 and uses_of(db, "friendly_ghosts") == 3
    db.expire_all()
    assert db.get(KidProfile, emma["id"]).blocked_tags == ["friendly_ghosts", "peril"]
    assert launcher_titles(client, device) == SHOWN
