"""Crowd-sourced episode links: every body launchers send, only the provider's own links, counted
per family, shown to kids only when trusted, and never rendered with another scheme."""

import json
import re

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from axolotly.accounts.service import create_admin
from axolotly.catalog.providers import PROVIDERS, is_trusted_url, resolve_provider
from axolotly.db import migrate
from tests.support.api import PASSWORD, add_kid, admin_headers, auth, episode_ids, offline_title, sign_up
from tests.support.launcher_helpers import pair_device
from tests.support.pages import csrf, log_in
from tests.support.pg import libpq_url, recreate_database

REPORT = "/api/device/episode-report"
BLUEY_TMDB = 82728
LINK = "https://www.disneyplus.com/video/bluey-s1e1"


def family(client, db, allow_bluey: bool = True, devices: int = 1):
    """A family with one kid (its devices assigned to the kid) and Bluey allowed or not."""
    parent = sign_up(client)
    kid = add_kid(client, parent, "Emma")
    bluey = offline_title(db, "Bluey")
    if allow_bluey:
        client.put(f"/api/parent/kids/{kid['id']}/policies/{bluey.id}", json={"policy": "allow"}, headers=auth(parent))
    return parent, kid, bluey, [pair_device(client, parent) for _ in range(devices)]


def report(client, device, **body):
    """The third body (Bluey S1E1 on Disney+) with `body`'s changes; a None drops a field."""
    body = {"tmdb_show_id": BLUEY_TMDB, "season": 1, "episode": 1, "platform": "disney_plus", "url": LINK} | body
    # json.dumps escapes a lone surrogate (as a launcher's JSON library may); httpx would refuse to send it.
    return client.post(
        REPORT,
        content=json.dumps({k: v for k, v in body.items() if v is not None}),
        headers={**device, "Content-Type": "application/json"},
    )


def first_episode_link(client, device, service: str = "disney_plus") -> str:
    groups = {g["id"]: g for g in client.get("/api/apps", headers=device).json()}
    return groups[service]["content"][0]["episodes"][0]["deepLink"]


def link_row(db, url: str = LINK):
    return db.execute(text("SELECT id, reported_count, verified FROM episode_links WHERE url = :u"), {"u": url}).first()


def stored_counts(db) -> tuple:
    return db.execute(
        text(
            "SELECT (SELECT count(*) FROM episode_links), (SELECT count(*) FROM link_reports), "
            "(SELECT count(*) FROM titles), (SELECT count(*) FROM episodes)"
        )
    ).one()


def test_each_body_and_the_alias_path_match_an_allowed_episode(client, db):
    parent, kid, bluey, (device,) = family(client, db)
    bodies = [
        {
            "url": LINK,
            "provider": "disney_plus",
            "title": "Bluey",
            "tmdb_title_id": BLUEY_TMDB,
            "season_number": 1,
            "episode_number": 1,
            "playback_position": 1234567,
        },
        {
            "title_id": bluey.id,
            "season_number": 1,
            "episode_number": 1,
            "deep_link_url": LINK,
            "streaming_service": "disney_plus",
        },
        {"tmdb_show_id": BLUEY_TMDB, "season": 1, "episode": 1, "platform": "disney_plus", "url": LINK},
        {"title_id": str(bluey.id), "season": "1", "episode": 1, "platform": "disney_plus", "url": LINK},
        {"url": LINK, "provider": "disney_plus", "title": "bluey", "season_number": 1, "episode_number": 1},
    ]
    answers = [
        client.post(path, json=body, headers=device)
        for body in bodies
        for path in (REPORT, "/api/launcher/device/episode-report")
    ]
    for answer in answers:
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert set(body) == {"success", "report_id", "status", "message"}
        assert body["success"] is True and body["status"] == "matched" and isinstance(body["message"], str)
    assert {a.json()["report_id"] for a in answers} == {answers[0].json()["report_id"]}, "one family, one report"
    assert db.execute(text("SELECT count(*) FROM episode_links")).scalar_one() == 1
    assert link_row(db).reported_count == 1


