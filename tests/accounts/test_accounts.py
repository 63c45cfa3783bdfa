from datetime import UTC, datetime, timedelta

import jwt
import pytest
from sqlalchemy import func, select

from axolotly.config import get_settings
from axolotly.models import Device, KidProfile, KidProfileTitle, StreamingServiceSelection, User
from tests.support.api import PASSWORD, add_kid, auth, offline_title, sign_up


def test_sign_up_normalises_email_and_logs_in(client):
    response = client.post("/api/parent/auth/signup", json={"email": "Mixed.Case@Example.COM", "password": PASSWORD})
    assert response.status_code == 201
    assert response.json()["email"] == "mixed.case@example.com"
    assert response.json()["role"] == "parent"
    login = client.post("/api/parent/auth/login", json={"email": "MIXED.case@example.com", "password": PASSWORD})
    assert login.status_code == 200
    me = client.get("/api/parent/me", headers={"Authorization": f"Bearer {login.json()['access_token']}"})
    assert me.json()["email"] == "mixed.case@example.com"


def test_token_carries_user_id_and_role(client):
    parent = sign_up(client)
    claims = jwt.decode(parent["Authorization"].split()[1], get_settings().jwt_secret, algorithms=["HS256"])
    assert claims["sub"] == str(parent["id"]) and claims["role"] == "parent"
    assert claims["exp"] - claims["iat"] <= 60 * 60


def test_duplicate_email_is_409_whatever_the_case(client):
    sign_up(client, email="dup@example.com")
    response = client.post("/api/parent/auth/signup", json={"email": "DUP@example.com", "password": PASSWORD})
    assert response.status_code == 409
    assert "exists" in response.json()["detail"]


@pytest.mark.parametrize(
    "body",
    [
        {"email": "not-an-email", "password": PASSWORD},
        {"email": "a@example.com", "password": "short"},
        {"email": "a@example.com", "password": "é" * 40},  # 80 bytes: over bcrypt's 72
        {"email": "a@example.com"},
        {"email": "a@example.com", "password": PASSWORD, "family_name": ""},
    ],
)
def test_bad_sign_up_is_422_and_writes_nothing(client, db, body):
    before = db.execute(select(func.count()).select_from(User)).scalar_one()
    response = client.post("/api/parent/auth/signup", json=body)
    assert response.status_code == 422
    assert response.json()["detail"]
    assert db.execute(select(func.count()).select_from(User)).scalar_one() == before


def test_wrong_password_and_unknown_email_get_the_same_401(client):
    sign_up(client, email="known@example.com")
    wrong = client.post("/api/parent/auth/login", json={"email": "known@example.com", "password": "wrong password"})
    unknown = client.post("/api/parent/auth/login", json={"email": "nobody@example.com", "password": "wrong password"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()


def test_login_is_throttled_per_account_with_retry_after(client):
    sign_up(client, email="target@example.com")
    for _ in range(5):
        assert (
            client.post("/api/parent/auth/login", json={"email": "target@example.com", "password": "bad"}).status_code
            == 401
        )
    throttled = client.post("/api/parent/auth/login", json={"email": "target@example.com", "password": PASSWORD})
    assert throttled.status_code == 429
    assert 0 < int(throttled.headers["Retry-After"]) <= 15 * 60


def test_login_is_throttled_per_client_address(client):
    for n in range(20):
        client.post("/api/parent/auth/login", json={"email": f"spray{n}@example.com", "password": "bad"})
    response = client.post("/api/parent/auth/login", json={"email": "fresh@example.com", "password": "bad"})
    assert response.status_code == 429


def test_forwarded_for_does_not_bypass_the_address_throttle(client):
    for n in range(20):
        client.post(
            "/api/parent/auth/login",
            json={"email": f"spray{n}@example.com", "password": "bad"},
            headers={"X-Forwarded-For": f"10.0.0.{n}"},
        )
    response = client.post(
        "/api/parent/auth/login",
        json={"email": "x@example.com", "password": "bad"},
        headers={"X-Forwarded-For": "10.9.9.9"},
    )
    assert response.status_code == 429


def test_successful_login_resets_the_account_counter(client):
    sign_up(client, email="forgetful@example.com")
    for _ in range(4):
        client.post("/api/parent/auth/login", json={"email": "forgetful@example.com", "password": "bad"})
    assert (
        client.post("/api/parent/auth/login", json={"email": "forgetful@example.com", "password": PASSWORD}).status_code
        == 200
    )
    for _ in range(4):
        assert (
            client.post(
                "/api/parent/auth/login", json={"email": "forgetful@example.com", "password": "bad"}
            ).status_code
            == 401
        )


def test_missing_forged_and_expired_tokens_are_401(client):
    parent = sign_up(client)
    assert client.get("/api/parent/me").status_code == 401
    forged = jwt.encode(
        {"sub": str(parent["id"]), "role": "admin", "exp": datetime.now(UTC) + timedelta(minutes=5)},
        "not-our-secret",
        algorithm="HS256",
    )
    assert client.get("/api/parent/me", headers={"Authorization": f"Bearer {forged}"}).status_code == 401
    expired = jwt.encode(
        {"sub": str(parent["id"]), "role": "parent", "exp": datetime.now(UTC) - timedelta(seconds=1)},
        get_settings().jwt_secret,
        algorithm="HS256",
    )
    assert client.get("/api/parent/me", headers={"Authorization": f"Bearer {expired}"}).status_code == 401
    assert client.get("/api/parent/me", headers={"Authorization": "Bearer garbage"}).status_code == 401


def test_parent_token_on_admin_routes_is_403(client):
    parent = sign_up(client)
    assert client.get("/api/admin/reports", headers=auth(parent)).status_code == 403
    assert client.post("/api/admin/reports/1/resolve", headers=auth(parent)).status_code == 403


def test_sign_up_cannot_create_an_admin(client):
    response = client.post(
        "/api/parent/auth/signup", json={"email": "sneaky@example.com", "password": PASSWORD, "role": "admin"}
    )
    assert response.status_code == 201 and response.json()["role"] == "parent"


def test_delete_account_needs_the_password_and_cascades(client, db):
    parent = sign_up(client)
    kid = add_kid(client, parent)
    title = offline_title(db, "Bluey")
    client.put(f"/api/parent/kids/{kid['id']}/policies/{title.id}", json={"policy": "allow"}, headers=auth(parent))
    client.put("/api/parent/services/selected", json={"services": ["disney_plus"]}, headers=auth(parent))
    db.add(Device(device_id="d-delete-me", family_id=parent["id"], kid_profile_id=kid["id"]))
    db.flush()
    wrong = client.request("DELETE", "/api/parent/me", json={"password": "not it at all"}, headers=auth(parent))
    assert wrong.status_code == 401
    assert (
        client.request("DELETE", "/api/parent/me", json={"password": PASSWORD}, headers=auth(parent)).status_code == 204
    )
    for model, column in (
        (KidProfile, KidProfile.family_id),
        (Device, Device.family_id),
        (StreamingServiceSelection, StreamingServiceSelection.family_id),
    ):
        assert db.execute(select(func.count()).select_from(model).where(column == parent["id"])).scalar_one() == 0
    assert (
        db.execute(
            select(func.count()).select_from(KidProfileTitle).where(KidProfileTitle.kid_profile_id == kid["id"])
        ).scalar_one()
        == 0
    )
    assert client.get("/api/parent/me", headers=auth(parent)).status_code == 401
