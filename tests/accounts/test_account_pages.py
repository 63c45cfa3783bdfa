"""The account page and its API: email, family name and time zone, deleting the account (what goes,
what stays), and a sign-up form that keeps what was typed."""

import logging

from sqlalchemy import func, select

from axolotly.models import AuditEvent, Device, FamilyMember, FamilyTitle, KidProfile, User
from tests.support.api import PASSWORD, add_kid, auth, join, offline_title, sign_up
from tests.support.launcher_helpers import pair_device
from tests.support.pages import csrf, log_in


def form(client, path: str, page: str = "/account", **fields):
    """Posts a page's form as a browser would (CSRF token, Referer of the page it came from)."""
    return client.post(
        path,
        data={**fields, "csrf_token": csrf(client, page)},
        headers={"referer": f"http://testserver{page}"},
        follow_redirects=False,
    )


def flash(client, response) -> str:
    return client.get(response.headers["location"]).text


def audit_actions(db, family_id: int) -> list[str]:
    return list(db.scalars(select(AuditEvent.action).where(AuditEvent.family_id == family_id).order_by(AuditEvent.id)))


def count(db, model, **where) -> int:
    return db.scalar(select(func.count()).select_from(model).filter_by(**where))


# -- email ------------------------------------------------------------------------------------------


def test_changing_the_email_needs_the_password_and_tells_the_old_address(client, db, caplog):
    parent = sign_up(client)
    log_in(client, parent["email"])
    page = client.get("/account").text
    assert "Change email" in page and "Delete my account" in page and 'action="/account/family"' in page
    wrong = form(client, "/account/email", email="new-address@example.com", password="not my password")
    assert wrong.status_code == 303 and "Password does not match" in flash(client, wrong)
    assert db.get(User, parent["id"]).email == parent["email"]

    with caplog.at_level(logging.WARNING, logger="axolotly.mail"):
        changed = form(client, "/account/email", email=" New-Address@Example.com ", password=PASSWORD)
    assert changed.status_code == 303 and "new-address@example.com" in flash(client, changed)
    assert db.get(User, parent["id"]).email == "new-address@example.com"
    notice = [r.getMessage() for r in caplog.records if r.name == "axolotly.mail"]
    assert len(notice) == 1 and f"To: {parent['email']}" in notice[0] and "new-address@example.com" in notice[0]
    event = db.scalars(
        select(AuditEvent).where(AuditEvent.family_id == parent["id"], AuditEvent.action == "email_changed")
    ).one()
    assert event.actor == "new-address@example.com" and parent["email"] in event.summary
    # The new address logs in, the old one no longer does; this browser stayed signed in.
    assert client.get("/account").status_code == 200
    assert (
        client.post("/api/parent/auth/login", json={"email": parent["email"], "password": PASSWORD}).status_code == 401
    )
    assert (
        client.post(
            "/api/parent/auth/login", json={"email": "new-address@example.com", "password": PASSWORD}
        ).status_code
        == 200
    )


def test_the_email_api_refuses_a_taken_or_bad_address_and_a_wrong_password(client, db):
    parent, other = sign_up(client), sign_up(client)
    put = lambda **body: client.put("/api/parent/me/email", json=body, headers=auth(parent))  # noqa: E731
    assert put(email=other["email"].upper(), password=PASSWORD).status_code == 409
    assert put(email="not an address", password=PASSWORD).status_code == 422
    assert put(email="fine@example.com", password="wrong password").status_code == 401
    assert put(email="fine@example.com").status_code == 422
    assert db.get(User, parent["id"]).email == parent["email"]
    assert "email_changed" not in audit_actions(db, parent["id"])
    changed = put(email="fine@example.com", password=PASSWORD)
    assert changed.status_code == 200 and changed.json()["email"] == "fine@example.com"
    assert client.get("/api/parent/me", headers=auth(parent)).json()["email"] == "fine@example.com"


def test_wrong_passwords_on_the_account_page_are_throttled(client, db):
    parent = sign_up(client)
    log_in(client, parent["email"])
    for _ in range(5):
        form(client, "/account/email", email="x@example.com", password="wrong password")
    response = form(client, "/account/email", email="x@example.com", password=PASSWORD)  # even the right one
    assert "Too many wrong passwords" in flash(client, response)
    assert db.get(User, parent["id"]).email == parent["email"]


# -- family name and time zone ------------------------------------------------------------------------