def test_reports_that_name_no_allowed_episode_are_kept_pending_and_create_nothing(client, db):
    parent, kid, bluey, (device,) = family(client, db)
    before = stored_counts(db)
    pending = [
        {"url": LINK, "provider": "disney_plus"},
        {"url": LINK, "provider": "disney_plus", "title": "Bluey"},  # no episode numbers
        {"url": LINK, "provider": "disney_plus", "tmdb_title_id": 123456789, "season_number": 1, "episode_number": 1},
        {"title_id": bluey.id, "season": 99, "episode": 1, "platform": "disney_plus", "url": LINK},
        {"title_id": 2**31 - 1, "season": 1, "episode": 1, "platform": "disney_plus", "url": LINK},
    ]
    for body in pending:
        answer = client.post(REPORT, json=body, headers=device)
        assert answer.status_code == 200 and answer.json()["status"] == "pending", (body, answer.text)
    links, reports, titles, episodes = stored_counts(db)
    assert (links, titles, episodes) == (before[0], before[2], before[3])
    assert reports == before[1] + 1, "pending reports are kept once per family and URL"


def test_a_device_whose_kid_may_not_see_the_show_does_not_match(client, db):
    family(client, db)
    other, other_kid, bluey, (device,) = family(client, db, allow_bluey=False)
    answer = report(client, device)
    assert answer.status_code == 200 and answer.json()["status"] == "pending"
    client.put(f"/api/parent/kids/{other_kid['id']}/policies/{bluey.id}", json={"policy": "deny"}, headers=auth(other))
    assert report(client, device).json()["status"] == "pending"
    assert link_row(db) is None
    unassigned_parent = sign_up(client)
    add_kid(client, unassigned_parent, "A")
    add_kid(client, unassigned_parent, "B")
    assert report(client, pair_device(client, unassigned_parent)).json()["status"] == "pending"
    assert link_row(db) is None


def test_the_provider_may_be_a_registry_id_a_package_or_an_alias(client, db):
    parent, kid, bluey, (device,) = family(client, db)
    for name in ("disney_plus", "com.disney.disneyplus", "disney", "DISNEY", " Disney_Plus "):
        answer = report(client, device, platform=name)
        assert (answer.status_code, answer.json()["status"]) == (200, "matched"), name
    pbs = report(client, device, platform="pbs", url="https://pbskids.org/videos/bluey/1")
    assert pbs.json()["status"] == "matched"
    also = {"platform": "com.wbd.stream", "url": "https://play.max.com/video/watch/1"}
    assert report(client, device, **also).status_code == 200
    youtube_tv = {"platform": "com.google.android.youtube.tv", "url": "vnd.youtube:dQw4w9WgXcQ"}
    assert report(client, device, **youtube_tv).status_code == 200
    platforms = db.execute(
        text("SELECT platform FROM link_reports WHERE family_id = :f"), {"f": parent["id"]}
    ).scalars()
    assert set(platforms) == {"disney_plus", "pbs_kids", "max", "youtube"}


def test_every_registry_entry_resolves_and_trusts_only_its_own_links():
    for provider in PROVIDERS:
        for name in (provider.id, *provider.packages, *provider.aliases):
            assert resolve_provider(name.upper()) is provider
        for host in provider.hosts:
            assert is_trusted_url(provider, f"https://{host}/x") and is_trusted_url(provider, f"https://www.{host}/x")
            assert not is_trusted_url(provider, f"https://{host}.evil.example/x")
            assert not is_trusted_url(provider, f"https://evil{host}/x")
        for other in PROVIDERS:
            if other is not provider:
                assert not any(is_trusted_url(provider, f"https://{host}/x") for host in other.hosts)
                assert not any(is_trusted_url(provider, f"{scheme}://x") for scheme in other.schemes)


