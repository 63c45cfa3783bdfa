"""NULL wherever the schema allows it breaks no page and no list.

Rows written by someone else (plain SQL, an older backend, an admin's form left half empty) may
hold NULL in any nullable column, and an empty array in any JSON column: one admin's tag without a
category once answered 500 on every family's kids page. Here a family with one of everything (the
demo seed, then the API) has every nullable column of every table set to NULL with plain SQL (and,
in a second variant, every JSON column set to '[]'; in a third, odd but array-shaped values); then
every GET route of the app, found by walking it, is asked as a parent, an admin and a kid's device,
and none may answer 5xx. What is not an array ('{}', a string, a number) the database refuses in
every JSON column (migration 0029), so no page ever meets it.
"""

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from axolotly.models import Base
from axolotly.seed.demo import DEMO_ADMIN, DEMO_PARENT, seed_demo
from tests.support.api import add_kid, admin_headers, auth, offline_title, sign_up
from tests.support.launcher_helpers import assign, pair_device
from tests.support.pages import csrf, log_in

# Columns left as they are, and why. A NULL the schema refuses (a check or trigger the nullable
# flag does not show) belongs here too, with the rule that refuses it.
KEPT = {
    ("devices", "api_key_digest"): "a device without a key digest cannot sign in, on purpose",
    ("devices", "kid_profile_id"): "an unassigned device shows no kid's launcher (tested on its own elsewhere)",
}
# Pages and lists that must still render (200) after the fill, so the sweep cannot pass by
# answering every request with a sign-in page or a 404.
MUST_RENDER = {
    "parent": [
        "/",
        "/family/kids",
        "/family/library",
        "/family/kids/{kid_id}/why/{title_id}",
        "/catalog/titles/{title_id}",
        "/family/kids/{kid_id}/screen-time",
        "/family/kids/{kid_id}/history",
        "/family/devices",
        "/family/requests",
        "/family/activity",
        "/api/parent/kids",
        "/api/parent/library",
        "/notifications",
        "/account/notifications",
        "/api/parent/notifications",
        "/api/parent/me/notifications",
    ],
    "admin": [
        "/admin",
        "/admin/releases",
        "/admin/starter-packs",
        "/api/admin/tags",
        "/api/admin/episode-links",
        "/api/admin/notification-deliveries",
    ],
    # (not the kid's title page: with no providers ('[]'), a title is on no service and not the kid's)
    "kid device": ["/api/apps", "/api/time-limits", "/kids/{kid_id}/launcher"],
}
# Tables that may be empty when the columns are nulled, and why.
MAY_BE_EMPTY = {
    "rate_limits": "throttle counters commit on their own connection, outside the test's transaction",
    "import_id_map": "the importer's own memory of older ids: an operator's command reads it, no page or API",
}
# Not ours: the queue is procrastinate's own state (its library reads it, no page), and Alembic's.
NULLABLE_COLUMNS = """
    SELECT c.relname, a.attname, format_type(a.atttypid, NULL) IN ('json', 'jsonb'), NOT a.attnotnull
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
    WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
      AND c.relname NOT LIKE 'procrastinate%' AND c.relname <> 'alembic_version'
      AND c.relname <> 'import_id_map'  -- the importer's own memory (MAY_BE_EMPTY): nothing renders it
      AND (NOT a.attnotnull OR format_type(a.atttypid, NULL) IN ('json', 'jsonb'))
    ORDER BY 1, 2
"""
# Path parameters by name; a route with another one fails the test until it is named here.
PATH_VALUES = {
    "kid_id": "kid_id",
    "title_id": "title_id",
    "code_id": "code_id",
    "device_id": "device_id",
    "release_id": "release_id",
    "token": "invitation_token",
    "device_id:path": "legacy_device",
    "notification_id": "notification_id",
    "family_id": "family_id",
}
FIXED_PATH_VALUES = {"country": "DE"}  # not an id: the rating scales are everyone's
QUERY_VALUES = {"q": "bluey", "current_version_code": "1"}
JSON_COLUMNS = """
    SELECT c.relname, a.attname
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
      AND c.relname NOT LIKE 'procrastinate%' AND format_type(a.atttypid, NULL) IN ('json', 'jsonb')
      -- the importer's memory of what it wrote (an object per row): no page, API or launcher reads it
      AND c.relname <> 'import_id_map'
      -- objects by design (per country, ours, NOT NULL): ODD_OBJECTS below
      AND (c.relname, a.attname) NOT IN (
        ('titles', 'certifications'), ('titles', 'providers_by_country'), ('titles', 'rating_descriptors'),
        ('notifications', 'facts')
      )
    ORDER BY 1, 2
"""
# Array-shaped values an older backend or hand-written SQL may leave; every JSON column names one
# (the test fails on a new column until it does): genres as names rather than TMDB's objects (or
# objects without a name), providers by display name, unknown or as TMDB's numbers, tags as a person
# types them, episodes that do not exist, services no registry knows.
ODD_ARRAYS = {
    ("titles", "genres"): ["Drama", {"id": 16}, {"id": 35, "name": "Comedy"}],
    ("titles", "providers"): ["Disney Plus", "Myspace TV", 337],
    ("titles", "tags"): ["Violence", "mild peril"],
    ("episodes", "tags"): ["Violence", "mild peril"],
    ("kid_profiles", "blocked_tags"): ["Violence", "mild peril"],
    ("kid_profiles_titles", "blocked_episodes"): [0, 2147483647],
    ("streaming_service_selection", "selected_services"): ["Myspace TV", "netflix", 7],
    ("users", "notifications_off"): ["title_request.sms", 7, "nonsense", None],
}
# The per-country JSON objects (issue 25) as TMDB or a hand-written row might leave them: a number
# for a rating, an unknown country, a rating off the scale, a list where a string belongs,
# services by display name or unknown, a string where a list belongs; descriptors as a string,
# as numbers and null, for an unknown country (whose odd certification is "PG").
ODD_OBJECTS = {
    ("titles", "certifications"): {"DE": 16, "XX": "PG", "GB": "Banana", "FR": ["U"], "US": None, "": "G"},
    ("titles", "providers_by_country"): {"DE": ["Netflix", 8, None], "GB": "bbc_iplayer", "XX": ["netflix"], "FR": {}},
    ("titles", "rating_descriptors"): {"US": "LV", "GB": [1, None], "XX": ["L"], "DE": ["V", {}], "FR": None},
    # A notice's facts as an older release or a hand-written row might leave them (issue 26).
    ("notifications", "facts"): {"kid": 7, "title": None, "device": ["x"], "minutes": "many", "": {}},
}
NOT_OBJECTS = ("[]", '"DE"', "16", "true", "null")
# With the odd arrays, content tags named the way they are used there (written by hand, not the admin form).
ODD_TAGS = "INSERT INTO content_tags (tag, category) VALUES ('Violence', 'Themes'), ('mild peril', NULL)"
NOT_ARRAYS = ("{}", '{"id": 16, "name": "Animation"}', '"Drama"', "16", "true")
UTC = UTC


