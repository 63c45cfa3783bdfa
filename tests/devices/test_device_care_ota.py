"""Device care (heartbeat, device info) and OTA releases: the admin API and page, the manifest, the rollout."""

import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from axolotly.models import Device, OtaRelease
from axolotly.ota.service import bucket
from tests.support.api import PASSWORD, admin_headers, auth, sign_up
from tests.support.launcher_helpers import pair_device
from tests.support.pages import csrf, log_in

SHA = "ab" * 32
MANIFEST_FIELDS = {
    "update_available",
    "latest_version",
    "version_code",
    "apk_url",
    "sha256",
    "channel",
    "min_version_code",
    "release_notes",
    "rollout_percentage",
}


def release(client, admin, version_code: int, **fields) -> dict:
    body = {
        "version_name": f"2.{version_code}",
        "version_code": version_code,
        "apk_url": f"https://cdn.example.com/launcher-{version_code}.apk",
        "sha256": SHA,
        **fields,
    }
    response = client.post("/api/admin/ota/releases", json=body, headers=admin)
    assert response.status_code == 201, response.text
    return response.json()


def manifest(client, current: int, channel: str = "production", device_id: str | None = None) -> dict:
    headers = {"X-Device-ID": device_id} if device_id else {}
    response = client.get(f"/api/ota/manifest?channel={channel}&current_version_code={current}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def listed(client, parent) -> dict:
    (device,) = client.get("/api/parent/devices", headers=auth(parent)).json()
    return device


def assert_400_string(response, what) -> None:
    assert response.status_code == 400, (what, response.text)
    assert isinstance(response.json()["detail"], str), what


# -- heartbeat and device info ------------------------------------------------------------------


def test_heartbeat_answers_the_server_time_in_utc(client):
    device = pair_device(client, sign_up(client))
    body = client.post("/api/device/heartbeat", headers=device, json={"battery": 80}).json()
    assert body["status"] == "ok" and body["server_time"].endswith("Z")
    sent = datetime.fromisoformat(body["server_time"].replace("Z", "+00:00"))
    assert abs(sent - datetime.now(UTC)) < timedelta(minutes=1)


def test_device_info_is_stored_and_shown_in_the_parents_list(client, db):
    parent = sign_up(client)
    device = pair_device(client, parent)
    assert listed(client, parent)["device_model"] is None
    info = {
        "device_model": " SM-T220 ",
        "device_manufacturer": "samsung",
        "app_version": "2.3.1",
        "app_version_code": 231,
        "fcm_token": "f" * 163,
        "battery": 80,
    }
    assert client.post("/api/device/info", headers=device, json=info).json() == {"status": "ok"}
    shown = listed(client, parent)
    assert (shown["device_model"], shown["device_manufacturer"], shown["app_version"], shown["app_version_code"]) == (
        "SM-T220",
        "samsung",
        "2.3.1",
        231,
    )
    assert shown["online"] is True and shown["update_due"] is False
    assert "fcm_token" not in shown  # the parent has no use for the push token
    row = db.scalar(select(Device).where(Device.device_id == device["X-Device-ID"]))
    assert row.fcm_token == "f" * 163 and row.info_updated_at is not None

    # An older launcher that only knows some fields never erases the others.
    client.post(
        "/api/device/info", headers=device, json={"app_version": "2.4.0", "app_version_code": 240, "device_model": None}
    )
    shown = listed(client, parent)
    assert (shown["device_model"], shown["app_version"], shown["app_version_code"]) == ("SM-T220", "2.4.0", 240)


def test_a_device_unseen_for_five_minutes_is_offline(client, db):
    parent = sign_up(client)
    device = pair_device(client, parent)
    client.post("/api/device/heartbeat", headers=device)
    assert listed(client, parent)["online"] is True
    db.execute(
        text("UPDATE devices SET last_active = now() - interval '6 minutes' WHERE device_id = :d"),
        {"d": device["X-Device-ID"]},
    )
    assert listed(client, parent)["online"] is False
    client.post("/api/device/heartbeat", headers=device)  # seen again
    assert listed(client, parent)["online"] is True


def test_update_due_is_what_the_production_manifest_offers_this_device(client, db):
    parent = sign_up(client)
    device = pair_device(client, parent)
    admin = admin_headers(client, db)
    release(client, admin, 300)
    assert listed(client, parent)["update_due"] is False, "a device that never said its version is not flagged"
    client.post("/api/device/info", headers=device, json={"app_version_code": 300})
    assert listed(client, parent)["update_due"] is False
    release(client, admin, 400, channel="beta")
    newer = release(client, admin, 310, active=False)
    assert listed(client, parent)["update_due"] is False, "beta and inactive releases do not count"
    client.patch(
        f"/api/admin/ota/releases/{newer['id']}", json={"active": True, "rollout_percentage": 0}, headers=admin
    )
    assert listed(client, parent)["update_due"] is False, "a 0 % rollout offers it to nobody"
    client.patch(f"/api/admin/ota/releases/{newer['id']}", json={"rollout_percentage": 100}, headers=admin)
    assert listed(client, parent)["update_due"] is True
    device_row = listed(client, parent)["id"]
    renamed = client.patch(f"/api/parent/devices/{device_row}", json={"friendly_name": "Tablet"}, headers=auth(parent))
    assert renamed.json()["update_due"] is True and renamed.json()["friendly_name"] == "Tablet"


def test_bad_device_credentials_are_401(client):
    device = pair_device(client, sign_up(client))
    for headers in (
        {},
        {"X-Device-ID": device["X-Device-ID"]},
        {**device, "X-API-Key": "wrong"},
        {"X-Device-ID": "nobody", "X-API-Key": device["X-API-Key"]},
    ):
        for path in ("/api/device/heartbeat", "/api/device/info"):
            response = client.post(path, headers=headers, json={"device_model": "x"})
            assert response.status_code == 401 and response.json() == {"detail": "Invalid device credentials"}


@pytest.mark.parametrize(
    "body",
    [
        {"device_model": "m" * 101},
        {"device_manufacturer": "m" * 101},
        {"app_version": "v" * 51},
        {"fcm_token": "t" * 4097},
        {"app_version_code": -1},
        {"app_version_code": "abc"},
        {"app_version_code": 2**31},
        {"app_version_code": "²"},
        {"app_version_code": 1.5},
        {"device_model": "nul\u0000byte"},
        {"device_model": 7},
        [],
        "text",
    ],
)
def test_bad_device_info_is_400_with_a_string_detail_and_writes_nothing(client, db, body):
    parent = sign_up(client)
    device = pair_device(client, parent)
    assert_400_string(client.post("/api/device/info", headers=device, json=body), body)
    assert db.scalar(select(Device.info_updated_at).where(Device.device_id == device["X-Device-ID"])) is None


def test_unstorable_device_info_text_is_400(client, db):
    device = pair_device(client, sign_up(client))
    for raw in (b'{"device_model": "\\ud800"}', b'{"device_model": ', b"\xff\xfe"):
        response = client.post("/api/device/info", headers={**device, "Content-Type": "application/json"}, content=raw)
        assert_400_string(response, raw)
    assert db.scalar(select(Device.info_updated_at).where(Device.device_id == device["X-Device-ID"])) is None


# -- the admin release API ----------------------------------------------------------------------


def test_release_api_is_for_admins_only(client, db):
    parent = auth(sign_up(client))
    admin = admin_headers(client, db)
    published = release(client, admin, 10)
    body = {"version_name": "x", "version_code": 11, "apk_url": "https://e.example/a.apk", "sha256": SHA}
    for headers, expected in ((parent, 403), ({}, 401)):
        assert client.get("/api/admin/ota/releases", headers=headers).status_code == expected
        assert client.post("/api/admin/ota/releases", json=body, headers=headers).status_code == expected
        assert (
            client.patch(
                f"/api/admin/ota/releases/{published['id']}", json={"active": False}, headers=headers
            ).status_code
            == expected
        )
    assert db.scalar(select(func.count()).select_from(OtaRelease)) == 1
    assert db.get(OtaRelease, published["id"]).active is True


def test_admin_publishes_lists_and_steers_releases(client, db):
    admin = admin_headers(client, db)
    published = release(
        client, admin, 20, sha256=SHA.upper(), release_notes="Faster start", rollout_percentage=10, min_version_code=15
    )
    assert published["sha256"] == SHA and published["active"] is True and published["channel"] == "production"
    release(client, admin, 21, channel="beta")
    assert [r["version_code"] for r in client.get("/api/admin/ota/releases", headers=admin).json()] == [21, 20]
    assert [r["version_code"] for r in client.get("/api/admin/ota/releases?channel=beta", headers=admin).json()] == [21]

    path = f"/api/admin/ota/releases/{published['id']}"
    changed = client.patch(path, json={"rollout_percentage": 50, "active": False}, headers=admin).json()
    assert (changed["rollout_percentage"], changed["active"], changed["release_notes"]) == (50, False, "Faster start")
    assert client.patch(path, json={"active": True}, headers=admin).json()["active"] is True
    assert client.get(path, headers=admin).json()["rollout_percentage"] == 50


@pytest.mark.parametrize(
    "change",
    [
        {"apk_url": "http://cdn.example.com/a.apk"},
        {"apk_url": "ftp://cdn.example.com/a.apk"},
        {"apk_url": "https://"},
        {"apk_url": "HTTPS://cdn.example.com/a.apk"},
        {"apk_url": "https://cdn example.com/a"},
        {"apk_url": "https://[::1/a.apk"},
        {"sha256": "ab" * 31},
        {"sha256": "zz" * 32},
        {"channel": "alpha"},
        {"rollout_percentage": 101},
        {"rollout_percentage": -1},
        {"version_code": 0},
        {"version_code": 2**31},
        {"min_version_code": 31},
        {"min_version_code": -1},
        {"version_name": ""},
        {"version_name": "v" * 51},
        {"release_notes": "a\u0000b"},
        {"release_notes": "n" * 5001},
    ],
)
def test_bad_releases_are_refused_and_write_nothing(client, db, change):
    admin = admin_headers(client, db)
    body = {
        "version_name": "3.0",
        "version_code": 30,
        "apk_url": "https://cdn.example.com/a.apk",
        "sha256": SHA,
        **change,
    }
    response = client.post("/api/admin/ota/releases", json=body, headers=admin)
    assert response.status_code == 422, response.text
    assert db.scalar(select(func.count()).select_from(OtaRelease)) == 0


def test_release_conflicts_and_bad_edits_are_4xx(client, db):
    admin = admin_headers(client, db)
    published = release(client, admin, 40)
    again = client.post(
        "/api/admin/ota/releases",
        headers=admin,
        json={"version_name": "again", "version_code": 40, "apk_url": "https://e.example/b.apk", "sha256": SHA},
    )
    assert again.status_code == 409 and "40" in again.json()["detail"]
    release(client, admin, 40, channel="beta")  # the same code on another channel is fine
    path = f"/api/admin/ota/releases/{published['id']}"
    too_high = client.patch(path, json={"min_version_code": 41}, headers=admin)
    assert too_high.status_code == 422 and "40" in too_high.json()["detail"]
    for bad in ({"rollout_percentage": 101}, {"active": "maybe"}, {"release_notes": "\u0000"}):
        assert client.patch(path, json=bad, headers=admin).status_code == 422, bad
    assert client.patch("/api/admin/ota/releases/999999", json={"active": False}, headers=admin).status_code == 404
    assert client.patch(f"/api/admin/ota/releases/{2**31}", json={"active": False}, headers=admin).status_code == 422
    row = db.get(OtaRelease, published["id"])
    db.refresh(row)
    assert (row.min_version_code, row.rollout_percentage, row.active) == (0, 100, True)


# -- the manifest -------------------------------------------------------------------------------


def test_manifest_without_an_active_release(client, db):
    assert manifest(client, 5) == {"update_available": False, "channel": "production"}
    assert manifest(client, 5, "beta") == {"update_available": False, "channel": "beta"}
    admin = admin_headers(client, db)
    release(client, admin, 50, active=False)
    assert manifest(client, 5) == {"update_available": False, "channel": "production"}
    assert client.get("/api/ota/manifest?current_version_code=5").json()["channel"] == "production"


def test_manifest_offers_a_newer_release_of_the_asked_channel(client, db):
    admin = admin_headers(client, db)
    release(client, admin, 60, release_notes="Bug fixes")
    release(client, admin, 70, channel="beta")
    offered = manifest(client, 59, device_id="tablet-1")
    assert set(offered) == MANIFEST_FIELDS
    assert offered == {
        "update_available": True,
        "latest_version": "2.60",
        "version_code": 60,
        "apk_url": "https://cdn.example.com/launcher-60.apk",
        "sha256": SHA,
        "channel": "production",
        "min_version_code": 0,
        "release_notes": "Bug fixes",
        "rollout_percentage": 100,
    }
    up_to_date = manifest(client, 60, device_id="tablet-1")
    assert up_to_date["update_available"] is False and up_to_date["version_code"] == 60
    assert manifest(client, 65)["update_available"] is False
    beta = manifest(client, 60, "beta")
    assert beta["update_available"] is True and beta["version_code"] == 70 and beta["channel"] == "beta"


def test_device_headers_are_optional_and_never_checked(client):
    parent = sign_up(client)
    device = pair_device(client, parent)
    for headers in ({}, device, {**device, "X-API-Key": "wrong"}, {"X-Device-ID": "never-paired"}):
        response = client.get("/api/ota/manifest?current_version_code=1", headers=headers)
        assert response.json() == {"update_available": False, "channel": "production"}, headers


@pytest.mark.parametrize(
    "query",
    [
        "channel=alpha&current_version_code=1",
        "current_version_code=-1",
        "current_version_code=abc",
        "current_version_code=%C2%B2",
        f"current_version_code={2**31}",
        "current_version_code=1.5",
        "channel=production",
        "current_version_code=",
    ],
)
def test_bad_manifest_queries_are_400_with_a_string_detail(client, query):
    assert_400_string(client.get(f"/api/ota/manifest?{query}"), query)


def test_an_overlong_device_id_is_400(client):
    assert_400_string(
        client.get("/api/ota/manifest?current_version_code=1", headers={"X-Device-ID": "d" * 256}), "long id"
    )


def test_a_device_below_the_minimum_gets_the_update_whatever_the_rollout(client, db):
    admin = admin_headers(client, db)
    release(client, admin, 80, rollout_percentage=0, min_version_code=75)
    for device_id in ("a", "b", "c", None):
        assert manifest(client, 74, device_id=device_id)["update_available"] is True
        assert manifest(client, 75, device_id=device_id)["update_available"] is False


def test_a_device_outside_the_newest_rollout_gets_the_newest_release_it_is_in(client, db):
    admin = admin_headers(client, db)
    release(client, admin, 90)
    release(client, admin, 91, rollout_percentage=0)
    offered = manifest(client, 89, device_id="tablet-9")
    assert offered["update_available"] is True and offered["version_code"] == 90
    waiting = manifest(client, 90, device_id="tablet-9")
    assert waiting["update_available"] is False and waiting["version_code"] == 91


# -- rollout buckets ----------------------------------------------------------------------------


def test_buckets_are_stable_and_spread_evenly():
    ids = [str(uuid.UUID(int=n * 7919 + 1)) for n in range(10_000)]
    assert [bucket(device_id) for device_id in ids[:50]] == [bucket(device_id) for device_id in ids[:50]]
    assert bucket("android-7f3a") == bucket("android-7f3a") and 0 <= bucket("android-7f3a") <= 99
    counts = Counter(bucket(device_id) for device_id in ids)
    assert set(counts) == set(range(100))
    assert all(60 <= count <= 140 for count in counts.values()), counts  # expected 100, sd 10
    in_rollout = sum(bucket(device_id) < 30 for device_id in ids)
    assert 2_800 <= in_rollout <= 3_200
    assert bucket(None) == bucket("") == 99  # no id: only a full rollout reaches it


def test_a_30_percent_rollout_reaches_the_devices_of_its_buckets(client, db):
    admin = admin_headers(client, db)
    release(client, admin, 100, rollout_percentage=30)
    ids = [f"device-{n}" for n in range(300)]
    offered = {device_id for device_id in ids if manifest(client, 99, device_id=device_id)["update_available"]}
    assert offered == {device_id for device_id in ids if bucket(device_id) < 30}
    assert 60 <= len(offered) <= 120
    assert all(manifest(client, 99, device_id=device_id)["update_available"] for device_id in list(offered)[:20])
    assert manifest(client, 99)["update_available"] is False, "no device id: not in a staged rollout"
    client.patch(
        f"/api/admin/ota/releases/{db.scalar(select(OtaRelease.id))}", json={"rollout_percentage": 100}, headers=admin
    )
    assert manifest(client, 99)["update_available"] is True


def test_another_familys_devices_never_matter(client, db):
    admin = admin_headers(client, db)
    release(client, admin, 120, rollout_percentage=50)
    ours, theirs = sign_up(client), sign_up(client)
    our_device, their_device = pair_device(client, ours), pair_device(client, theirs)
    client.post("/api/device/info", headers=their_device, json={"device_model": "Theirs", "app_version_code": 1})
    client.post("/api/device/info", headers=our_device, json={"device_model": "Ours", "app_version_code": 120})
    shown = listed(client, ours)
    assert (shown["device_model"], shown["update_due"]) == ("Ours", False)
    # The bucket is the id's alone: the same answer paired or not, in any family, with or without a key.
    their_id = their_device["X-Device-ID"]
    expected = bucket(their_id) < 50
    assert listed(client, theirs)["update_due"] is expected, "due when the 50 % rollout reaches it"
    assert manifest(client, 119, device_id=their_id)["update_available"] is expected
    client.delete(f"/api/parent/devices/{listed(client, theirs)['id']}", headers=auth(theirs))
    assert manifest(client, 119, device_id=their_id)["update_available"] is expected


# -- pages --------------------------------------------------------------------------------------


def test_the_parents_devices_page_shows_status_model_version_and_update(client, db):
    parent = sign_up(client)
    device = pair_device(client, parent)
    release(client, admin_headers(client, db), 500)
    client.post(
        "/api/device/info",
        headers=device,
        json={
            "device_model": "SM-T220",
            "device_manufacturer": "samsung",
            "app_version": "2.4.9",
            "app_version_code": 499,
        },
    )
    log_in(client, parent["email"])
    page = client.get("/family/devices").text
    assert "Online" in page and "samsung SM-T220" in page and "App 2.4.9" in page and "Update due" in page


def test_the_admin_releases_page_publishes_and_edits(client, db):
    admin_headers(client, db, "releases@example.com")
    parent = sign_up(client)
    log_in(client, parent["email"])
    assert client.get("/admin/releases").status_code == 403
    log_in(client, "releases@example.com", PASSWORD)
    page = client.get("/admin/releases")
    assert page.status_code == 200 and "No releases yet" in page.text
    token = csrf(client, "/admin/releases")
    form = {
        "version_name": "2.5.0",
        "version_code": "250",
        "apk_url": "https://cdn.example.com/250.apk",
        "sha256": SHA,
        "channel": "beta",
        "min_version_code": "",
        "rollout_percentage": "25",
        "release_notes": "New home screen",
        "active": "on",
        "csrf_token": token,
    }
    response = client.post("/admin/releases", data=form, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/admin/releases"
    row = db.scalar(select(OtaRelease))
    assert (row.version_code, row.channel, row.rollout_percentage, row.min_version_code, row.active) == (
        250,
        "beta",
        25,
        0,
        True,
    )
    page = client.get("/admin/releases").text
    assert "Published 2.5.0" in page and "New home screen" in page

    # Unticked "active" deactivates.
    client.post(
        f"/admin/releases/{row.id}",
        data={"rollout_percentage": "60", "min_version_code": "200", "release_notes": "", "csrf_token": token},
    )
    db.refresh(row)
    assert (row.active, row.rollout_percentage, row.min_version_code, row.release_notes) == (False, 60, 200, "")


def test_bad_release_forms_go_back_with_the_reason_and_write_nothing(client, db):
    admin_headers(client, db, "forms@example.com")
    log_in(client, "forms@example.com")
    token = csrf(client, "/admin/releases")
    form = {
        "version_name": "2.5.0",
        "version_code": "250",
        "apk_url": "http://cdn.example.com/250.apk",
        "sha256": SHA,
        "csrf_token": token,
    }
    referer = {"referer": "http://testserver/admin/releases"}
    response = client.post("/admin/releases", data=form, headers=referer, follow_redirects=False)
    assert response.status_code == 303 and "https://" in client.get("/admin/releases").text
    for bad in ({"version_code": "²"}, {"version_code": str(2**31)}, {"release_notes": "a\u0000b"}, {"csrf_token": ""}):
        client.post(
            "/admin/releases", data={**form, "apk_url": "https://cdn.example.com/a.apk", **bad}, headers=referer
        )
    assert db.scalar(select(func.count()).select_from(OtaRelease)) == 0
    for release_id, reason in ((2**31, "less than or equal"), (999999, "Release not found")):
        response = client.post(
            f"/admin/releases/{release_id}",
            data={"rollout_percentage": "5", "csrf_token": token},
            headers=referer,
            follow_redirects=False,
        )
        assert response.status_code == 303 and reason in client.get("/admin/releases").text
