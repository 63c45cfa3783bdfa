"""The family's data from the pages and for an administrator: the account page's button downloads
the family's zip, the admin console's data-request form any family's (found by a parent's email),
the admin API any family's by id; each export is a line of the family's activity list."""

import html
import json
import re

from sqlalchemy import select

from axolotly.models import AuditEvent, User
from tests.support.api import PASSWORD, add_kid, admin_headers, auth, join, sign_up
from tests.support.exports import EXPORT_FILES, unzipped
from tests.support.pages import csrf, log_in, logged_in_parent

ADMIN_EXPORT = "An administrator exported the family's data (data request)"


def trail(db, family_id: int) -> list[tuple[str | None, str]]:
    events = select(AuditEvent).where(AuditEvent.family_id == family_id, AuditEvent.action == "family_exported")
    return [(event.actor, event.summary) for event in db.scalars(events.order_by(AuditEvent.id))]


def test_the_account_pages_button_downloads_the_familys_zip(client, db):
    parent = logged_in_parent(client)
    add_kid(client, parent, "Emma")
    page = client.get("/account").text
    form = re.search(r'<form method="post" action="/account/export".*?</form>', page, re.S)[0]
    assert "Download our data" in form and 'name="csrf_token"' in form
    response = client.post("/account/export", data={"csrf_token": csrf(client, "/account")})
    assert response.status_code == 200
    assert re.fullmatch(
        r'attachment; filename="axolotly-family-\d{4}-\d\d-\d\d\.zip"', response.headers["content-disposition"]
    )
    assert response.headers["cache-control"] == "no-store"
    files = unzipped(response.content)
    assert sorted(files) == sorted(EXPORT_FILES)
    document = json.loads(files["family.json"])
    assert document["family"]["id"] == parent["id"] and [k["name"] for k in document["kids"]] == ["Emma"]
    assert trail(db, parent["id"]) == [(parent["email"], "Exported the family's data")]


def test_the_account_pages_export_needs_the_forms_token(client, db):
    parent = logged_in_parent(client)
    response = client.post("/account/export", data={"csrf_token": "0" * 64})
    assert response.status_code == 403 and "nothing was done" in response.text
    assert trail(db, parent["id"]) == []


def test_an_admin_downloads_a_family_by_a_co_parents_email_from_the_console(client, db):
    owner = sign_up(client)
    add_kid(client, owner, "Emma")
    co_parent = join(client, owner)
    admin_headers(client, db, "ops@example.com")
    log_in(client, "ops@example.com", PASSWORD)
    page = html.unescape(client.get("/admin").text)
    assert "Data requests" in page and 'action="/admin/families/export"' in page
    token = csrf(client, "/admin")
    response = client.post("/admin/families/export", data={"email": co_parent["email"].upper(), "csrf_token": token})
    assert response.status_code == 200 and response.headers["content-type"] == "application/zip"
    assert f'filename="axolotly-family-{owner["id"]}-' in response.headers["content-disposition"]  # which family
    document = json.loads(unzipped(response.content)["family.json"])
    assert document["family"]["id"] == owner["id"]
    assert [p["email"] for p in document["parents"]] == [owner["email"], co_parent["email"]]
    assert trail(db, owner["id"]) == [("Axolotly support", ADMIN_EXPORT)]


def test_an_unknown_email_on_the_console_says_so_and_exports_nothing(client, db):
    admin_headers(client, db, "ops@example.com")
    log_in(client, "ops@example.com", PASSWORD)
    token = csrf(client, "/admin")
    response = client.post(
        "/admin/families/export",
        data={"email": "nobody@example.com", "csrf_token": token},
        headers={"Referer": "http://testserver/admin"},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/admin"
    assert "No parent account has this email" in html.unescape(client.get("/admin").text)
    assert db.scalars(select(AuditEvent).where(AuditEvent.action == "family_exported")).all() == []


def test_a_parent_cannot_use_the_consoles_export(client, db):
    parent = logged_in_parent(client)
    other = sign_up(client)
    token = csrf(client, "/account")
    response = client.post(
        "/admin/families/export",
        data={"email": other["email"], "csrf_token": token},
        headers={"Referer": "http://testserver/account"},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/account"
    assert "Admins only" in html.unescape(client.get(response.headers["location"]).text)
    assert trail(db, other["id"]) == [] and trail(db, parent["id"]) == []


def test_the_admin_api_exports_a_family_and_says_so_in_its_trail(client, db):
    owner = sign_up(client)
    co_parent = join(client, owner)
    admin = admin_headers(client, db)
    response = client.get(f"/api/admin/families/{owner['id']}/export", headers=admin)
    assert response.status_code == 200
    assert json.loads(unzipped(response.content)["family.json"])["family"]["id"] == owner["id"]
    assert trail(db, owner["id"]) == [("Axolotly support", ADMIN_EXPORT)]
    # A co-parent's own id, an admin's, one nobody has: no family.
    admin_id = db.scalar(select(User.id).where(User.email == "ops@example.com"))
    for family_id in (co_parent["id"], admin_id, 2_000_000_000):
        missing = client.get(f"/api/admin/families/{family_id}/export", headers=admin)
        assert missing.status_code == 404 and missing.json()["detail"] == "Family not found"
    assert client.get("/api/admin/families/99999999999/export", headers=admin).status_code in (404, 422)
    assert len(trail(db, owner["id"])) == 1


def test_the_admin_api_is_for_admins_only(client, db):
    owner = sign_up(client)
    other = sign_up(client)
    refused = client.get(f"/api/admin/families/{other['id']}/export", headers=auth(owner))
    assert refused.status_code == 403
    assert client.get(f"/api/admin/families/{other['id']}/export").status_code == 401
    assert trail(db, other["id"]) == []