def _api(client, identity: dict, method: str, path: str, **kwargs):
    answer = client.request(method, path, headers=identity, **kwargs)
    assert answer.status_code < 300, (path, answer.status_code, answer.text)
    return answer.json() if answer.content else None


def _browser(app, email: str, password: str) -> TestClient:
    browser = TestClient(app, raise_server_exceptions=False)
    assert log_in(browser, email, password).status_code == 303
    return browser


def _family_with_one_of_everything(app, client, db) -> dict:
    """The demo family (two kids in rules mode, policies, a blocked episode, services) plus a
    co-parent, an invitation, a paired device with its info, a legacy pairing request, a live code,
    a library title, screen time and a watched session, a request, a report, a PIN lock, a link
    reported and one waiting, a tag without a category, an OTA release and an ended web session."""
    seed_demo(db)
    db.commit()
    parent_token = _api(
        client, {}, "POST", "/api/parent/auth/login", json={"email": DEMO_PARENT[0], "password": DEMO_PARENT[1]}
    )["access_token"]
    admin_token = _api(
        client, {}, "POST", "/api/parent/auth/login", json={"email": DEMO_ADMIN[0], "password": DEMO_ADMIN[1]}
    )["access_token"]
    parent, admin = {"Authorization": f"Bearer {parent_token}"}, {"Authorization": f"Bearer {admin_token}"}
    kids = {kid["name"]: kid["id"] for kid in _api(client, parent, "GET", "/api/parent/kids")}
    titles = {t.title: t.id for t in db.execute(text("SELECT id, title FROM titles"))}

    co_parent = sign_up(client)
    token = _api(client, parent, "POST", "/api/parent/family/invitations")["token"]
    _api(client, auth(co_parent), "POST", f"/api/parent/family/invitations/{token}/accept")
    invitation = _api(client, parent, "POST", "/api/parent/family/invitations")["token"]

    device = pair_device(client, parent)
    device_row = _api(client, parent, "GET", "/api/parent/devices")[-1]["id"]
    assign(client, parent, device_row, kids["Emma"])
    _api(
        client,
        device,
        "POST",
        "/api/device/info",
        json={
            "device_model": "SM-T220",
            "device_manufacturer": "samsung",
            "app_version": "2.3.1",
            "app_version_code": 231,
        },
    )
    _api(client, {}, "POST", "/api/pairing/initiate", json={"device_id": "legacy-null-0001", "pairing_code": "424242"})
    code = _api(client, parent, "POST", "/api/parent/pairing-codes")["id"]
    _api(client, parent, "PUT", f"/api/parent/library/{titles['Frozen']}")
    _api(client, parent, "PUT", "/api/parent/family", json={"time_zone": "Europe/Berlin"})
    _api(
        client,
        parent,
        "PUT",
        f"/api/parent/kids/{kids['Emma']}/screen-time",
        json={
            "enabled": True,
            "school_day_limit_minutes": 90,
            "weekend_limit_minutes": 120,
            "school_day_bedtime": {"start": "19:30", "end": "07:00"},
            "weekend_bedtime": {"start": "20:30", "end": "08:00"},
        },
    )
    _api(client, parent, "POST", f"/api/parent/kids/{kids['Emma']}/bonus-time", json={"minutes": 15})
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    _api(
        client,
        device,
        "POST",
        "/api/usage-logs",
        json={
            "appId": str(titles["Bluey"]),
            "appName": "Bluey",
            "startTime": start.isoformat(),
            "endTime": (start + timedelta(minutes=20)).isoformat(),
            "durationMinutes": 20,
        },
    )
    _api(client, admin, "POST", "/api/admin/tags", json={"tag": "no_category_yet"})
    _api(
        client,
        parent,
        "PUT",
        f"/api/parent/kids/{kids['Emma']}/rules",
        json={
            "mode": "rules",
            "max_movie_rating": "G",
            "max_tv_rating": "TV-Y7",
            "block_unrated": True,
            "blocked_tags": ["no_category_yet", "peril"],
        },
    )
    _api(client, device, "POST", "/api/requests", json={"title_id": titles["Frozen"]})  # PG: above Emma's rules
    _api(
        client,
        parent,
        "POST",
        "/api/parent/reports",
        json={"title_id": titles["Bluey"], "issue_type": "other", "description": "Sound is off"},
    )
    for _ in range(5):  # Leo locked for the parent API's own PIN check
        client.post(f"/api/parent/kids/{kids['Leo']}/verify-pin", json={"pin": "0000"}, headers=parent)
    for season, episode in ((1, 2), (7, 7)):  # one matched, one waiting (no such episode)
        _api(
            client,
            device,
            "POST",
            "/api/device/episode-report",
            json={
                "title_id": titles["Bluey"],
                "season": season,
                "episode": episode,
                "platform": "disney_plus",
                "url": f"https://www.disneyplus.com/video/bluey-s{season}e{episode}",
            },
        )
    _api(
        client,
        admin,
        "POST",
        "/api/admin/ota/releases",
        json={"version_name": "9.9.9", "version_code": 999, "apk_url": "https://example.com/a.apk", "sha256": "a" * 64},
    )
    release = db.execute(text("SELECT max(id) FROM ota_releases")).scalar_one()

    # A kid out of time asked for more, and a second ask was answered (answered_by/at, minutes).
    for status, minutes in (("open", None), ("granted", 15)):
        db.execute(
            text(
                "INSERT INTO time_requests (family_id, kid_profile_id, day, status, minutes, answered_at, answered_by) "
                "SELECT family_id, id, current_date, :status, CAST(:minutes AS smallint), "
                "CASE WHEN CAST(:minutes AS smallint) IS NULL THEN NULL ELSE now() END, "
                "CASE WHEN CAST(:minutes AS smallint) IS NULL THEN NULL ELSE family_id END "
                "FROM kid_profiles WHERE id = :kid"
            ),
            {"status": status, "minutes": minutes, "kid": kids[list(kids)[0] if status == "open" else list(kids)[-1]]},
        )
    # What a parent was told (issue 26): read, with an email that failed, about a paused kid, in quiet hours.
    emma = {"kid": kids["Emma"]}
    emma["family"] = db.execute(text("SELECT family_id FROM kid_profiles WHERE id = :kid"), emma).scalar_one()
    for statement in (
        "UPDATE kid_profiles SET paused_until = now() + interval '1 hour' WHERE id = :kid",
        "UPDATE users SET quiet_hours_start = '21:00', quiet_hours_end = '07:00' WHERE id = :family",
        "UPDATE devices SET held_version = 1, held_since = now() WHERE family_id = :family",
        "WITH n AS (INSERT INTO notifications (family_id, recipient_id, event, kid_profile_id, read_at, dedupe_key) "
        "VALUES (:family, :family, 'title_request', :kid, now(), 'once') RETURNING id) "
        "INSERT INTO notification_deliveries (notification_id, channel, status, last_error, sent_at) "
        "SELECT id, 'email', 'failed', 'SMTP said no', now() FROM n",
    ):
        db.execute(text(statement), emma)
    db.commit()

    ended = _browser(app, DEMO_PARENT[0], DEMO_PARENT[1])
    assert ended.post("/logout", data={"csrf_token": csrf(ended, "/")}, follow_redirects=False).status_code == 303
    return {
        "parent": parent,
        "admin": admin,
        "device": device,
        "kid_id": kids["Emma"],
        "title_id": titles["Bluey"],
        "code_id": code,
        "device_id": device_row,
        "release_id": release,
        "invitation_token": invitation,
        "legacy_device": "legacy-null-0001",
        "notification_id": db.execute(text("SELECT max(id) FROM notifications")).scalar_one(),
        "family_id": db.execute(
            text("SELECT family_id FROM kid_profiles WHERE id = :id"), {"id": kids["Emma"]}
        ).scalar_one(),
    }


