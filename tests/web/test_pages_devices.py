"""The devices page: a shown pairing code is polled until a device redeems it, then the parent is
asked at once who uses the device; unpairing asks first."""

import html
import re
from datetime import timedelta

from sqlalchemy import func, select, update

from axolotly.devices import codes
from axolotly.models import Device, PairingCode
from tests.support.api import add_kid, sign_up
from tests.support.factories import make_family
from tests.support.pages import csrf, log_in

JSON = {"Accept": "application/json"}


def logged_in_parent(client) -> dict:
    parent = sign_up(client)
    log_in(client, parent["email"])
    return parent


def create_code_on_the_page(client) -> tuple[int, str]:
    client.post("/family/pairing-codes", data={"csrf_token": csrf(client, "/family/devices")})
    page = client.get("/family/devices").text
    # The newest code is the last one shown.
    code_id = int(re.findall(r'data-status-url="/family/pairing-codes/(\d+)/status"', page)[-1])
    code = re.findall(r'<p class="code"[^>]*>(\d{6})</p>', page)[-1]
    return code_id, code


def redeem(client, code: str) -> str:
    """What the Android launcher does (POST /api/pair); the device's id."""
    response = client.post("/api/pair", json={"pairingCode": code})
    assert response.status_code == 200, response.text
    return response.json()["deviceId"]


def test_the_poll_sees_the_redemption_and_leads_to_who_uses_this_device(client, db):
    parent = logged_in_parent(client)
    emma, leo = add_kid(client, parent, "Emma"), add_kid(client, parent, "Leo", pin="5678")
    code_id, code = create_code_on_the_page(client)
    waiting = client.get(f"/family/pairing-codes/{code_id}/status", headers=JSON)
    assert waiting.status_code == 200 and waiting.json() == {"state": "waiting", "device_id": None, "next": None}
    assert waiting.headers["cache-control"] == "no-store"

    device_id = redeem(client, code)
    row = db.scalar(select(Device).where(Device.device_id == device_id))
    paired = client.get(f"/family/pairing-codes/{code_id}/status", headers=JSON).json()
    assert paired == {"state": "paired", "device_id": row.id, "next": f"/family/devices/{row.id}/setup"}

    page = client.get(paired["next"]).text
    assert "<h1>Who uses this device?</h1>" in page
    assert 'name="friendly_name"' in page and f'value="{emma["id"]}"' in page and f'value="{leo["id"]}"' in page
    response = client.post(
        f"/family/devices/{row.id}",
        follow_redirects=False,
        data={
            "friendly_name": "Living-room tablet",
            "kid_id": str(leo["id"]),
            "csrf_token": csrf(client, paired["next"]),
        },
    )
    assert response.status_code == 303
    assert "Living-room tablet shows Leo's launcher" in html.unescape(client.get(response.headers["location"]).text)
    db.refresh(row)
    assert (row.friendly_name, row.kid_profile_id) == ("Living-room tablet", leo["id"])


def test_each_code_leads_to_its_own_device_even_when_several_pair(client, db):
    logged_in_parent(client)
    first_id, first = create_code_on_the_page(client)
    second_id, second = create_code_on_the_page(client)
    second_device = redeem(client, second)  # out of order, in one test transaction (one now())
    first_device = redeem(client, first)
    for code_id, device_id in ((first_id, first_device), (second_id, second_device)):
        expected = db.scalar(select(Device.id).where(Device.device_id == device_id))
        assert client.get(f"/family/pairing-codes/{code_id}/status", headers=JSON).json()["device_id"] == expected


def test_a_kid_browser_pairing_is_seen_by_the_poll_too(client, db):
    logged_in_parent(client)
    code_id, code = create_code_on_the_page(client)
    client.post("/kids/pair", data={"code": code, "csrf_token": csrf(client, "/kids")})
    status = client.get(f"/family/pairing-codes/{code_id}/status", headers=JSON).json()
    device = db.get(Device, status["device_id"])
    assert status["state"] == "paired" and device.friendly_name == "Web launcher"


