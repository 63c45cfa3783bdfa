"""Tokens: each kind works only where it belongs, and a password change or "sign out everywhere"
ends every older token and page session of the account."""

from datetime import UTC

import pytest
from sqlalchemy import func, select

from axolotly.accounts.service import sign_out_everywhere
from axolotly.families.context import family_of
from axolotly.families.members import invite
from axolotly.models import FamilyMember, User
from axolotly.security import tokens
from axolotly.security.tokens import TokenType
from tests.support.api import PASSWORD, auth, sign_up
from tests.support.pages import csrf, log_in

NEW_PASSWORD = "a brand new passphrase"


def page_session(client, parent: dict) -> str:
    """The `axolotly_web` cookie value of a page log-in (the client keeps it too)."""
    response = log_in(client, parent["email"])
    assert response.status_code == 303 and response.headers["location"] == "/"
    return response.cookies["axolotly_web"]


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def use_page_session(client, cookie: str) -> None:
    """The browser holds this page session, under the host the server's own cookies name (one
    cookie of the name, so a cookie the server sets later replaces it, as in a browser)."""
    for stale in [c for c in client.cookies.jar if c.name == "axolotly_web"]:
        client.cookies.jar.clear(stale.domain, stale.path, stale.name)
    client.cookies.set("axolotly_web", cookie, domain="testserver.local")


def signed_in_page(client, cookie: str) -> bool:
    use_page_session(client, cookie)
    response = client.get("/family/kids", follow_redirects=False)
    assert response.status_code in (200, 303)
    return response.status_code == 200


def change_password(client, parent: dict, current: str = PASSWORD, new: str = NEW_PASSWORD):
    return client.put(
        "/api/parent/me/password", json={"current_password": current, "new_password": new}, headers=auth(parent)
    )


def test_each_kind_of_token_reads_only_as_its_own_kind():
    issued = {
        TokenType.ACCESS: tokens.access_token(1, "parent", 0)[0],
        TokenType.WEB: tokens.web_session_token(1, 0)[0],
        TokenType.KID: tokens.kid_token("device", 1, "pin-hash")[0],
    }
    for made_as, token in issued.items():
        for read_as in TokenType:
            assert (tokens.read(token, read_as) is not None) == (made_as is read_as), (made_as, read_as)


def test_a_page_session_cookie_is_not_a_bearer_token(client):
    parent = sign_up(client)
    cookie = page_session(client, parent)
    client.cookies.clear()
    response = client.get("/api/parent/me", headers=bearer(cookie))
    assert response.status_code == 401 and response.json()["detail"] == "Invalid or expired token"
    assert client.get("/api/parent/me", headers=auth(parent)).status_code == 200