def _kid_device(app, ids: dict) -> TestClient:
    """A browser paired as the kid's launcher, Emma signed in, with the device's API headers."""
    browser = _browser(app, DEMO_PARENT[0], DEMO_PARENT[1])
    code = _api(browser, ids["parent"], "POST", "/api/parent/pairing-codes")["code"]
    assert (
        browser.post("/kids/pair", data={"code": code, "csrf_token": csrf(browser)}, follow_redirects=False).status_code
        == 303
    )
    assert (
        browser.post(
            f"/kids/{ids['kid_id']}/pin", data={"pin": "1234", "csrf_token": csrf(browser)}, follow_redirects=False
        )
        .headers["location"]
        .endswith("/launcher")
    )
    browser.cookies.delete("axolotly_web")  # the parent's own session stays out of the kid's requests
    browser.headers.update(ids["device"])
    return browser


@pytest.fixture
def callers(app, client, db):
    ids = _family_with_one_of_everything(app, client, db)
    parent = _browser(app, DEMO_PARENT[0], DEMO_PARENT[1])
    parent.headers.update(ids["parent"])
    admin = _browser(app, DEMO_ADMIN[0], DEMO_ADMIN[1])
    admin.headers.update(ids["admin"])
    kid_device = _kid_device(app, ids)
    return ids, {"parent": parent, "admin": admin, "kid device": kid_device}


