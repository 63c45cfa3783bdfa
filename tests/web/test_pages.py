"""The pages without a browser: sessions, CSRF, isolation, validation, the audit trail."""

from sqlalchemy import func, select

from axolotly.models import AuditEvent, Device, KidProfile
from axolotly.policies.service import set_policy
from tests.support.api import PASSWORD, add_kid, auth, offline_title, sign_up
from tests.support.factories import make_family, make_kid
from tests.support.launcher_helpers import pair_device
from tests.support.pages import csrf, log_in


def test_log_in_sets_an_http_only_lax_cookie_and_pages_need_it(client):
    assert client.get("/family/kids", follow_redirects=False).headers["location"] == "/login?next=/family/kids"
    parent = sign_up(client)
    response = log_in(client, parent["email"])
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = [c for c in response.headers.get_list("set-cookie") if c.startswith("axolotly_web=")][0]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    assert client.get("/family/kids").status_code == 200
    client.post("/logout", data={"csrf_token": csrf(client, "/")})
    assert client.get("/family/kids", follow_redirects=False).status_code == 303


def test_wrong_passwords_are_throttled_like_the_api(client):
    parent = sign_up(client)
    for _ in range(5):
        response = log_in(client, parent["email"], "wrong password!")
        assert (
            response.status_code == 303 and "Wrong email or password" in client.get(response.headers["location"]).text
        )
    response = log_in(client, parent["email"])  # even the right password, now
    assert response.status_code == 303
    page = client.get(response.headers["location"])  # back to the form, which says why
    assert page.url.path == "/login" and "Too many" in page.text
    assert client.get("/family/kids", follow_redirects=False).status_code == 303  # not logged in


def test_a_form_without_the_csrf_token_is_refused_and_writes_nothing(client, db):
    parent = sign_up(client)
    log_in(client, parent["email"])
    before = db.scalar(select(func.count()).select_from(KidProfile))
    for token in ("", "0" * 64):
        response = client.post("/family/kids", data={"name": "Mallory", "pin": "1234", "csrf_token": token})
        assert response.status_code == 403 and "nothing was done" in response.text
    assert db.scalar(select(func.count()).select_from(KidProfile)) == before


def test_open_redirects_are_refused(client):
    parent = sign_up(client)
    response = client.post(
        "/login",
        data={"email": parent["email"], "password": PASSWORD, "next": "//evil.example/", "csrf_token": csrf(client)},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


def test_bad_form_input_goes_back_with_the_reason_and_writes_nothing(client, db):
    parent = sign_up(client)
    log_in(client, parent["email"])
    token = csrf(client, "/family/kids")
    response = client.post(
        "/family/kids",
        data={"name": "Emma", "pin": "12", "csrf_token": token},
        headers={"referer": "http://testserver/family/kids"},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/family/kids"
    page = client.get("/family/kids").text
    assert "PIN:" in page and 'role="alert"' in page
    assert db.scalar(select(func.count()).select_from(KidProfile).where(KidProfile.family_id == parent["id"])) == 0
    response = client.post("/family/kids", data={"name": "Emma", "pin": "1234", "age": "old", "csrf_token": token})
    assert "Not a whole number" in response.text


def test_another_familys_rows_are_not_found_from_pages(client, db):
    other = make_family(db)
    their_kid = make_kid(db, other, "Theirs")
    parent = sign_up(client)
    their_device = pair_device(client, {"Authorization": sign_up(client)["Authorization"]})
    log_in(client, parent["email"])
    assert client.get(f"/family/kids/{their_kid.id}/delete").status_code == 404
    device_row = db.scalar(select(Device.id).where(Device.device_id == their_device["X-Device-ID"]))
    response = client.post(f"/family/devices/{device_row}/unpair", data={"csrf_token": csrf(client, "/")})
    assert "Device not found" in response.text
    assert db.get(Device, device_row) is not None
    bluey = offline_title(db, "Bluey")
    token = csrf(client, "/")
    assert client.get(f"/family/kids/{their_kid.id}/why/{bluey.id}").status_code == 404
    for path, data in (
        (f"/family/kids/{their_kid.id}/pin", {"pin": "0000"}),
        (f"/family/kids/{their_kid.id}", {"name": "Renamed"}),
        (f"/family/kids/{their_kid.id}/delete", {}),
        (f"/catalog/titles/{bluey.id}/policies", {"kid": str(their_kid.id), "policy": "allow"}),
        (f"/family/devices/{device_row}", {"friendly_name": "Mine now"}),
    ):
        assert "not found" in client.post(path, data={**data, "csrf_token": token}).text, path
    db.expire_all()
    kid = db.get(KidProfile, their_kid.id)
    assert kid.name == "Theirs" and db.get(Device, device_row).friendly_name != "Mine now"
    assert db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.family_id == other.id)) == 0


