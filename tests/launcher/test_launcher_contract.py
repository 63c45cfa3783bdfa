"""The launcher contract, field by field, and what it returns for whom."""

from sqlalchemy import text

from tests.support.api import add_kid, auth, episode_ids, offline_title, sign_up
from tests.support.launcher_client_model import parse_apps
from tests.support.launcher_helpers import device_row_id, family_with_bluey, pair_device


def test_pair_contract(client):
    parent = sign_up(client)
    code = client.post("/api/parent/pairing-codes", headers=auth(parent)).json()["code"]
    body = client.post("/api/pair", json={"pairingCode": code}).json()
    assert set(body) == {"deviceId", "apiKey", "familyName"}
    assert len(body["deviceId"]) == 36 and len(body["apiKey"]) >= 43
    assert body["familyName"].endswith("family")


def test_pair_errors_are_exactly_as_specified(client):
    for body in (
        {"pairingCode": "12345"},
        {"pairingCode": "1234567"},
        {"pairingCode": 123456},
        {"pairingCode": "12a456"},
        {},
        {"pairingCode": "١٢٣٤٥٦"},
    ):
        response = client.post("/api/pair", json=body)
        assert (response.status_code, response.json()) == (400, {"detail": "Invalid pairing code format"}), body
    assert (
        client.post("/api/pair", content=b"not json", headers={"Content-Type": "application/json"}).status_code == 400
    )
    response = client.post("/api/pair", json={"pairingCode": "000000"})
    assert (response.status_code, response.json()) == (401, {"detail": "Invalid or expired pairing code"})


def test_used_and_expired_codes_get_the_same_401(client, db):
    parent = sign_up(client)
    code = client.post("/api/parent/pairing-codes", headers=auth(parent)).json()["code"]
    assert client.post("/api/pair", json={"pairingCode": code}).status_code == 200
    used = client.post("/api/pair", json={"pairingCode": code})
    expired_code = client.post("/api/parent/pairing-codes", headers=auth(parent)).json()["code"]
    db.execute(
        text("UPDATE pairing_codes SET expires_at = now() - interval '1 second' WHERE code = :c"), {"c": expired_code}
    )
    expired = client.post("/api/pair", json={"pairingCode": expired_code})
    assert used.status_code == expired.status_code == 401
    assert used.json() == expired.json() == {"detail": "Invalid or expired pairing code"}


def test_apps_contract_fields_and_types(client, db):
    parent, kid, bluey, device = family_with_bluey(client, db)
    db.execute(text("UPDATE titles SET poster_path = '/p.jpg', backdrop_path = NULL WHERE id = :id"), {"id": bluey.id})
    response = client.get("/api/apps", headers=device)
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    groups = response.json()
    assert [g["id"] for g in groups] == ["disney_plus", "pbs_kids"]
    group = groups[0]
    assert set(group) == {"id", "name", "package", "packageName", "count", "content"}
    assert (group["name"], group["package"], group["packageName"], group["count"]) == (
        "Disney+",
        "com.disney.disneyplus",
        "com.disney.disneyplus",
        1,
    )
    item = group["content"][0]
    assert set(item) == {
        "id",
        "appName",
        "packageName",
        "iconUrl",
        "coverArt",
        "isEnabled",
        "ageRating",
        "mediaType",
        "deepLink",
        "episodes",
    }
    assert item["id"] == str(bluey.id) and item["appName"] == "Bluey"
    assert item["packageName"] == "com.disney.disneyplus"
    assert item["iconUrl"] == "https://image.tmdb.org/t/p/w500/p.jpg" and item["coverArt"] == ""
    assert item["isEnabled"] is True and item["ageRating"] == "TV-Y" and item["mediaType"] == "TV"
    assert item["deepLink"] == ""
    assert item["episodes"][0] == {"id": "s1e1", "name": "Magic Xylophone", "deepLink": ""}
    assert len(item["episodes"]) == len(episode_ids(db, bluey.id))


def test_a_kotlin_client_parses_a_title_with_nothing_optional(client, db):
    """No poster, no backdrop, no certification, unnamed episodes, no links: still all strings."""
    parent, kid, bluey, device = family_with_bluey(client, db)
    db.execute(
        text(
            "UPDATE titles SET poster_path = NULL, backdrop_path = '', certification = NULL, certifications = '{}' "
            "WHERE id = :id"
        ),
        {"id": bluey.id},
    )
    first, second = episode_ids(db, bluey.id)[:2]
    db.execute(text("UPDATE episodes SET name = NULL WHERE id = :id"), {"id": first})
    db.execute(text("UPDATE episodes SET name = '  ' WHERE id = :id"), {"id": second})
    moana = offline_title(db, "Moana")
    db.execute(
        text("UPDATE titles SET poster_path = NULL, certification = '', certifications = '{}' WHERE id = :id"),
        {"id": moana.id},
    )
    client.put(f"/api/parent/kids/{kid['id']}/policies/{moana.id}", json={"policy": "allow"}, headers=auth(parent))

    for encoding in ("gzip", "identity"):
        groups = parse_apps(client.get("/api/apps", headers={**device, "Accept-Encoding": encoding}).json())
        items = {item.appName: item for group in groups for item in group.content}
        show, movie = items["Bluey"], items["Moana"]
        assert (show.iconUrl, show.coverArt, show.ageRating, show.deepLink) == ("", "", "All", "")
        assert (movie.iconUrl, movie.ageRating, movie.mediaType, movie.episodes) == ("", "All", "MOVIE", [])
        assert [e.name for e in show.episodes[:2]] == ["Episode 1", "Episode 2"]
        assert all(e.deepLink == "" for e in show.episodes)
        assert all(group.package == group.packageName and group.count == len(group.content) for group in groups)


