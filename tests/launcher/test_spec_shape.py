"""Rows in the spec's shape, written by plain SQL, read back through the parent API, the admin API
and the launcher (issue 21: "the spec's schema is the floor").

One row per table of the spec (`docs/schema.md`), every column the spec lists and only those
(plus `devices.api_key_digest`, without which no device can authenticate: the spec leaves device
authentication out), JSON as the spec describes it: genres as objects, providers and selections
as provider ids, tags as names, `blocked_episodes` as `'[]'` or an array of episode ids.
"""

import bcrypt
import pytest
from sqlalchemy import text

from axolotly.security import api_keys
from tests.support.api import PASSWORD
from tests.support.launcher_client_model import parse_apps

API_KEY = "a-key-the-older-backend-handed-out-to-this-device"
PIN = "1234"

SPEC_ROWS = """
INSERT INTO users (email, password_hash, role, created_at) VALUES
    ('spec.parent@example.com', :password_hash, 'parent', TIMESTAMP '2024-01-02 10:00:00'),
    ('spec.admin@example.com', :password_hash, 'admin', TIMESTAMP '2024-01-02 10:00:00');
INSERT INTO kid_profiles (family_id, name, pin_hash, created_at)
    SELECT id, 'Emma', :pin_hash, TIMESTAMP '2024-01-02 10:05:00' FROM users WHERE email = 'spec.parent@example.com';
INSERT INTO titles (tmdb_id, title, media_type, overview, poster_path, backdrop_path, release_date, rating,
                    genres, providers, tags, last_synced) VALUES
    (7000001, 'Spec Show', 'tv', 'A show stored as the spec says', '/show.jpg', '/show-wide.jpg', DATE '2018-10-01',
     '8.6', '[{"id": 16, "name": "Animation"}, {"id": 10762, "name": "Kids"}]', '["disney_plus", "netflix"]',
     '["animated"]', TIMESTAMP '2024-01-01 00:00:00'),
    (7000002, 'Spec Movie', 'movie', 'A movie stored as the spec says', '/movie.jpg', '/movie-wide.jpg',
     DATE '2016-11-23', '7.6', '[{"id": 16, "name": "Animation"}]', '["disney_plus"]', '[]',
     TIMESTAMP '2024-01-01 00:00:00');
INSERT INTO episodes (tmdb_episode_id, title_id, season_number, episode_number, name, overview, air_date,
                      thumbnail_path, tags)
    SELECT 7100000 + n, t.id, 1, n, 'Spec episode ' || n, 'What happens', DATE '2018-10-01' + n, '/still.jpg', '[]'
    FROM titles t CROSS JOIN generate_series(1, 2) n WHERE t.tmdb_id = 7000001;
INSERT INTO kid_profiles_titles (kid_profile_id, title_id, policy, blocked_episodes, created_at)
    SELECT k.id, t.id, 'allow', '[]', TIMESTAMP '2024-01-03 09:00:00'
    FROM kid_profiles k, titles t WHERE k.name = 'Emma' AND t.tmdb_id = 7000001;
INSERT INTO kid_profiles_titles (kid_profile_id, title_id, policy, blocked_episodes, created_at)
    SELECT k.id, t.id, 'allow', '[]', TIMESTAMP '2024-01-03 09:01:00'
    FROM kid_profiles k, titles t WHERE k.name = 'Emma' AND t.tmdb_id = 7000002;
INSERT INTO devices (device_id, family_id, kid_profile_id, friendly_name, paired_at, last_active, api_key_digest)
    SELECT 'spec-device-uuid', k.family_id, k.id, 'Living room tablet', TIMESTAMP '2024-01-03 09:30:00',
           TIMESTAMP '2024-01-04 18:00:00', :api_key_digest
    FROM kid_profiles k WHERE k.name = 'Emma';
INSERT INTO pairing_codes (code, family_id, created_at, expires_at, used)
    SELECT '482913', id, now(), now() + interval '10 minutes', false FROM users WHERE email = 'spec.parent@example.com';
INSERT INTO streaming_service_selection (family_id, selected_services, updated_at)
    SELECT id, '["netflix", "disney_plus"]', TIMESTAMP '2024-01-03 09:10:00'
    FROM users WHERE email = 'spec.parent@example.com';
INSERT INTO content_tags (tag, category, description)
    VALUES ('spec-shape-tag', 'themes', 'A tag written by plain SQL');
INSERT INTO episode_links (episode_id, platform, url, verified, reported_count, created_at)
    SELECT e.id, 'disney_plus', 'https://www.disneyplus.com/video/spec-1', true, 1, TIMESTAMP '2024-01-05 08:00:00'
    FROM episodes e WHERE e.tmdb_episode_id = 7100001;
INSERT INTO content_reports (family_id, title_id, issue_type, description, status, created_at, resolved_at)
    SELECT u.id, t.id, 'wrong_age_rating', 'Rated too low', 'pending', TIMESTAMP '2024-01-06 12:00:00', NULL
    FROM users u, titles t WHERE u.email = 'spec.parent@example.com' AND t.tmdb_id = 7000002;
"""