def _fill(db, json_values: dict | None) -> None:
    """NULL in every nullable column; in JSON columns NULL too, or `json_values[(table, column)]`."""
    values: dict[str, dict[str, str | None]] = {}
    for table, column, is_json, nullable in db.execute(text(NULLABLE_COLUMNS)):
        if (table, column) in KEPT:
            continue
        if is_json and json_values is not None:
            assert (table, column) in json_values, f"name a value for {table}.{column}"
            values.setdefault(table, {})[column] = json.dumps(json_values[(table, column)])
        elif nullable:
            values.setdefault(table, {})[column] = None
    for table, assignments in values.items():
        spelled = (f"{c} = :{c}" if v is None else f"{c} = CAST(:{c} AS jsonb)" for c, v in assignments.items())
        db.execute(text(f"UPDATE {table} SET {', '.join(spelled)}"), assignments)
    db.commit()
    for table, assignments in values.items():  # no trigger put a value back
        for column, value in assignments.items():
            kept = "IS NOT NULL" if value is None else "IS DISTINCT FROM CAST(:value AS jsonb)"
            assert not db.execute(
                text(f"SELECT EXISTS (SELECT FROM {table} WHERE {column} {kept})"), {"value": value}
            ).scalar_one(), (table, column)


def test_every_table_has_a_row_to_spoil(callers, db):
    empty = [
        table
        for table in Base.metadata.tables
        if table not in MAY_BE_EMPTY and not db.execute(text(f"SELECT EXISTS (SELECT FROM {table})")).scalar_one()
    ]
    assert empty == [], "give these tables a row in _family_with_one_of_everything"