def test_missing_or_unknown_url_or_provider_is_a_400_with_a_string_detail(client, db):
    parent, kid, bluey, (device,) = family(client, db)
    before = stored_counts(db)
    for body in (
        {},
        {"url": LINK},
        {"provider": "disney_plus"},
        {"url": "", "provider": "disney_plus"},
        {"url": LINK, "provider": ""},
        {"url": LINK, "provider": "myspace"},
        {"deep_link_url": LINK, "streaming_service": "com.example.player"},
    ):
        answer = client.post(REPORT, json=body, headers=device)
        assert answer.status_code == 400 and isinstance(answer.json()["detail"], str), (body, answer.text)
    assert "provider" in client.post(REPORT, json={"url": LINK}, headers=device).json()["detail"]
    assert "url" in client.post(REPORT, json={"provider": "disney"}, headers=device).json()["detail"]
    assert stored_counts(db) == before
    assert client.post(REPORT, json={"url": LINK, "provider": "disney"}).status_code == 401


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/not-a-disney-page",
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "http://www.disneyplus.com/video/1",
        "data:text/html,<script>alert(1)</script>",
        "nflx://www.netflix.com/title/1",
        "https://disneyplus.com@evil.example/",
        "https://evil.example\\@disneyplus.com/",
        "https://evildisneyplus.com/",
        "https://disneyplus.com.evil.example/",
        "https://www.disneyplus.com:8443/x",
        "intent://x#Intent;scheme=https;end",
        "https://www.disneyplus.com/a b",
        "//www.disneyplus.com/x",
        "www.disneyplus.com/x",
        "https://" + "a" * 2048,
    ],
)
def test_a_url_that_is_not_the_providers_is_refused_and_stored_nowhere(client, db, url):
    parent, kid, bluey, (device,) = family(client, db)
    before = stored_counts(db)
    for body in (
        {"url": url, "provider": "disney_plus", "tmdb_title_id": BLUEY_TMDB, "season_number": 1, "episode_number": 1},
        {
            "title_id": bluey.id,
            "season_number": 1,
            "episode_number": 1,
            "deep_link_url": url,
            "streaming_service": "disney",
        },
    ):
        answer = client.post(REPORT, json=body, headers=device)
        assert answer.status_code == 400 and isinstance(answer.json()["detail"], str), answer.text
    assert stored_counts(db) == before


def test_bad_numbers_and_unstorable_text_are_400_not_500(client, db):
    parent, kid, bluey, (device,) = family(client, db)
    before = stored_counts(db)
    for body in (
        {"title_id": 2**31},
        {"tmdb_show_id": -1},
        {"season": -1},
        {"episode": 2**31},
        {"season": "١"},
        {"season": 1.5},
        {"url": LINK + "\x00"},
        {"platform": "disney\ud800"},
        {"title": "x" * 501},
        {"title": "Bluey\x00"},
        {"url": ["https://www.disneyplus.com"]},
    ):
        answer = report(client, device, **body)
        assert answer.status_code == 400 and isinstance(answer.json()["detail"], str), (body, answer.text)
    assert stored_counts(db) == before


def test_one_family_counts_once_and_its_link_reaches_no_kid(client, db):
    parent, kid, bluey, devices = family(client, db, devices=2)
    other, other_kid, _, (other_device,) = family(client, db)
    answers = [report(client, device).json() for device in devices for _ in range(3)]
    assert {a["report_id"] for a in answers} == {answers[0]["report_id"]}
    assert link_row(db).reported_count == 1
    assert first_episode_link(client, other_device) == ""
    assert first_episode_link(client, devices[0]) == ""