def test_an_expired_code_says_so_and_an_unpaired_device_sends_back_to_the_list(client, db):
    logged_in_parent(client)
    code_id, code = create_code_on_the_page(client)
    db.execute(
        update(PairingCode).where(PairingCode.id == code_id).values(expires_at=func.now() - timedelta(seconds=1))
    )
    assert client.get(f"/family/pairing-codes/{code_id}/status", headers=JSON).json()["state"] == "expired"

    code_id, code = create_code_on_the_page(client)
    device = db.scalar(select(Device).where(Device.device_id == redeem(client, code)))
    client.post(f"/family/devices/{device.id}/unpair", data={"csrf_token": csrf(client, "/family/devices")})
    assert client.get(f"/family/pairing-codes/{code_id}/status", headers=JSON).json() == {
        "state": "paired",
        "device_id": None,
        "next": "/family/devices",
    }


def test_the_status_of_another_familys_code_is_not_found(client, db):
    other = make_family(db)
    theirs = codes.create_code(db, other.id)
    logged_in_parent(client)
    response = client.get(f"/family/pairing-codes/{theirs.id}/status", headers=JSON)
    assert response.status_code == 404 and response.json() == {"detail": "Pairing code not found"}
    # Asked as a page (no JSON Accept), the same 404 is a page.
    page = client.get(f"/family/pairing-codes/{theirs.id}/status")
    assert page.status_code == 404 and "text/html" in page.headers["content-type"]
    # Its redemption leaks nothing either.
    redeem(client, theirs.code)
    assert client.get(f"/family/pairing-codes/{theirs.id}/status", headers=JSON).status_code == 404


def test_the_status_needs_a_log_in(client, db):
    other = make_family(db)
    theirs = codes.create_code(db, other.id)
    response = client.get(f"/family/pairing-codes/{theirs.id}/status", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    # The page's poll (JSON) is told plainly, so the script reloads into the log-in page.
    response = client.get(f"/family/pairing-codes/{theirs.id}/status", headers=JSON, follow_redirects=False)
    assert response.status_code == 401 and response.json() == {"detail": "Log in again"}


def test_the_poll_is_cheap(client, count_statements):
    logged_in_parent(client)
    code_id, _ = create_code_on_the_page(client)
    count_statements.statements.clear()
    assert client.get(f"/family/pairing-codes/{code_id}/status", headers=JSON).status_code == 200
    # The session's user, its family membership, the code (with its device): nothing else.
    assert count_statements.count <= 3, count_statements.statements


def test_the_devices_page_polls_and_asks_about_new_devices_without_js_too(client, db):
    logged_in_parent(client)
    code_id, code = create_code_on_the_page(client)
    page = client.get("/family/devices").text
    assert '<script src="/static/pairing.js" defer></script>' in page and 'role="status"' in page
    assert "<noscript>" in page
    script = client.get("/static/pairing.js").text
    # Every second (the page must notice within two), asking for JSON so errors come back as JSON.
    assert "POLL_MS = 1000" in script and 'Accept: "application/json"' in script
    device = db.scalar(select(Device).where(Device.device_id == redeem(client, code)))
    page = client.get("/family/devices").text
    assert f'href="/family/devices/{device.id}/setup">Who uses this device?</a>' in page


def test_unpairing_asks_first_and_only_the_confirmation_unpairs(client, db):
    logged_in_parent(client)
    _, code = create_code_on_the_page(client)
    device = db.scalar(select(Device).where(Device.device_id == redeem(client, code)))
    client.post(
        f"/family/devices/{device.id}",
        data={"friendly_name": "Tablet", "kid_id": "", "csrf_token": csrf(client, "/family/devices")},
    )
    page = client.get("/family/devices").text
    # The list links to a confirmation; it holds no form that unpairs straight away.
    assert f'action="/family/devices/{device.id}/unpair"' not in page
    assert f'href="/family/devices/{device.id}/unpair">Unpair Tablet…</a>' in page
    confirm = client.get(f"/family/devices/{device.id}/unpair")
    assert confirm.status_code == 200 and "<h1>Unpair Tablet?</h1>" in confirm.text
    assert f'action="/family/devices/{device.id}/unpair"' in confirm.text and "Keep it paired" in confirm.text
    assert db.get(Device, device.id) is not None
    done = client.post(f"/family/devices/{device.id}/unpair", data={"csrf_token": csrf(client, "/family/devices")})
    assert "Unpaired Tablet" in done.text
    db.expire_all()
    assert db.get(Device, device.id) is None


def test_another_familys_device_pages_are_not_found(client, db):
    other = make_family(db)
    theirs = codes.register_device(db, other.id)[0].id
    logged_in_parent(client)
    for path in (f"/family/devices/{theirs}/setup", f"/family/devices/{theirs}/unpair"):
        response = client.get(path)
        assert response.status_code == 404 and "Device not found" in response.text, path