def test_an_access_token_is_not_a_page_session(client):
    parent = sign_up(client)
    use_page_session(client, parent["Authorization"].split()[1])
    response = client.get("/family/kids", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login?next=/family/kids"


def test_a_kid_token_is_neither_a_bearer_token_nor_a_page_session(client):
    parent = sign_up(client)
    kid_token, _ = tokens.kid_token("some-device", 1, "pin-hash")
    assert client.get("/api/parent/me", headers=bearer(kid_token)).status_code == 401
    assert not signed_in_page(client, kid_token)
    assert signed_in_page(client, page_session(client, parent))


def test_changing_the_password_needs_the_current_one(client, db):
    parent = sign_up(client)
    before = db.scalar(select(User.password_hash).where(User.id == parent["id"]))
    wrong = change_password(client, parent, current="not my password")
    assert wrong.status_code == 401 and wrong.json()["detail"] == "Current password does not match"
    db.expire_all()
    assert db.scalar(select(User.password_hash).where(User.id == parent["id"])) == before
    assert client.get("/api/parent/me", headers=auth(parent)).status_code == 200, "nothing was signed out"
    short = change_password(client, parent, new="short")
    assert short.status_code == 422, "the new password is checked like a sign-up's"
    assert change_password(client, parent).status_code == 200


def test_wrong_current_passwords_are_throttled_like_log_ins(client):
    parent = sign_up(client)
    for _ in range(5):
        assert change_password(client, parent, current="not my password").status_code == 401
    throttled = change_password(client, parent)
    assert throttled.status_code == 429 and int(throttled.headers["Retry-After"]) > 0


def test_a_password_change_ends_every_older_session_and_keeps_the_asking_client_in(client):
    parent = sign_up(client)
    other_app = client.post("/api/parent/auth/login", json={"email": parent["email"], "password": PASSWORD}).json()
    old_page = page_session(client, parent)

    changed = change_password(client, parent)
    assert changed.status_code == 200
    fresh = changed.json()
    assert fresh["token_type"] == "bearer" and fresh["expires_in"] > 0

    # Issued within the same second as the change, before it: refused; the fresh one, right after: works.
    assert client.get("/api/parent/me", headers=auth(parent)).status_code == 401
    assert client.get("/api/parent/me", headers=bearer(other_app["access_token"])).status_code == 401
    assert not signed_in_page(client, old_page)
    assert client.get("/api/parent/me", headers=bearer(fresh["access_token"])).json()["email"] == parent["email"]

    refused = client.post("/api/parent/auth/login", json={"email": parent["email"], "password": PASSWORD})
    assert refused.status_code == 401
    assert (
        client.post("/api/parent/auth/login", json={"email": parent["email"], "password": NEW_PASSWORD}).status_code
        == 200
    )


def test_signing_out_everywhere_ends_every_token_and_page_session(client):
    parent = sign_up(client)
    other_app = client.post("/api/parent/auth/login", json={"email": parent["email"], "password": PASSWORD}).json()
    old_page = page_session(client, parent)

    assert client.post("/api/parent/me/sign-out-everywhere", headers=auth(parent)).status_code == 204
    assert client.get("/api/parent/me", headers=auth(parent)).status_code == 401, "the asking token too"
    assert client.get("/api/parent/me", headers=bearer(other_app["access_token"])).status_code == 401
    assert not signed_in_page(client, old_page)

    again = client.post("/api/parent/auth/login", json={"email": parent["email"], "password": PASSWORD}).json()
    assert client.get("/api/parent/me", headers=bearer(again["access_token"])).status_code == 200
    assert signed_in_page(client, page_session(client, parent))


def test_a_token_issued_right_after_a_sign_out_everywhere_works(client, db):
    parent = sign_up(client)
    user = db.get(User, parent["id"])
    sign_out_everywhere(db, user)
    token, _ = tokens.access_token(user.id, user.role, user.token_epoch)
    assert client.get("/api/parent/me", headers=bearer(token)).status_code == 200
    assert client.get("/api/parent/me", headers=auth(parent)).status_code == 401


def test_the_account_page_changes_the_password_and_keeps_this_browser_signed_in(client):
    parent = sign_up(client)
    elsewhere = page_session(client, parent)
    here = page_session(client, parent)
    token = csrf(client, "/account")
    wrong = client.post(
        "/account/password",
        data={"current_password": "nope", "new_password": NEW_PASSWORD, "csrf_token": token},
        headers={"referer": "http://testserver/account"},
        follow_redirects=False,
    )
    assert wrong.status_code == 303 and wrong.headers["location"] == "/account"
    assert "Current password does not match" in client.get("/account").text
    assert signed_in_page(client, elsewhere), "a refused change ends nothing"

    use_page_session(client, here)
    changed = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": NEW_PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert changed.status_code == 303 and changed.headers["location"] == "/account"
    renewed = changed.cookies["axolotly_web"]
    assert renewed != here
    assert "Password changed" in client.get("/account").text
    assert signed_in_page(client, renewed)
    assert not signed_in_page(client, here) and not signed_in_page(client, elsewhere)
    assert client.get("/api/parent/me", headers=auth(parent)).status_code == 401


def test_the_account_page_signs_out_everywhere(client):
    parent = sign_up(client)
    elsewhere = page_session(client, parent)
    here = page_session(client, parent)
    response = client.post(
        "/account/sign-out-everywhere", data={"csrf_token": csrf(client, "/account")}, follow_redirects=False
    )
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert not signed_in_page(client, here) and not signed_in_page(client, elsewhere)
    assert client.get("/api/parent/me", headers=auth(parent)).status_code == 401


def test_the_account_forms_need_the_csrf_token(client):
    parent = sign_up(client)
    page_session(client, parent)
    for path, data in (
        ("/account/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD}),
        ("/account/sign-out-everywhere", {}),
    ):
        assert client.post(path, data={**data, "csrf_token": "0" * 64}).status_code == 403
    assert client.get("/api/parent/me", headers=auth(parent)).status_code == 200


@pytest.mark.parametrize("token", ["not-a-real-invitation", "x" * 101])
def test_a_sign_up_with_a_bad_invitation_creates_no_account(client, db, token):
    response = client.post(
        "/api/parent/auth/signup",
        json={"email": "invitee@example.com", "password": PASSWORD, "invitation_token": token},
    )
    assert response.status_code in (404, 422) and response.json()["detail"]
    assert db.scalar(select(func.count()).select_from(User).where(User.email == "invitee@example.com")) == 0


def test_a_sign_up_with_an_invitation_joins_the_family(client, db):
    owner = sign_up(client)
    _, token = invite(db, family_of(db, db.get(User, owner["id"])))
    response = client.post(
        "/api/parent/auth/signup",
        json={"email": "invitee@example.com", "password": PASSWORD, "invitation_token": token},
    )
    assert response.status_code == 201, response.text
    joined = db.scalar(select(FamilyMember.family_id).where(FamilyMember.user_id == response.json()["id"]))
    assert joined == owner["id"]
    again = client.post(
        "/api/parent/auth/signup", json={"email": "second@example.com", "password": PASSWORD, "invitation_token": token}
    )
    assert again.status_code == 404, "an invitation is single use"
    assert db.scalar(select(func.count()).select_from(User).where(User.email == "second@example.com")) == 0


def test_the_kid_launcher_says_wrong_pin_then_locked_and_its_kid_cookie_is_no_bearer_token(client):
    parent = sign_up(client)
    emma = client.post("/api/parent/kids", json={"name": "Emma", "pin": "1234"}, headers=auth(parent)).json()
    # Two kids: the paired browser is nobody's own device yet, so it asks who is watching.
    client.post("/api/parent/kids", json={"name": "Leo", "pin": "5678"}, headers=auth(parent))
    code = client.post("/api/parent/pairing-codes", headers=auth(parent)).json()["code"]
    token = csrf(client, "/kids")
    assert "Who is watching?" in client.post("/kids/pair", data={"code": code, "csrf_token": token}).text
    signed_in = client.post(
        f"/kids/{emma['id']}/pin", data={"pin": "1234", "csrf_token": token}, follow_redirects=False
    )
    kid_cookie = signed_in.cookies["axolotly_kid"]
    assert client.get("/api/parent/me", headers=bearer(kid_cookie)).status_code == 401
    assert not signed_in_page(client, kid_cookie)

    for _ in range(4):
        page = client.post(f"/kids/{emma['id']}/pin", data={"pin": "0000", "csrf_token": token})
        assert "That PIN is not right" in page.text
    page = client.post(f"/kids/{emma['id']}/pin", data={"pin": "0000", "csrf_token": token})
    assert "Too many tries!" in page.text and "try again in 15 minutes" in page.text
    page = client.post(f"/kids/{emma['id']}/pin", data={"pin": "1234", "csrf_token": token})
    assert "Too many tries!" in page.text
    kid = client.get(f"/api/parent/kids/{emma['id']}", headers=auth(parent)).json()
    assert kid["locked_until"] is not None, "parents see the lock"


def test_tokens_made_before_typed_tokens_are_refused(client):
    """Tokens signed the old way (no type, no epoch) stop working on the API and on the pages."""
    from datetime import datetime, timedelta

    import jwt

    from axolotly.config import get_settings

    parent = sign_up(client)
    now = datetime.now(UTC)
    secret = get_settings().jwt_secret
    old_claims = {"sub": str(parent["id"]), "role": "parent", "iat": now, "exp": now + timedelta(minutes=30)}
    for claims in (old_claims, {**old_claims, "typ": "access"}, {**old_claims, "typ": "web", "sub": str(parent["id"])}):
        token = jwt.encode(claims, secret, algorithm="HS256")
        assert client.get("/api/parent/me", headers=bearer(token)).status_code == 401, claims
        assert not signed_in_page(client, token), claims