def get_routes(app) -> list[str]:
    paths = []
    for route in iter_route_contexts(app.routes):
        if "GET" in (getattr(route, "methods", None) or ()):
            paths.append(route.path)
    return sorted(set(paths))


def _url(path: str, ids: dict) -> str:
    def value(match: re.Match) -> str:
        if match[1] in FIXED_PATH_VALUES:
            return FIXED_PATH_VALUES[match[1]]
        assert match[1] in PATH_VALUES, f"name a value for {match[0]} in PATH_VALUES ({path})"
        return str(ids[PATH_VALUES[match[1]]])

    return re.sub(r"{([^}]+)}", value, path)


EVERY_JSON_EMPTY = {column: [] for column in ODD_ARRAYS} | {column: {} for column in ODD_OBJECTS}
ODD_VALUES = ODD_ARRAYS | ODD_OBJECTS
VARIANTS = {"null": None, "empty json": EVERY_JSON_EMPTY, "odd arrays": ODD_VALUES}


@pytest.mark.parametrize("json_values", VARIANTS.values(), ids=VARIANTS.keys())
def test_no_page_and_no_list_answers_5xx(app, callers, db, json_values):
    ids, browsers = callers
    if json_values is ODD_VALUES:
        db.execute(text(ODD_TAGS))
    _fill(db, json_values)
    failures, not_rendered = [], []
    for path in get_routes(app):
        url = _url(path, ids)
        for who, browser in browsers.items():
            answer = browser.get(url, params=QUERY_VALUES, follow_redirects=False)
            if answer.status_code >= 500:
                failures.append(f"{who} GET {url}: {answer.status_code}")
            elif path in MUST_RENDER[who] and answer.status_code != 200:
                not_rendered.append(f"{who} GET {url}: {answer.status_code}")
    # A request that failed may leave the shared test session unusable: the first failure is the one.
    assert failures == [], "\n".join(failures)
    assert not_rendered == []


def test_every_json_column_refuses_what_is_not_an_array(db):
    """'{}', an object, a string, a number: no reader could take them as the spec's arrays."""
    seed_demo(db)
    db.flush()
    columns = db.execute(text(JSON_COLUMNS)).all()
    assert set(columns) == set(ODD_ARRAYS), "a JSON column without an odd value (or one gone)"
    accepted = []
    for table, column in columns:
        assert db.execute(text(f"SELECT EXISTS (SELECT FROM {table})")).scalar_one(), f"seed a row of {table}"
        for value in NOT_ARRAYS:
            try:
                with db.begin_nested():
                    db.execute(text(f"UPDATE {table} SET {column} = CAST(:value AS jsonb)"), {"value": value})
            except IntegrityError as refused:
                assert "violates check constraint" in str(refused.orig)
            else:
                accepted.append(f"{table}.{column} = {value}")
    assert accepted == []


