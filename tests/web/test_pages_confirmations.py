"""What cannot be undone asks first, without JavaScript: delete a kid, remove a library title
(tests/families/test_library_pages.py), unpair (tests/web/test_pages_devices.py), an admin's link delete."""

import html

from sqlalchemy import select

from axolotly.accounts.service import create_admin
from axolotly.models import Device, EpisodeLink, KidProfile
from tests.support.api import PASSWORD, add_kid, sign_up
from tests.support.factories import make_episode, make_title
from tests.support.launcher_helpers import assign, device_row_id, pair_device
from tests.support.pages import csrf, log_in


def test_deleting_a_kid_asks_first_and_names_what_goes(client, db):
    parent = sign_up(client)
    emma = add_kid(client, parent, "Emma")
    device = device_row_id(client, parent, pair_device(client, parent))
    assign(client, parent, device, emma["id"])
    log_in(client, parent["email"])
    kids_page = client.get("/family/kids").text
    assert f'href="/family/kids/{emma["id"]}/delete"' in kids_page
    assert f'action="/family/kids/{emma["id"]}/delete"' not in kids_page  # no one-click delete
    confirm = html.unescape(client.get(f"/family/kids/{emma['id']}/delete").text)
    assert "<h1>Delete Emma?</h1>" in confirm and "1 device assigned to Emma" in confirm and "Keep Emma" in confirm
    assert db.get(KidProfile, emma["id"]) is not None  # asking deletes nothing
    client.post(f"/family/kids/{emma['id']}/delete", data={"csrf_token": csrf(client, "/family/kids")})
    db.expire_all()
    assert db.get(KidProfile, emma["id"]) is None
    assert db.get(Device, device).kid_profile_id is None


def episode_link(db) -> EpisodeLink:
    show = make_title(db, media_type="tv", title="Bluey")
    link = EpisodeLink(
        episode_id=make_episode(db, show, season=2, number=3, name="Hammerbarn").id,
        platform="disney_plus",
        url="https://www.disneyplus.com/video/hammerbarn",
    )
    db.add(link)
    db.flush()
    return link


def logged_in_admin(client, db) -> None:
    create_admin(db, "links@example.com", PASSWORD)
    log_in(client, "links@example.com")


def test_the_admins_link_delete_asks_first(client, db):
    link = episode_link(db)
    link_id = link.id
    logged_in_admin(client, db)
    token = csrf(client, "/admin")
    # The console's Delete button (a plain POST) lands on the confirmation, deleting nothing.
    asked = client.post(f"/admin/episode-links/{link.id}/delete", data={"csrf_token": token})
    page = html.unescape(asked.text)
    assert asked.status_code == 200 and "<h1>Delete this episode link?</h1>" in page
    assert "Bluey, season 2 episode 3 “Hammerbarn”" in page and "https://www.disneyplus.com/video/hammerbarn" in page
    assert '<input type="hidden" name="confirm" value="yes">' in page and 'href="/admin#links">Keep it</a>' in page
    assert db.get(EpisodeLink, link.id) is not None

    done = client.post(
        f"/admin/episode-links/{link_id}/delete", data={"csrf_token": token, "confirm": "yes"}, follow_redirects=False
    )
    assert done.status_code == 303 and done.headers["location"] == "/admin#links"
    db.expire_all()
    assert db.scalar(select(EpisodeLink).where(EpisodeLink.id == link_id)) is None


def test_the_link_delete_confirmation_of_a_missing_link_is_not_found_and_parents_cannot_ask(client, db):
    link = episode_link(db)
    logged_in_admin(client, db)
    missing = client.post(
        "/admin/episode-links/999999/delete", data={"csrf_token": csrf(client, "/admin")}, follow_redirects=False
    )
    assert missing.status_code == 303 and "not found" in client.get(missing.headers["location"]).text
    parent = sign_up(client)
    log_in(client, parent["email"])
    refused = client.post(
        f"/admin/episode-links/{link.id}/delete", data={"csrf_token": csrf(client, "/"), "confirm": "yes"}
    )
    assert "admin" in refused.text.lower() and db.get(EpisodeLink, link.id) is not None