def test_activity_api_is_the_familys_own_and_checks_its_limit(client):
    first, second = sign_up(client), sign_up(client)
    add_kid(client, first, "Emma")
    assert client.get("/api/parent/activity?limit=0", headers=auth(first)).status_code == 422
    assert client.get("/api/parent/activity?limit=501", headers=auth(first)).json()["detail"]
    theirs = client.get("/api/parent/activity", headers=auth(second)).json()
    assert theirs and not any("Emma" in event["summary"] for event in theirs)
    assert any("Emma" in e["summary"] for e in client.get("/api/parent/activity", headers=auth(first)).json())
    assert client.get("/api/parent/activity").status_code == 401


def test_the_audit_trail_commits_with_the_change_or_not_at_all(client, db):
    parent = sign_up(client)
    emma = add_kid(client, parent, "Emma")
    bluey = offline_title(db, "Bluey")
    client.put(f"/api/parent/kids/{emma['id']}/policies/{bluey.id}", json={"policy": "allow"}, headers=auth(parent))
    for _ in range(5):
        client.post(f"/api/parent/kids/{emma['id']}/verify-pin", json={"pin": "0000"}, headers=auth(parent))
    actions = db.scalars(
        select(AuditEvent.action).where(AuditEvent.family_id == parent["id"]).order_by(AuditEvent.id)
    ).all()
    assert actions[:1] == ["login"] and "kid_added" in actions and "policy_changed" in actions
    assert actions[-1] == "pin_locked"

    savepoint = db.begin_nested()
    set_policy(db, db.get(KidProfile, emma["id"]), bluey.id, "deny")
    savepoint.rollback()
    assert (
        db.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.family_id == parent["id"], AuditEvent.summary.like("Denied%"))
        )
        == 0
    )

    api = client.get("/api/parent/activity", headers=auth(parent)).json()
    assert [event["action"] for event in api][:1] == ["pin_locked"]
    log_in(client, parent["email"])
    page = client.get("/family/activity").text
    assert page.index("PIN lockout") < page.index("Policy changed")  # newest first


def test_the_kid_launcher_needs_a_paired_browser_and_the_kids_pin(client, db):
    parent = sign_up(client)
    emma = add_kid(client, parent, "Emma", pin="1234")
    assert "6-digit code" in client.get("/kids").text
    code = client.post("/api/parent/pairing-codes", headers=auth(parent)).json()["code"]
    token = csrf(client, "/kids")
    assert "did not work" in client.post("/kids/pair", data={"code": "000000", "csrf_token": token}).text
    add_kid(client, parent, "Leo", pin="5678")  # two kids: the new device is nobody's yet
    assert "Who is watching?" in client.post("/kids/pair", data={"code": code, "csrf_token": token}).text
    assert (
        client.get(f"/kids/{emma['id']}/launcher", follow_redirects=False).headers["location"]
        == f"/kids/{emma['id']}/pin"
    )
    assert "Emma's shows" in client.post(f"/kids/{emma['id']}/pin", data={"pin": "1234", "csrf_token": token}).text

    device = db.scalars(select(Device).where(Device.family_id == parent["id"])).one()
    assert device.friendly_name == "Web launcher"
    client.delete(f"/api/parent/devices/{device.id}", headers=auth(parent))
    assert "6-digit code" in client.get("/kids").text  # unpaired: the browser is signed out at once


def test_cookies_are_secure_behind_tls_when_configured(client, monkeypatch):
    from axolotly.config import get_settings

    parent = sign_up(client)
    monkeypatch.setenv("COOKIE_SECURE", "true")
    get_settings.cache_clear()
    client.base_url = "https://testserver"  # Secure cookies travel over TLS only
    try:
        response = log_in(client, parent["email"])
    finally:
        get_settings.cache_clear()
    cookie = [c for c in response.headers.get_list("set-cookie") if c.startswith("axolotly_web=")][0]
    assert "Secure" in cookie


def test_the_placeholder_poster_of_unimported_results_is_served(client):
    response = client.get("/posters/placeholder.svg")
    assert response.status_code == 200 and response.headers["content-type"].startswith("image/svg")
    assert client.get("/posters/2147483648.svg").status_code == 422


def test_the_reports_page_says_where_a_report_stands_in_words(client, db):
    """Issue 23 review: the raw status ("pending") was printed to parents."""
    from sqlalchemy import text

    parent = sign_up(client)
    filed = []
    for name in ("Moana", "Bluey", "Frozen"):
        title = offline_title(db, name)
        body = {"title_id": title.id, "issue_type": "wrong_age_rating", "description": "scary"}
        filed.append(client.post("/api/parent/reports", json=body, headers=auth(parent)).json()["id"])
    db.execute(
        text("UPDATE content_reports SET status = 'resolved', resolved_at = now() WHERE id = :id"), {"id": filed[1]}
    )
    db.execute(
        text("UPDATE content_reports SET status = 'dismissed', resolved_at = now() WHERE id = :id"), {"id": filed[2]}
    )
    log_in(client, parent["email"])
    page = client.get("/family/reports").text
    for words in ("Waiting for review", "Fixed", "Dismissed"):
        assert words in page
    for raw in (">pending<", ">resolved<", ">dismissed<"):
        assert raw not in page
