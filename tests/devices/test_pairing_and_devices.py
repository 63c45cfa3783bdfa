from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import delete, text
from sqlalchemy.orm import Session

from axolotly.devices import codes
from axolotly.models import User
from tests.support.api import add_kid, auth, offline_title, sign_up
from tests.support.launcher_helpers import assign, device_row_id, pair_device


def test_codes_are_six_digits_expire_in_ten_minutes_and_at_most_five_live(client, db):
    parent = sign_up(client)
    created = [client.post("/api/parent/pairing-codes", headers=auth(parent)) for _ in range(5)]
    assert all(r.status_code == 201 and len(r.json()["code"]) == 6 and r.json()["code"].isdigit() for r in created)
    lifetime = db.execute(
        text("SELECT extract(epoch FROM expires_at - created_at) FROM pairing_codes WHERE id = :id"),
        {"id": created[0].json()["id"]},
    ).scalar_one()
    assert lifetime == 600
    assert client.post("/api/parent/pairing-codes", headers=auth(parent)).status_code == 409
    assert len(client.get("/api/parent/pairing-codes", headers=auth(parent)).json()) == 5
    assert (
        client.delete(f"/api/parent/pairing-codes/{created[0].json()['id']}", headers=auth(parent)).status_code == 204
    )
    assert client.post("/api/pair", json={"pairingCode": created[0].json()["code"]}).status_code == 401, "revoked"
    assert client.post("/api/parent/pairing-codes", headers=auth(parent)).status_code == 201


def test_parent_manages_devices_and_unpair_stops_the_key_at_once(client, db):
    parent = sign_up(client)
    add_kid(client, parent, "Emma")
    leo = add_kid(client, parent, "Leo")
    device = pair_device(client, parent)
    row = device_row_id(client, parent, device)
    listed = client.get("/api/parent/devices", headers=auth(parent)).json()
    assert listed[0]["kid_id"] is None and listed[0]["paired_at"]
    updated = client.patch(
        f"/api/parent/devices/{row}", json={"friendly_name": " Tablet ", "kid_id": leo["id"]}, headers=auth(parent)
    ).json()
    assert updated["friendly_name"] == "Tablet" and updated["kid_id"] == leo["id"]
    assert client.get("/api/device/validate", headers=device).json()["kid_name"] == "Leo"
    assert (
        client.patch(f"/api/parent/devices/{row}", json={"friendly_name": ""}, headers=auth(parent)).status_code == 422
    )
    assert client.delete(f"/api/parent/devices/{row}", headers=auth(parent)).status_code == 204
    assert client.get("/api/device/validate", headers=device).status_code == 401


def test_another_familys_devices_codes_and_kids_are_404(client, db):
    owner, intruder = sign_up(client), sign_up(client)
    kid = add_kid(client, owner)
    intruder_kid = add_kid(client, intruder)
    device = pair_device(client, owner)
    row = device_row_id(client, owner, device)
    code = client.post("/api/parent/pairing-codes", headers=auth(owner)).json()
    for method, url, body in (
        ("PATCH", f"/api/parent/devices/{row}", {"friendly_name": "mine"}),
        ("PATCH", f"/api/parent/devices/{row}", {"kid_id": intruder_kid["id"]}),
        ("DELETE", f"/api/parent/devices/{row}", None),
        ("DELETE", f"/api/parent/pairing-codes/{code['id']}", None),
    ):
        response = client.request(method, url, json=body, headers=auth(intruder))
        assert response.status_code == 404, (method, url)
    # Nor can the owner assign their device to the intruder's kid.
    assert (
        client.patch(f"/api/parent/devices/{row}", json={"kid_id": intruder_kid["id"]}, headers=auth(owner)).status_code
        == 404
    )
    assert client.get("/api/parent/devices", headers=auth(intruder)).json() == []
    assert client.get("/api/parent/pairing-codes", headers=auth(intruder)).json() == []
    assert client.get("/api/device/validate", headers=device).json()["kid_profile_id"] == kid["id"]
    assert client.post("/api/pair", json={"pairingCode": code["code"]}).status_code == 200, "code survived"


