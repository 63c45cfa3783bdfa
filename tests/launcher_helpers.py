from tests.api import auth


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
