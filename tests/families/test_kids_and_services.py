import pytest
from sqlalchemy import func, select

from axolotly.catalog.providers import PROVIDERS
from axolotly.models import KidProfile
from tests.support.api import add_kid, auth, sign_up


def test_kid_crud(client):
    parent = sign_up(client)
    kid = add_kid(client, parent, name="  Emma ", age=8)
    assert kid["name"] == "Emma" and kid["age"] == 8 and "pin" not in kid and "pin_hash" not in kid
    renamed = client.patch(f"/api/parent/kids/{kid['id']}", json={"name": "Em"}, headers=auth(parent)).json()
    assert renamed["name"] == "Em" and renamed["age"] == 8
    cleared = client.patch(f"/api/parent/kids/{kid['id']}", json={"age": None}, headers=auth(parent)).json()
    assert cleared["age"] is None and cleared["name"] == "Em"
    assert [k["id"] for k in client.get("/api/parent/kids", headers=auth(parent)).json()] == [kid["id"]]
    assert client.delete(f"/api/parent/kids/{kid['id']}", headers=auth(parent)).status_code == 204
    assert client.get("/api/parent/kids", headers=auth(parent)).json() == []


@pytest.mark.parametrize(
    "body",
    [
        {"name": "", "pin": "1234"},
        {"name": "x" * 101, "pin": "1234"},
        {"name": "A", "pin": "123"},
        {"name": "A", "pin": "12345"},
        {"name": "A", "pin": "12a4"},
        {"name": "A", "pin": "١٢٣٤"},
        {"name": "A", "pin": "1234", "age": 18},
        {"name": "A", "pin": "1234", "age": -1},
        {"name": "A"},
    ],
)
def test_bad_kid_input_is_422_and_writes_nothing(client, db, body):
    parent = sign_up(client)
    response = client.post("/api/parent/kids", json=body, headers=auth(parent))
    assert response.status_code == 422 and response.json()["detail"]
    assert (
        db.execute(
            select(func.count()).select_from(KidProfile).where(KidProfile.family_id == parent["id"])
        ).scalar_one()
        == 0
    )


def test_pin_is_stored_as_bcrypt(client, db):
    parent = sign_up(client)
    kid = add_kid(client, parent, pin="4321")
    stored = db.get(KidProfile, kid["id"]).pin_hash
    assert stored.startswith("$2") and "4321" not in stored


def test_verify_pin_locks_after_five_wrong_pins_and_a_right_pin_resets(client):
    parent = sign_up(client)
    kid = add_kid(client, parent, pin="1234")
    url = f"/api/parent/kids/{kid['id']}/verify-pin"
    for _ in range(4):
        assert client.post(url, json={"pin": "0000"}, headers=auth(parent)).status_code == 401
    assert client.post(url, json={"pin": "1234"}, headers=auth(parent)).json() == {"verified": True}
    for _ in range(4):
        assert client.post(url, json={"pin": "0000"}, headers=auth(parent)).status_code == 401
    fifth = client.post(url, json={"pin": "0000"}, headers=auth(parent))
    assert fifth.status_code == 429 and 0 < int(fifth.headers["Retry-After"]) <= 15 * 60
    locked = client.post(url, json={"pin": "1234"}, headers=auth(parent))
    assert locked.status_code == 429, "even the right PIN waits out the lockout"
    # A parent setting a new PIN lifts the lock.
    assert (
        client.put(f"/api/parent/kids/{kid['id']}/pin", json={"pin": "2468"}, headers=auth(parent)).status_code == 204
    )
    assert client.post(url, json={"pin": "2468"}, headers=auth(parent)).json() == {"verified": True}


def test_services_registry_and_selection(client):
    parent = sign_up(client)
    registry = client.get("/api/parent/services").json()
    assert {"id": "disney_plus", "name": "Disney+", "package": "com.disney.disneyplus"} in registry
    assert [service["id"] for service in registry] == [provider.id for provider in PROVIDERS]  # every country's
    assert client.get("/api/parent/services/selected", headers=auth(parent)).json() == {
        "services": [],
        "updated_at": None,
    }
    first = client.put(
        "/api/parent/services/selected", json={"services": ["netflix", "disney_plus"]}, headers=auth(parent)
    )
    assert first.json()["services"] == ["netflix", "disney_plus"]
    second = client.put("/api/parent/services/selected", json={"services": ["pbs_kids"]}, headers=auth(parent)).json()
    assert second["services"] == ["pbs_kids"] and second["updated_at"]
    assert client.get("/api/parent/services/selected", headers=auth(parent)).json()["services"] == ["pbs_kids"]


@pytest.mark.parametrize("services", [["netflix", "hbo"], ["netflix", "netflix"], "netflix", [1]])
def test_bad_selection_is_422_and_keeps_the_old_one(client, services):
    parent = sign_up(client)
    client.put("/api/parent/services/selected", json={"services": ["hulu"]}, headers=auth(parent))
    response = client.put("/api/parent/services/selected", json={"services": services}, headers=auth(parent))
    assert response.status_code == 422 and response.json()["detail"]
    assert client.get("/api/parent/services/selected", headers=auth(parent)).json()["services"] == ["hulu"]