def test_a_device_never_sees_another_family_or_a_sibling(client, db):
    family_a, family_b = sign_up(client), sign_up(client)
    emma, leo = add_kid(client, family_a, "Emma"), add_kid(client, family_a, "Leo")
    bea = add_kid(client, family_b, "Bea")
    bluey, moana = offline_title(db, "Bluey"), offline_title(db, "Moana")
    client.put(f"/api/parent/kids/{emma['id']}/policies/{bluey.id}", json={"policy": "allow"}, headers=auth(family_a))
    client.put(f"/api/parent/kids/{leo['id']}/policies/{bluey.id}", json={"policy": "deny"}, headers=auth(family_a))
    client.put(f"/api/parent/kids/{bea['id']}/policies/{moana.id}", json={"policy": "allow"}, headers=auth(family_b))
    emma_device, leo_device = pair_device(client, family_a), pair_device(client, family_a)
    assign(client, family_a, device_row_id(client, family_a, emma_device) - 1, emma["id"])
    assign(client, family_a, device_row_id(client, family_a, leo_device), leo["id"])
    bea_device = pair_device(client, family_b)

    def titles(device):
        return {c["appName"] for g in client.get("/api/apps", headers=device).json() for c in g["content"]}

    assert titles(emma_device) == {"Bluey"}
    assert titles(leo_device) == set()
    assert titles(bea_device) == {"Moana"}


def test_two_hundred_concurrent_redemptions_give_exactly_one_device(engine):
    with Session(engine) as db, db.begin():
        family = User(email="race@example.com", password_hash="x")
        db.add(family)
        db.flush()
        family_id = family.id
        code = codes.create_code(db, family_id).code

    def attempt(_):
        with Session(engine) as db, db.begin():
            family = codes.redeem(db, code)
            if family is not None:
                codes.register_device(db, family)
            return family

    try:
        with ThreadPoolExecutor(max_workers=25) as pool:
            results = list(pool.map(attempt, range(200)))
        assert results.count(family_id) == 1 and results.count(None) == 199
        with Session(engine) as db:
            assert (
                db.execute(text("SELECT count(*) FROM devices WHERE family_id = :f"), {"f": family_id}).scalar_one()
                == 1
            )
    finally:
        with Session(engine) as db, db.begin():
            db.execute(delete(User).where(User.id == family_id))


def test_guessing_is_throttled_per_address_and_forwarded_for_is_ignored(client):
    for n in range(10):
        assert (
            client.post(
                "/api/pair", json={"pairingCode": f"{n:06d}"}, headers={"X-Forwarded-For": f"10.1.1.{n}"}
            ).status_code
            == 401
        )
    parent = sign_up(client)
    real = client.post("/api/parent/pairing-codes", headers=auth(parent)).json()["code"]
    blocked = client.post("/api/pair", json={"pairingCode": real}, headers={"X-Forwarded-For": "10.2.2.2"})
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0


def test_guessing_is_throttled_globally(client, engine):
    with engine.begin() as connection:  # counters are committed on their own, as the app's are
        connection.execute(
            text("INSERT INTO rate_limits (key, window_start, failures) VALUES ('pair:global', now(), 100)")
        )
    response = client.post("/api/pair", json={"pairingCode": "123456"})
    assert response.status_code == 429 and "Retry-After" in response.headers


def test_three_step_pairing_for_older_launchers(client, db):
    parent, other = sign_up(client), sign_up(client)
    add_kid(client, parent)
    device_id = "legacy-device-0001"
    assert client.post("/api/pairing/initiate", json={"device_id": device_id, "pairing_code": "424242"}).json() == {
        "status": "pending_confirmation"
    }
    assert client.get(f"/api/pairing/status/{device_id}").json() == {"is_paired": False, "api_key": None}
    assert (
        client.post("/api/parent/pairing/confirm", json={"pairing_code": "999999"}, headers=auth(parent)).status_code
        == 404
    )
    assert (
        client.post("/api/parent/pairing/confirm", json={"pairing_code": "424242"}, headers=auth(parent)).status_code
        == 204
    )
    assert (
        client.post("/api/parent/pairing/confirm", json={"pairing_code": "424242"}, headers=auth(other)).status_code
        == 404
    )
    first = client.get(f"/api/pairing/status/{device_id}").json()
    assert first["is_paired"] is True and len(first["api_key"]) >= 43
    assert client.get(f"/api/pairing/status/{device_id}").json() == {"is_paired": True, "api_key": None}
    headers = {"X-Device-ID": device_id, "X-API-Key": first["api_key"]}
    assert client.get("/api/device/validate", headers=headers).json()["is_paired"] is True
    assert (
        client.post("/api/pairing/initiate", json={"device_id": "short", "pairing_code": "515151"}).status_code == 200
    )


