"""Admin moderation API: episode links (most reported first, verify, delete) and content tags."""

from sqlalchemy import select

from axolotly.models import ContentTag, EpisodeLink
from tests.support.api import admin_headers, auth, sign_up
from tests.support.launcher_helpers import family_with_bluey


def test_episode_links_most_reported_first_verify_and_delete(client, db):
    parent, kid, bluey, device = family_with_bluey(client, db)
    other_device = family_with_bluey(client, db)[3]
    report = {
        "tmdb_show_id": 82728,
        "season": 1,
        "episode": 1,
        "platform": "disney_plus",
        "url": "https://www.disneyplus.com/video/one",
    }
    client.post("/api/device/episode-report", json=report, headers=device)
    for reporter in (device, device, other_device):  # one family's devices count once
        client.post(
            "/api/device/episode-report",
            json=dict(report, episode=2, url="https://www.disneyplus.com/video/two"),
            headers=reporter,
        )
    assert client.get("/api/admin/episode-links", headers=auth(parent)).status_code == 403
    admin = admin_headers(client, db, "moderator@example.com")
    links = client.get("/api/admin/episode-links", headers=admin).json()
    assert [(link["episode"], link["families"], link["visible_to_kids"]) for link in links[:2]] == [
        (2, 2, True),
        (1, 1, False),
    ]
    assert client.post(f"/api/admin/episode-links/{links[0]['id']}/verify", headers=admin).status_code == 204
    assert db.get(EpisodeLink, links[0]["id"], populate_existing=True).verified is True
    assert client.delete(f"/api/admin/episode-links/{links[1]['id']}", headers=admin).status_code == 204
    assert db.get(EpisodeLink, links[1]["id"]) is None
    for missing in (
        client.post("/api/admin/episode-links/999999/verify", headers=admin),
        client.delete("/api/admin/episode-links/999999", headers=admin),
    ):
        assert missing.status_code == 404 and missing.json()["detail"]


def test_tags_add_and_edit_with_bad_input_refused(client, db):
    admin = admin_headers(client, db, "moderator@example.com")
    before = db.scalars(select(ContentTag.tag)).all()
    created = client.post("/api/admin/tags", json={"tag": "gentle_music", "category": "theme"}, headers=admin)
    assert created.status_code == 201
    tag_id = created.json()["id"]
    edited = client.put(
        f"/api/admin/tags/{tag_id}", json={"tag": "gentle_music", "description": "Soft songs"}, headers=admin
    )
    assert edited.status_code == 200 and edited.json()["description"] == "Soft songs"
    duplicate = client.post("/api/admin/tags", json={"tag": before[0]}, headers=admin)
    assert duplicate.status_code == 409 and "exists" in duplicate.json()["detail"]
    for bad in ({"tag": ""}, {"tag": "Has Spaces"}, {"tag": "x" * 101}, {}):
        assert client.post("/api/admin/tags", json=bad, headers=admin).status_code == 422
    assert client.put("/api/admin/tags/999999", json={"tag": "nope"}, headers=admin).status_code == 404
    assert client.get("/api/admin/tags", headers=auth(sign_up(client))).status_code == 403
    assert sorted(db.scalars(select(ContentTag.tag)).all()) == sorted([*before, "gentle_music"])
