"""ETag/304 and the cost of /api/apps: statements per call, every change changes the ETag."""

from sqlalchemy import text

from axolotly.models import Episode, KidProfileTitle, Title
from tests.api import add_kid, auth, episode_ids, offline_title, sign_up
from tests.launcher_helpers import assign, device_row_id, pair_device


def setup_family(client, db):
    parent = sign_up(client)
    emma, leo = add_kid(client, parent, "Emma"), add_kid(client, parent, "Leo")
    bluey = offline_title(db, "Bluey")
    client.put("/api/parent/services/selected", json={"services": ["disney_plus"]}, headers=auth(parent))
    client.put(f"/api/parent/kids/{emma['id']}/policies/{bluey.id}", json={"policy": "allow"}, headers=auth(parent))
    device = pair_device(client, parent)
    row = device_row_id(client, parent, device)
    assign(client, parent, row, emma["id"])
    return parent, emma, leo, bluey, device, row


def etag(client, device) -> str:
    response = client.get("/api/apps", headers=device)
    assert response.status_code == 200
    return response.headers["ETag"]


def test_if_none_match_gives_304_without_body(client, db):
    parent, emma, leo, bluey, device, row = setup_family(client, db)
    tag = etag(client, device)
    response = client.get("/api/apps", headers={**device, "If-None-Match": tag})
    assert response.status_code == 304 and response.content == b"" and response.headers["ETag"] == tag
    assert client.get("/api/apps", headers={**device, "If-None-Match": '"other"'}).status_code == 200


def test_gzip_when_accepted_with_its_own_etag_and_the_same_content(client, db):
    parent, emma, leo, bluey, device, row = setup_family(client, db)
    plain = client.get("/api/apps", headers={**device, "Accept-Encoding": "identity"})
    packed = client.get("/api/apps", headers={**device, "Accept-Encoding": "gzip"})
    refused = client.get("/api/apps", headers={**device, "Accept-Encoding": "gzip;q=0, identity"})
    assert "Content-Encoding" not in plain.headers and "Content-Encoding" not in refused.headers
    assert packed.headers["Content-Encoding"] == "gzip" and packed.headers["Vary"] == "Accept-Encoding"
    assert int(packed.headers["Content-Length"]) < len(plain.content)
    assert packed.json() == plain.json() and plain.json()[0]["content"][0]["appName"] == "Bluey"
    assert packed.headers["ETag"] != plain.headers["ETag"]
    # Either tag names the same content: a client that switched encodings still gets its 304.
    for tag in (plain.headers["ETag"], packed.headers["ETag"]):
        assert client.get("/api/apps", headers={**device, "If-None-Match": tag}).status_code == 304


def test_every_change_that_alters_the_launcher_changes_the_etag(client, db):
    parent, emma, leo, bluey, device, row = setup_family(client, db)
    episode = episode_ids(db, bluey.id)[0]
    moana = offline_title(db, "Moana")
    changes = {
        "policy": lambda: client.put(f"/api/parent/kids/{emma['id']}/policies/{moana.id}", json={"policy": "allow"}, headers=auth(parent)),
        "blocked episode": lambda: client.put(f"/api/parent/kids/{emma['id']}/policies/{bluey.id}/blocked-episodes/{episode}", headers=auth(parent)),
        "selection": lambda: client.put("/api/parent/services/selected", json={"services": ["pbs_kids", "disney_plus"]}, headers=auth(parent)),
        "assignment": lambda: assign(client, parent, row, leo["id"]),
        "assignment back": lambda: assign(client, parent, row, emma["id"]),
        "title data": lambda: db.execute(text("UPDATE titles SET poster_path = '/new.jpg' WHERE id = :id"), {"id": bluey.id}),
        "episode data": lambda: db.execute(text("UPDATE episodes SET name = 'Renamed' WHERE id = :id"), {"id": episode_ids(db, bluey.id)[1]}),
        "new episode": lambda: (db.add(Episode(tmdb_episode_id=555555501, title_id=bluey.id, season_number=9, episode_number=1)), db.flush()),
        "episode link": lambda: client.post("/api/device/episode-report", json={"title_id": bluey.id, "season": 1, "episode": 2,
                                            "platform": "disney_plus", "url": "https://www.disneyplus.com/video/x"}, headers=device),
        "policy removed": lambda: client.delete(f"/api/parent/kids/{emma['id']}/policies/{moana.id}", headers=auth(parent)),
    }
    for what, change in changes.items():
        before = client.get("/api/apps", headers=device)
        change()
        after = client.get("/api/apps", headers={**device, "If-None-Match": before.headers["ETag"]})
        assert after.status_code == 200, f"{what} did not change the ETag"
        assert after.headers["ETag"] != before.headers["ETag"] or what == "assignment back"


def test_changes_that_do_not_alter_the_launcher_keep_the_etag(client, db):
    parent, emma, leo, bluey, device, row = setup_family(client, db)
    tag = etag(client, device)
    db.execute(text("UPDATE titles SET last_synced = now() + interval '1 day' WHERE id = :id"), {"id": bluey.id})
    moana = offline_title(db, "Moana")
    client.put(f"/api/parent/kids/{leo['id']}/policies/{moana.id}", json={"policy": "allow"}, headers=auth(parent))
    client.patch(f"/api/parent/devices/{row}", json={"friendly_name": "Tablet"}, headers=auth(parent))
    assert client.get("/api/apps", headers={**device, "If-None-Match": tag}).status_code == 304


def test_apps_for_200_shows_by_10_episodes_costs_at_most_3_statements(client, db, count_statements):
    parent = sign_up(client)
    kid = add_kid(client, parent)
    client.put("/api/parent/services/selected", json={"services": ["netflix", "disney_plus", "hulu"]}, headers=auth(parent))
    titles = [Title(tmdb_id=7_000_000 + n, title=f"Show {n:03d}", media_type="tv",
                    providers=[["netflix", "disney_plus", "hulu"][n % 3]]) for n in range(200)]
    db.add_all(titles)
    db.flush()
    db.add_all([Episode(tmdb_episode_id=70_000_000 + t.id * 10 + e, title_id=t.id, season_number=1, episode_number=e + 1,
                        name=f"E{e}") for t in titles for e in range(10)])
    db.add_all([KidProfileTitle(kid_profile_id=kid["id"], title_id=t.id, policy="allow") for t in titles])
    db.flush()
    device = pair_device(client, parent)
    client.get("/api/apps", headers=device)  # first call may touch last_active
    count_statements.statements.clear()
    response = client.get("/api/apps", headers=device)
    groups = response.json()
    assert sum(g["count"] for g in groups) == 200
    assert all(len(c["episodes"]) == 10 for g in groups for c in g["content"])
    assert count_statements.count <= 3, count_statements.statements
    assert not [s for s in count_statements.statements if not s.lstrip().upper().startswith(("SELECT", "WITH"))]
    count_statements.statements.clear()
    assert client.get("/api/apps", headers={**device, "If-None-Match": response.headers["ETag"]}).status_code == 304
    assert count_statements.count == 1