def test_three_step_repairing_keeps_the_old_key_until_the_same_family_confirms(client, db):
    parent, other = sign_up(client), sign_up(client)
    add_kid(client, parent)
    device_id = "android-7f3a"
    client.post("/api/pairing/initiate", json={"device_id": device_id, "pairing_code": "424242"})
    client.post("/api/parent/pairing/confirm", json={"pairing_code": "424242"}, headers=auth(parent))
    old = {"X-Device-ID": device_id, "X-API-Key": client.get(f"/api/pairing/status/{device_id}").json()["api_key"]}

    # The device lost its key and starts again: still paired with the old key until confirmed.
    assert (
        client.post("/api/pairing/initiate", json={"device_id": device_id, "pairing_code": "616161"}).status_code == 200
    )
    assert client.get(f"/api/pairing/status/{device_id}").json() == {"is_paired": False, "api_key": None}
    assert client.get("/api/device/validate", headers=old).status_code == 200
    # Another family cannot take it over: its confirmation finds nothing, like a wrong code.
    assert (
        client.post("/api/parent/pairing/confirm", json={"pairing_code": "616161"}, headers=auth(other)).status_code
        == 404
    )
    assert client.get("/api/device/validate", headers=old).status_code == 200

    assert (
        client.post("/api/parent/pairing/confirm", json={"pairing_code": "616161"}, headers=auth(parent)).status_code
        == 204
    )
    assert client.get("/api/device/validate", headers=old).status_code == 401, "the old key stops at confirmation"
    new = {"X-Device-ID": device_id, "X-API-Key": client.get(f"/api/pairing/status/{device_id}").json()["api_key"]}
    assert client.get("/api/device/validate", headers=new).json()["kid_name"] == "Emma", "same device, same kid"
    assert db.execute(text("SELECT count(*) FROM devices WHERE device_id = :d"), {"d": device_id}).scalar_one() == 1


def test_three_step_inputs_are_400_with_a_string_detail(client):
    assert (
        client.post("/api/pairing/initiate", json={"device_id": "a" * 255, "pairing_code": "515151"}).status_code == 200
    )
    for body in (
        {},
        {"device_id": "x"},
        {"pairing_code": "515151"},
        {"device_id": "", "pairing_code": "515151"},
        {"device_id": "a" * 256, "pairing_code": "515151"},
        {"device_id": "x", "pairing_code": "5151"},
        {"device_id": "x\u0000y", "pairing_code": "515151"},
    ):
        response = client.post("/api/pairing/initiate", json=body)
        assert response.status_code == 400 and isinstance(response.json()["detail"], str), body
    assert (
        client.post("/api/pairing/initiate", json={"device_id": "other", "pairing_code": "515151"}).status_code == 409
    )
    assert client.post("/api/pairing/initiate", json={"device_id": "tv/1", "pairing_code": "525252"}).status_code == 200
    assert client.get("/api/pairing/status/tv/1").json() == {"is_paired": False, "api_key": None}
    for path in ("/api/pairing/status/%00", "/api/pairing/status/" + "a" * 256):
        response = client.get(path)
        assert response.status_code == 400 and isinstance(response.json()["detail"], str), path


def test_confirm_guessing_is_throttled_per_parent(client):
    parent = sign_up(client)
    for n in range(10):
        client.post("/api/parent/pairing/confirm", json={"pairing_code": f"{n:06d}"}, headers=auth(parent))
    assert (
        client.post("/api/parent/pairing/confirm", json={"pairing_code": "000100"}, headers=auth(parent)).status_code
        == 429
    )


def test_unpairing_a_device_cancels_its_confirmed_repairing(client):
    parent = sign_up(client)
    add_kid(client, parent)
    device_id = "android-unpaired"
    client.post("/api/pairing/initiate", json={"device_id": device_id, "pairing_code": "434343"})
    client.post("/api/parent/pairing/confirm", json={"pairing_code": "434343"}, headers=auth(parent))
    client.get(f"/api/pairing/status/{device_id}")
    client.post("/api/pairing/initiate", json={"device_id": device_id, "pairing_code": "535353"})
    assert (
        client.post("/api/parent/pairing/confirm", json={"pairing_code": "535353"}, headers=auth(parent)).status_code
        == 204
    )
    row = next(d["id"] for d in client.get("/api/parent/devices", headers=auth(parent)).json())
    assert client.delete(f"/api/parent/devices/{row}", headers=auth(parent)).status_code == 204
    assert client.get(f"/api/pairing/status/{device_id}").json() == {"is_paired": False, "api_key": None}
    assert client.get("/api/parent/devices", headers=auth(parent)).json() == []


def test_initiations_are_guesses_and_spend_the_address_budget(client):
    """A 409 tells that a code is shown: probing for live codes costs like guessing them."""
    for n in range(10):
        client.post("/api/pairing/initiate", json={"device_id": f"prober-{n}", "pairing_code": f"{n:06d}"})
    response = client.post("/api/pairing/initiate", json={"device_id": "prober-x", "pairing_code": "999999"})
    assert response.status_code == 429 and "Retry-After" in response.headers