def test_movies_have_no_episodes_and_groups_follow_selection_order(client, db):
    parent, kid, bluey, device = family_with_bluey(client, db, services=("pbs_kids", "disney_plus"))
    moana = offline_title(db, "Moana")
    client.put(f"/api/parent/kids/{kid['id']}/policies/{moana.id}", json={"policy": "allow"}, headers=auth(parent))
    groups = client.get("/api/apps", headers=device).json()
    assert [g["id"] for g in groups] == ["pbs_kids", "disney_plus"]
    disney = groups[1]
    assert [c["appName"] for c in disney["content"]] == ["Bluey", "Moana"] and disney["count"] == 2
    assert disney["content"][1]["mediaType"] == "MOVIE" and disney["content"][1]["episodes"] == []


def test_no_selection_groups_by_each_titles_own_providers(client, db):
    parent, kid, bluey, device = family_with_bluey(client, db, services=())
    assert [g["id"] for g in client.get("/api/apps", headers=device).json()] == ["disney_plus", "pbs_kids"]


def test_best_episode_link_verified_then_reported_then_oldest(client, db):
    parent, kid, bluey, device = family_with_bluey(client, db)
    first = episode_ids(db, bluey.id)[0]
    db.execute(
        text("""INSERT INTO episode_links (episode_id, platform, url, verified, reported_count, created_at) VALUES
        (:e, 'disney_plus', 'https://d/popular', false, 50, now()),
        (:e, 'disney_plus', 'https://d/verified', true, 1, now()),
        (:e, 'pbs_kids', 'https://p/old', false, 3, now() - interval '2 days'),
        (:e, 'pbs_kids', 'https://p/new', false, 3, now())"""),
        {"e": first},
    )
    groups = {g["id"]: g for g in client.get("/api/apps", headers=device).json()}
    assert groups["disney_plus"]["content"][0]["episodes"][0]["deepLink"] == "https://d/verified"
    assert groups["pbs_kids"]["content"][0]["episodes"][0]["deepLink"] == "https://p/old"


def test_unassigned_device_gets_an_empty_list(client, db):
    parent = sign_up(client)
    add_kid(client, parent, "A")
    add_kid(client, parent, "B")
    device = pair_device(client, parent)  # two kids: not assigned
    response = client.get("/api/apps", headers=device)
    assert (response.status_code, response.json()) == (200, [])
    validate = client.get("/api/device/validate", headers=device)
    assert (validate.status_code, validate.json()) == (404, {"detail": "Device not linked to a kid profile"})


def test_validate_names_the_kid(client, db):
    parent, kid, bluey, device = family_with_bluey(client, db)
    assert client.get("/api/device/validate", headers=device).json() == {
        "is_paired": True,
        "kid_profile_id": kid["id"],
        "kid_name": "Emma",
        "kid_age": 8,
    }


def test_bad_credentials_are_401_with_the_spec_message(client, db):
    parent, kid, bluey, device = family_with_bluey(client, db)
    digest = db.execute(
        text("SELECT api_key_digest FROM devices WHERE device_id = :d"), {"d": device["X-Device-ID"]}
    ).scalar_one()
    for headers in (
        {},
        {"X-Device-ID": device["X-Device-ID"]},
        {"X-Device-ID": device["X-Device-ID"], "X-API-Key": "wrong"},
        {"X-Device-ID": device["X-Device-ID"], "X-API-Key": digest},
        {"X-Device-ID": "unknown", "X-API-Key": device["X-API-Key"]},
    ):
        for path in ("/api/apps", "/api/device/validate"):
            response = client.get(path, headers=headers)
            assert (response.status_code, response.json()) == (401, {"detail": "Invalid device credentials"})
    lower = {"x-device-id": device["X-Device-ID"], "x-api-key": device["X-API-Key"]}
    assert client.get("/api/apps", headers=lower).status_code == 200


def test_unpaired_device_and_deleted_kid_or_family(client, db):
    parent, kid, bluey, device = family_with_bluey(client, db)
    client.delete(f"/api/parent/kids/{kid['id']}", headers=auth(parent))
    assert client.get("/api/apps", headers=device).json() == [], "deleted kid: device stays paired, unassigned"
    row = device_row_id(client, parent, device)
    assert client.delete(f"/api/parent/devices/{row}", headers=auth(parent)).status_code == 204
    assert client.get("/api/apps", headers=device).status_code == 401
    other = pair_device(client, parent)
    client.request("DELETE", "/api/parent/me", json={"password": "correct horse battery"}, headers=auth(parent))
    assert client.get("/api/device/validate", headers=other).status_code == 401


def test_last_active_is_written_at_most_once_a_minute(client, db, count_statements):
    parent, kid, bluey, device = family_with_bluey(client, db)
    client.get("/api/device/validate", headers=device)
    first = db.execute(
        text("SELECT last_active FROM devices WHERE device_id = :d"), {"d": device["X-Device-ID"]}
    ).scalar_one()
    assert first is not None
    count_statements.statements.clear()
    client.get("/api/device/validate", headers=device)
    assert not [s for s in count_statements.statements if s.lstrip().upper().startswith("UPDATE")]