def test_every_json_object_column_refuses_what_is_not_an_object(db):
    seed_demo(db)
    # The demo has told nobody anything yet: one notice to update.
    db.execute(
        text("INSERT INTO notifications (family_id, recipient_id, event) SELECT id, id, 'pin_locked' FROM users")
    )
    db.flush()
    accepted = []
    for table, column in ODD_OBJECTS:
        for value in NOT_OBJECTS:
            try:
                with db.begin_nested():
                    db.execute(text(f"UPDATE {table} SET {column} = CAST(:value AS jsonb)"), {"value": value})
            except IntegrityError as refused:
                assert "violates" in str(refused.orig)
            else:
                accepted.append(f"{table}.{column} = {value}")
    assert accepted == []


def test_nothing_in_a_json_array_column_is_stored_as_an_empty_array(db):
    """SQL NULL and JSON null, as the spec's nullable columns and an older backend write them, are
    accepted and read as '[]' (blocked_episodes keeps its NULL: the app's own "nothing blocked")."""
    seed_demo(db)
    db.flush()
    # Not the spec's: ours, NOT NULL with a default, written by no older backend (migration 0039).
    ours = {("kid_profiles_titles", "blocked_episodes"), ("users", "notifications_off")}
    columns = [c for c in db.execute(text(JSON_COLUMNS)).all() if c not in ours]
    assert columns, "the JSON columns"
    for table, column in columns:
        for nothing in ("NULL", "'null'::jsonb"):
            db.execute(text(f"UPDATE {table} SET {column} = {nothing}"))
            stored = db.execute(text(f"SELECT DISTINCT {column}::text FROM {table}")).scalars().all()
            assert stored == ["[]"], (table, column, nothing, stored)


def test_odd_arrays_are_listed_as_they_are_stored(client, db):
    """Output never re-validates stored data with input rules: a name stays a name, a number is spelled out."""
    title = offline_title(db, "Bluey")
    odd = {key: json.dumps(ODD_ARRAYS[("titles", key)]) for key in ("genres", "providers", "tags")}
    db.execute(
        text(
            "UPDATE titles SET genres = CAST(:genres AS jsonb), providers = CAST(:providers AS jsonb), "
            "tags = CAST(:tags AS jsonb) WHERE id = :id"
        ),
        odd | {"id": title.id},
    )
    db.execute(text(ODD_TAGS))
    answer = client.get(f"/api/parent/catalog/titles/{title.id}", headers=auth(sign_up(client)))
    assert answer.status_code == 200, answer.text
    assert answer.json()["genres"] == [{"name": "Drama"}, {"id": 16}, {"id": 35, "name": "Comedy"}]
    assert answer.json()["providers"] == ["Disney Plus", "Myspace TV", "337"]
    assert answer.json()["tags"] == ["Violence", "mild peril"]
    tags = client.get("/api/admin/tags", headers=admin_headers(client, db)).json()
    assert {"Violence", "mild peril"} <= {tag["tag"] for tag in tags}


def test_a_tag_without_a_category_is_listed_under_other_on_the_kids_page(client, db):
    """The admin API allows a tag without a category; every family's kids page must still render."""
    admin = admin_headers(client, db)
    for tag, category in (("no_category_yet", None), ("blank_category", "")):
        answer = client.post("/api/admin/tags", json={"tag": tag, "category": category}, headers=admin)
        assert answer.status_code == 201, answer.text
    parent = sign_up(client)
    add_kid(client, parent, "Emma")
    assert log_in(client, parent["email"]).status_code == 303
    page = client.get("/family/kids")
    assert page.status_code == 200
    groups = re.findall(r"<legend>([^<]+)</legend>(.*?)</fieldset>", page.text, re.S)
    assert [name for name, _ in groups].count("Other") == 1 and groups[-1][0] == "Other", "one group, last"
    assert 'value="no_category_yet"' in groups[-1][1] and 'value="blank_category"' in groups[-1][1]