SPEC_TABLES = {
    "users",
    "kid_profiles",
    "titles",
    "episodes",
    "kid_profiles_titles",
    "devices",
    "pairing_codes",
    "streaming_service_selection",
    "content_tags",
    "episode_links",
    "content_reports",
}


def bearer(client, email: str) -> dict:
    response = client.post("/api/parent/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.fixture
def spec_family(db):
    """The rows, inserted by one plain SQL script; returns the ids a reader needs."""
    rounds = bcrypt.gensalt(rounds=4)
    values = {
        "password_hash": bcrypt.hashpw(PASSWORD.encode(), rounds).decode(),
        "pin_hash": bcrypt.hashpw(PIN.encode(), rounds).decode(),
        "api_key_digest": api_keys.digest(API_KEY),
    }
    for statement in SPEC_ROWS.split(";\n"):  # one statement at a time: bound values need it
        if statement.strip():
            db.execute(text(statement), values)
    ids = dict(
        db.execute(
            text(
                "SELECT 'kid', id FROM kid_profiles WHERE name = 'Emma' AND family_id = "
                "(SELECT id FROM users WHERE email = 'spec.parent@example.com') "
                "UNION ALL SELECT 'show', id FROM titles WHERE tmdb_id = 7000001 "
                "UNION ALL SELECT 'movie', id FROM titles WHERE tmdb_id = 7000002"
            )
        ).all()
    )
    ids["episodes"] = list(
        db.execute(
            text("SELECT id FROM episodes WHERE title_id = :show ORDER BY episode_number"), {"show": ids["show"]}
        ).scalars()
    )
    return ids


DEVICE = {"X-Device-ID": "spec-device-uuid", "X-API-Key": API_KEY}


def test_the_script_writes_every_spec_table(db, spec_family):
    counts = {table: db.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() for table in SPEC_TABLES}
    assert all(counts.values()), counts
    assert (
        db.execute(
            text("SELECT count(id) FROM kid_profiles_titles WHERE kid_profile_id = :kid"), {"kid": spec_family["kid"]}
        ).scalar_one()
        == 2
    )  # the spec's SERIAL ids, numbered


def test_the_parent_api_reads_the_spec_rows(client, spec_family):
    parent = bearer(client, "spec.parent@example.com")
    kid, show, movie = spec_family["kid"], spec_family["show"], spec_family["movie"]

    kids = client.get("/api/parent/kids", headers=parent).json()
    assert [k["name"] for k in kids] == ["Emma"] and kids[0]["id"] == kid

    policies = client.get(f"/api/parent/kids/{kid}/policies", headers=parent)
    assert policies.status_code == 200, policies.text
    assert {(p["title"]["id"], p["policy"], tuple(p["blocked_episodes"])) for p in policies.json()} == {
        (show, "allow", ()),
        (movie, "allow", ()),
    }

    detail = client.get(f"/api/parent/catalog/titles/{show}", headers=parent).json()
    assert (detail["title"], detail["media_type"], detail["rating"], detail["release_date"]) == (
        "Spec Show",
        "tv",
        "8.6",
        "2018-10-01",
    )
    assert detail["genres"] == [{"id": 16, "name": "Animation"}, {"id": 10762, "name": "Kids"}]
    assert detail["providers"] == ["disney_plus", "netflix"] and detail["tags"] == ["animated"]
    assert [e["name"] for e in detail["episodes"]] == ["Spec episode 1", "Spec episode 2"]

    assert client.get("/api/parent/services/selected", headers=parent).json()["services"] == ["netflix", "disney_plus"]
    devices = client.get("/api/parent/devices", headers=parent).json()
    assert [(d["friendly_name"], d["kid_id"]) for d in devices] == [("Living room tablet", kid)]
    assert [c["code"] for c in client.get("/api/parent/pairing-codes", headers=parent).json()] == ["482913"]
    reports = client.get("/api/parent/reports", headers=parent).json()
    assert [(r["title_id"], r["issue_type"], r["status"]) for r in reports] == [(movie, "wrong_age_rating", "pending")]


def test_an_empty_blocked_list_blocks_nothing_in_the_explanation(client, spec_family):
    parent = bearer(client, "spec.parent@example.com")
    explained = client.get(
        f"/api/parent/kids/{spec_family['kid']}/titles/{spec_family['show']}/explain", headers=parent
    )
    assert explained.status_code == 200, explained.text
    body = explained.json()
    assert body["visible"] and [e["visible"] for e in body["episodes"]] == [True, True]


def test_the_admin_api_reads_the_spec_rows(client, spec_family):
    admin = bearer(client, "spec.admin@example.com")
    tags = {t["tag"]: t for t in client.get("/api/admin/tags", headers=admin).json()}
    assert (tags["spec-shape-tag"]["category"], tags["spec-shape-tag"]["description"]) == (
        "themes",
        "A tag written by plain SQL",
    )
    links = client.get("/api/admin/episode-links", headers=admin).json()
    assert [(link["title"], link["platform"], link["verified"]) for link in links] == [
        ("Spec Show", "disney_plus", True)
    ]
    reports = client.get("/api/admin/reports", headers=admin)
    assert reports.status_code == 200, reports.text
    assert [r["issue_type"] for r in reports.json()] == ["wrong_age_rating"]


def test_the_launcher_reads_the_spec_rows(client, spec_family):
    validate = client.get("/api/device/validate", headers=DEVICE)
    assert validate.status_code == 200, validate.text
    assert (validate.json()["kid_profile_id"], validate.json()["kid_name"]) == (spec_family["kid"], "Emma")

    response = client.get("/api/apps", headers=DEVICE)
    assert response.status_code == 200, response.text
    raw = response.json()
    groups = parse_apps(raw)  # strict, as the Kotlin client parses it
    # The selection's order; the movie is only on Disney+.
    assert [(g["id"], [item["appName"] for item in g["content"]]) for g in raw] == [
        ("netflix", ["Spec Show"]),
        ("disney_plus", ["Spec Movie", "Spec Show"]),
    ]
    show = next(item for item in raw[1]["content"] if item["appName"] == "Spec Show")
    assert (show["iconUrl"], show["ageRating"], show["mediaType"]) == (
        "https://image.tmdb.org/t/p/w500/show.jpg",
        "All",
        "TV",
    )
    # '[]' blocks nothing; the verified link is the episode's deep link on its platform only.
    assert show["episodes"] == [
        {"id": "s1e1", "name": "Spec episode 1", "deepLink": "https://www.disneyplus.com/video/spec-1"},
        {"id": "s1e2", "name": "Spec episode 2", "deepLink": ""},
    ]
    assert [e["deepLink"] for e in raw[0]["content"][0]["episodes"]] == ["", ""]
    assert len(groups) == 2

    stats = client.get("/api/stats", headers=DEVICE).json()
    assert stats["totalAppsEnabled"] == 2


def test_the_spec_pairing_code_pairs_a_device(client, spec_family):
    response = client.post("/api/pair", json={"pairingCode": "482913"})
    assert response.status_code == 200, response.text
    paired = {"X-Device-ID": response.json()["deviceId"], "X-API-Key": response.json()["apiKey"]}
    assert client.get("/api/device/validate", headers=paired).json()["kid_profile_id"] == spec_family["kid"]
    assert client.post("/api/pair", json={"pairingCode": "482913"}).status_code == 401  # used: single use


def test_blocked_ids_and_an_empty_list_read_the_same_in_the_launcher_and_the_api(client, db, spec_family):
    """`'[]'` and NULL are "nothing blocked"; an id in the spec's array hides that episode everywhere."""
    parent = bearer(client, "spec.parent@example.com")
    kid, show = spec_family["kid"], spec_family["show"]
    first, second = spec_family["episodes"]
    db.execute(
        text(
            "UPDATE kid_profiles_titles SET blocked_episodes = CAST(:blocked AS jsonb) "
            "WHERE kid_profile_id = :kid AND title_id = :show"
        ),
        {"blocked": f"[{second}]", "kid": kid, "show": show},
    )
    items = [
        item
        for group in client.get("/api/apps", headers=DEVICE).json()
        for item in group["content"]
        if item["appName"] == "Spec Show"
    ]
    assert [[e["id"] for e in item["episodes"]] for item in items] == [["s1e1"], ["s1e1"]]
    explained = client.get(f"/api/parent/kids/{kid}/titles/{show}/explain", headers=parent).json()
    assert [(e["episode_id"], e["visible"]) for e in explained["episodes"]] == [(first, True), (second, False)]

    for nothing in ("[]", None):
        db.execute(
            text(
                "UPDATE kid_profiles_titles SET blocked_episodes = CAST(:blocked AS jsonb) "
                "WHERE kid_profile_id = :kid AND title_id = :show"
            ),
            {"blocked": nothing, "kid": kid, "show": show},
        )
        items = [
            item
            for group in client.get("/api/apps", headers=DEVICE).json()
            for item in group["content"]
            if item["appName"] == "Spec Show"
        ]
        assert [len(item["episodes"]) for item in items] == [2, 2], nothing
        policies = client.get(f"/api/parent/kids/{kid}/policies", headers=parent).json()
        assert [p["blocked_episodes"] for p in policies if p["title"]["id"] == show] == [[]], nothing
