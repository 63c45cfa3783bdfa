from tests.support.api import add_kid, auth, offline_title, sign_up


def pair_device(client, parent) -> dict:
    code = client.post("/api/parent/pairing-codes", headers=auth(parent)).json()["code"]
    response = client.post("/api/pair", json={"pairingCode": code})
    assert response.status_code == 200, response.text
    body = response.json()
    return {"X-Device-ID": body["deviceId"], "X-API-Key": body["apiKey"]}


def device_row_id(client, parent, device_headers) -> int:
    devices = client.get("/api/parent/devices", headers=auth(parent)).json()
    return devices[-1]["id"]


def assign(client, parent, device_id: int, kid_id) -> None:
    response = client.patch(f"/api/parent/devices/{device_id}", json={"kid_id": kid_id}, headers=auth(parent))
    assert response.status_code == 200, response.text


def family_with_bluey(client, db, services=("disney_plus", "netflix", "pbs_kids")):
    parent = sign_up(client)
    kid = add_kid(client, parent, "Emma", age=8)
    bluey = offline_title(db, "Bluey")
    client.put("/api/parent/services/selected", json={"services": list(services)}, headers=auth(parent))
    client.put(f"/api/parent/kids/{kid['id']}/policies/{bluey.id}", json={"policy": "allow"}, headers=auth(parent))
    device = pair_device(client, parent)  # one kid: assigned automatically
    return parent, kid, bluey, device