def test_a_second_family_makes_the_link_visible_and_changes_the_etag(client, db):
    parent, kid, bluey, (device,) = family(client, db)
    other, other_kid, _, (other_device,) = family(client, db)
    report(client, device)
    before = client.get("/api/apps", headers=other_device)
    assert first_episode_link(client, other_device) == ""
    assert report(client, other_device, title_id=bluey.id, tmdb_show_id=None).json()["status"] == "matched"
    assert link_row(db).reported_count == 2
    after = client.get("/api/apps", headers={**other_device, "If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]
    assert first_episode_link(client, other_device) == LINK == first_episode_link(client, device)
    assert first_episode_link(client, device, "pbs_kids") == "", "a link shows only on its own service"


def test_the_threshold_comes_from_link_min_families(client, db, monkeypatch):
    from axolotly.config import get_settings

    parent, kid, bluey, (device,) = family(client, db)
    monkeypatch.setattr(get_settings(), "link_min_families", 1)
    report(client, device)
    assert first_episode_link(client, device) == LINK


def test_a_verified_link_is_always_shown_and_a_deleted_one_never(client, db):
    parent, kid, bluey, (device,) = family(client, db)
    report(client, device)
    admin = admin_headers(client, db, "moderator@example.com")
    before = client.get("/api/apps", headers=device).headers["ETag"]
    assert client.post(f"/api/admin/episode-links/{link_row(db).id}/verify", headers=admin).status_code == 204
    assert client.get("/api/apps", headers={**device, "If-None-Match": before}).status_code == 200
    assert first_episode_link(client, device) == LINK
    assert client.delete(f"/api/admin/episode-links/{link_row(db).id}", headers=admin).status_code == 204
    assert first_episode_link(client, device) == ""


def test_a_deleted_family_no_longer_counts(client, db):
    parent, kid, bluey, (device,) = family(client, db)
    other, other_kid, _, (other_device,) = family(client, db)
    report(client, device)
    report(client, other_device)
    assert first_episode_link(client, device) == LINK
    client.request("DELETE", "/api/parent/me", json={"password": PASSWORD}, headers=auth(other))
    assert link_row(db).reported_count == 1
    assert first_episode_link(client, device) == ""


def test_admin_link_list_shows_families_and_whether_kids_see_it(client, db):
    parent, kid, bluey, (device,) = family(client, db)
    other, other_kid, _, (other_device,) = family(client, db)
    lonely = LINK.replace("s1e1", "s1e2")
    report(client, device)
    report(client, other_device)
    report(client, device, episode=2, url=lonely)
    admin = admin_headers(client, db, "moderator@example.com")
    assert client.get("/api/admin/episode-links", headers=auth(parent)).status_code == 403
    listed = {link["url"]: link for link in client.get("/api/admin/episode-links", headers=admin).json()}
    assert (listed[LINK]["families"], listed[LINK]["visible_to_kids"]) == (2, True)
    assert (listed[lonely]["families"], listed[lonely]["visible_to_kids"]) == (1, False)
    assert list(listed)[:2] == [LINK, lonely], "most reported first"

    page = admin_console(client, db)
    row = re.search(rf"<tr>(?:(?!</tr>).)*{re.escape(lonely)}(?:(?!</tr>).)*</tr>", page, re.S)[0]
    assert re.findall(r"<td[^>]*>(\d+|yes|no)</td>", row) == ["1", "no", "no"]


def test_verifying_a_link_that_is_not_the_providers_is_refused(client, db):
    parent, kid, bluey, (device,) = family(client, db)
    admin = admin_headers(client, db, "moderator@example.com")
    link_id = db.execute(
        text(
            "INSERT INTO episode_links (episode_id, platform, url) "
            "VALUES (:e, 'disney_plus', 'https://example.com/x') RETURNING id"
        ),
        {"e": episode_ids(db, bluey.id)[0]},
    ).scalar_one()
    answer = client.post(f"/api/admin/episode-links/{link_id}/verify", headers=admin)
    assert answer.status_code == 422 and answer.json()["detail"]
    assert client.post(f"/api/admin/episode-links/{2**31}/verify", headers=admin).status_code == 422


def admin_console(client, db) -> str:
    """The admin console's HTML, seen by an admin in a browser of their own (own cookies)."""
    create_admin(db, "console@example.com", PASSWORD)
    with TestClient(client.app) as browser:
        assert log_in(browser, "console@example.com").status_code == 303
        return browser.get("/admin").text


def test_pages_never_render_a_link_with_another_scheme(client, db):
    parent, kid, bluey, (device,) = family(client, db)
    episodes = episode_ids(db, bluey.id)
    planted = {
        episodes[0]: "javascript:alert(1)",
        episodes[1]: "data:text/html,hi",
        episodes[2]: "https://example.com/phish",
        episodes[3]: "https://www.disneyplus.com/video/fine",
    }
    for episode_id, url in planted.items():
        db.execute(
            text(
                "INSERT INTO episode_links (episode_id, platform, url, verified) VALUES (:e, 'disney_plus', :u, true)"
            ),
            {"e": episode_id, "u": url},
        )
    page = kid_launcher(client, parent, kid, bluey.id)
    hrefs = re.findall(r'class="episode-card plays" href="([^"]*)"', page)
    assert hrefs == ["https://www.disneyplus.com/video/fine"], hrefs
    # The others open the service's own site instead (a card without a link never does nothing).
    assert set(re.findall(r'class="episode-card opens-app" href="([^"]*)"', page)) == {"https://disneyplus.com/"}
    assert "javascript:" not in page and "data:text" not in page
    console = admin_console(client, db)
    assert not re.search(r'href="(javascript:|data:|https://example\.com)', console)
    assert 'href="https://www.disneyplus.com/video/fine"' in console


def kid_launcher(client, parent, kid, title_id: int) -> str:
    """The kid web launcher's page of a title (its episodes), in a browser paired with a new code
    and signed in with the PIN."""
    with TestClient(client.app) as browser:
        code = client.post("/api/parent/pairing-codes", headers=auth(parent)).json()["code"]
        token = csrf(browser, "/kids")
        browser.post("/kids/pair", data={"code": code, "csrf_token": token})
        page = browser.post(f"/kids/{kid['id']}/pin", data={"pin": "1234", "csrf_token": token})
        assert f"{kid['name']}'s shows" in page.text
        return browser.get(f"/kids/{kid['id']}/titles/{title_id}").text


def test_the_migration_keeps_only_trusted_links_and_counts_families_from_zero(database_url):
    url = recreate_database(database_url, "axolotly_link_reports_scratch")
    migrate.upgrade(url, "0014")
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        conn.execute("INSERT INTO titles (id, tmdb_id, title, media_type) VALUES (1, 1, 'Show', 'tv')")
        conn.execute(
            "INSERT INTO episodes (id, tmdb_episode_id, title_id, season_number, episode_number) VALUES (1, 1, 1, 1, 1)"
        )
        conn.execute("""INSERT INTO episode_links (episode_id, platform, url, verified, reported_count) VALUES
            (1, 'disney_plus', 'https://www.disneyplus.com/video/1', false, 7),
            (1, 'disney_plus', 'disneyplus://video/1', true, 1),
            (1, 'disney_plus', 'https://example.com/not-a-disney-page', false, 9),
            (1, 'disney_plus', 'javascript:alert(1)', true, 1),
            (1, 'myspace', 'https://myspace.com/x', false, 1)""")
    migrate.upgrade(url)
    with psycopg.connect(libpq_url(url)) as conn:
        rows = conn.execute("SELECT url, reported_count FROM episode_links ORDER BY url").fetchall()
    assert rows == [("disneyplus://video/1", 0), ("https://www.disneyplus.com/video/1", 0)]
    migrate.downgrade(url, "0014")
    migrate.upgrade(url)


def test_a_familys_reports_have_a_daily_budget(client, db):
    from axolotly.launcher.episode_links import report_limit

    parent = sign_up(client)
    add_kid(client, parent)
    device = pair_device(client, parent)
    family_id = db.execute(
        text("SELECT family_id FROM devices WHERE device_id = :d"), {"d": device["X-Device-ID"]}
    ).scalar_one()
    limit = report_limit(family_id)
    with db.get_bind().engine.begin() as connection:  # counters commit on their own, as the app's do
        connection.execute(
            text("INSERT INTO rate_limits (key, window_start, failures) VALUES (:k, now(), :n)"),
            {"k": limit.key, "n": limit.max_attempts},
        )
    body = {"url": "https://www.disneyplus.com/video/abc", "provider": "disney_plus"}
    before = db.execute(text("SELECT count(*) FROM link_reports")).scalar_one()
    response = client.post("/api/device/episode-report", json=body, headers=device)
    assert response.status_code == 429 and isinstance(response.json()["detail"], str)
    assert db.execute(text("SELECT count(*) FROM link_reports")).scalar_one() == before


def test_reports_past_ten_families_keep_every_launchers_etag(client, db):
    """Beyond the largest possible threshold, more families change nothing a kid sees."""
    parent, kid, bluey, (device,) = family(client, db)
    other, other_kid, _, (other_device,) = family(client, db)
    report(client, device)
    db.execute(text("UPDATE episode_links SET reported_count = 10 WHERE id = :id"), {"id": link_row(db).id})
    etag = client.get("/api/apps", headers=device).headers["ETag"]
    assert report(client, other_device).json()["status"] == "matched"
    assert link_row(db).reported_count == 11
    assert client.get("/api/apps", headers={**device, "If-None-Match": etag}).status_code == 304


def test_youtube_links_need_an_admin_however_many_families_report_them(client, db):
    """Anyone can upload to YouTube: a link on its hosts says nothing about what it plays."""
    parent, kid, bluey, (device,) = family(client, db)
    other, other_kid, _, (other_device,) = family(client, db)
    db.execute(text("""UPDATE titles SET providers = '["disney_plus", "youtube"]' WHERE id = :id"""), {"id": bluey.id})
    video = "https://www.youtube.com/watch?v=not-really-bluey"
    for each in (device, other_device):
        answer = report(client, each, platform="youtube", url=video).json()
        assert answer["status"] == "matched" and "admin" in answer["message"] and "families" not in answer["message"]
    assert link_row(db, video).reported_count == 2
    assert first_episode_link(client, device, "youtube") == ""
    admin = admin_headers(client, db, "tube-moderator@example.com")
    listed = {link["url"]: link for link in client.get("/api/admin/episode-links", headers=admin).json()}
    assert listed[video]["families"] == 2 and listed[video]["visible_to_kids"] is False
    assert client.post(f"/api/admin/episode-links/{link_row(db, video).id}/verify", headers=admin).status_code == 204
    assert first_episode_link(client, device, "youtube") == video