def test_family_name_and_time_zone_from_the_account_page(client, db):
    parent = sign_up(client)
    log_in(client, parent["email"])
    page = client.get("/account").text
    assert '<option value="UTC" selected>' in page and '<option value="Europe/Berlin"' in page
    saved = form(client, "/account/family", family_name="The Axolotls", time_zone="Europe/Berlin")
    assert "The Axolotls" in flash(client, saved)
    user = db.get(User, parent["id"])
    assert (user.family_name, user.time_zone) == ("The Axolotls", "Europe/Berlin")
    assert '<option value="Europe/Berlin" selected' in client.get("/account").text

    for bad in ({"family_name": "Fine", "time_zone": "Mars/Olympus"}, {"family_name": "", "time_zone": "UTC"}):
        refused = form(client, "/account/family", **bad)
        assert refused.status_code == 303 and 'role="alert"' in flash(client, refused)
    db.refresh(user)
    assert (user.family_name, user.time_zone) == ("The Axolotls", "Europe/Berlin")


# -- deleting the account ----------------------------------------------------------------------------


def test_the_delete_page_says_what_goes_and_the_owner_takes_the_family_with_them(client, db):
    owner = sign_up(client)
    emma, leo = add_kid(client, owner, "Emma"), add_kid(client, owner, "Leo")
    pair_device(client, owner)
    title = offline_title(db, "Bluey", with_episodes=False)
    assert client.put(
        f"/api/parent/kids/{emma['id']}/policies/{title.id}", json={"policy": "allow"}, headers=auth(owner)
    ).status_code in (200, 201)
    co_parent = join(client, owner)
    log_in(client, owner["email"])

    page = client.get("/account/delete").text
    for says in ("2 kid profiles: Emma, Leo", "1 paired device", "1 title", "1 allow/deny rule", co_parent["email"]):
        assert says in page, says

    kept = form(client, "/account/delete", "/account/delete", password="wrong password")
    assert kept.status_code == 303 and "Password does not match" in flash(client, kept)
    assert db.get(User, owner["id"]) is not None

    gone = form(client, "/account/delete", "/account/delete", password=PASSWORD)
    assert gone.status_code == 303 and gone.headers["location"] == "/login"
    assert "deleted" in client.get("/login").text
    assert db.get(User, owner["id"]) is None
    for model in (KidProfile, Device, FamilyTitle, AuditEvent):
        assert count(db, model, family_id=owner["id"]) == 0, model
    assert count(db, KidProfile, id=leo["id"]) == 0
    # The co-parent keeps an account of their own, outside any family; the browser is signed out.
    assert db.get(User, co_parent["id"]) is not None and count(db, FamilyMember, user_id=co_parent["id"]) == 0
    assert client.get("/account", follow_redirects=False).status_code == 303


def test_a_co_parent_deleting_their_account_leaves_and_the_trail_says_so(client, db):
    owner = sign_up(client)
    add_kid(client, owner)
    co_parent = join(client, owner)
    log_in(client, co_parent["email"])
    page = client.get("/account/delete").text
    assert "You leave the family" in page and owner["email"] in page
    gone = form(client, "/account/delete", "/account/delete", password=PASSWORD)
    assert gone.status_code == 303 and "goes on without you" in flash(client, gone)
    assert db.get(User, co_parent["id"]) is None and db.get(User, owner["id"]) is not None
    assert count(db, KidProfile, family_id=owner["id"]) == 1
    assert audit_actions(db, owner["id"])[-1] == "account_deleted"


def test_the_account_api_deletion_refuses_a_wrong_password(client, db):
    parent = sign_up(client)
    refused = client.request("DELETE", "/api/parent/me", json={"password": "wrong password"}, headers=auth(parent))
    assert refused.status_code == 401 and db.get(User, parent["id"]) is not None


# -- sign-up keeps what was typed -----------------------------------------------------------------------


def test_a_failed_sign_up_shows_the_form_again_as_typed_but_the_password(client, db):
    taken = sign_up(client)
    response = client.post(
        "/signup",
        data={
            "email": taken["email"],
            "password": "a long secret password",
            "family_name": "The Tailors",
            "csrf_token": csrf(client, "/signup"),
        },
    )
    assert response.status_code == 409
    assert f'value="{taken["email"]}"' in response.text and 'value="The Tailors"' in response.text
    assert "already exists" in response.text and "a long secret password" not in response.text

    short = client.post(
        "/signup",
        data={
            "email": "new-family@example.com",
            "password": "short",
            "family_name": "The Shorts",
            "csrf_token": csrf(client, "/signup"),
        },
    )
    assert short.status_code == 422 and 'value="new-family@example.com"' in short.text
    assert 'value="The Shorts"' in short.text and "10 characters" in short.text
    assert count(db, User, email="new-family@example.com") == 0
