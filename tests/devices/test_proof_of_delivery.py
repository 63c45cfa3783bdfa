"""Proof that a change arrived (issue 26): the version each device last fetched is recorded only
when it changes, and the parent reads it as words on the Devices page and after a change."""

from sqlalchemy import text

from tests.support.api import add_kid, auth, offline_title
from tests.support.kid_pages import enter_pin, paired_browser
from tests.support.launcher_helpers import assign, device_row_id, pair_device
from tests.support.pages import csrf, logged_in_parent


def held(db, device_row: int):
    return db.execute(
        text("SELECT xmin::text AS xmin, held_version, held_since FROM devices WHERE id = :id"), {"id": device_row}
    ).one()


def test_a_device_holds_what_it_fetched_and_the_parent_is_told_when_a_change_has_not_reached_it(client, db):
    parent = logged_in_parent(client)
    kid = add_kid(client, parent, name="Emma")
    device = pair_device(client, parent)
    row = device_row_id(client, parent, device)
    assign(client, parent, row, kid["id"])
    client.patch(f"/api/parent/devices/{row}", json={"friendly_name": "Tablet"}, headers=auth(parent))
    assert client.get("/family/delivery").json()["devices"][0]["up_to_date"] is False

    fetched = client.get("/api/apps", headers=device)
    assert fetched.status_code == 200
    first = held(db, row)
    assert first.held_version is not None and first.held_since is not None
    [listed] = client.get("/api/parent/devices", headers=auth(parent)).json()
    assert listed["up_to_date"] is True
    [line] = client.get("/family/delivery").json()["devices"]
    assert line["up_to_date"] and line["text"].startswith("On Emma's Tablet since ")
    assert "On Emma&#39;s Tablet since" in client.get("/family/devices").text

    # Polling the same version again writes nothing (no write per 304).
    assert client.get("/api/apps", headers={**device, "If-None-Match": fetched.headers["ETag"]}).status_code == 304
    assert held(db, row).xmin == first.xmin

    title = offline_title(db, "Bluey")
    client.put(f"/api/parent/kids/{kid['id']}/policies/{title.id}", json={"policy": "allow"}, headers=auth(parent))
    [listed] = client.get("/api/parent/devices", headers=auth(parent)).json()
    assert listed["up_to_date"] is False
    [line] = client.get("/family/delivery").json()["devices"]
    assert not line["up_to_date"] and line["text"].startswith("Not yet on Tablet (last seen ")


def test_another_familys_devices_are_not_in_the_delivery_lines(client, db):
    first = logged_in_parent(client)
    kid = add_kid(client, first, name="Emma")
    device = pair_device(client, first)
    assign(client, first, device_row_id(client, first, device), kid["id"])
    assert len(client.get("/family/delivery").json()["devices"]) == 1
    logged_in_parent(client)  # another family, in the same browser
    assert client.get("/family/delivery").json() == {"devices": [], "all_up_to_date": True}


def test_the_confirmation_after_a_change_follows_the_launchers(client, db):
    logged_in_parent(client)
    saved = client.post("/family/pairing-codes", data={"csrf_token": csrf(client, "/family/devices")})
    assert saved.status_code == 200 and 'class="flash ok"' in saved.text
    assert 'data-delivery-url="/family/delivery"' in saved.text
    assert "data-delivery-url" not in client.get("/family/devices").text  # only under a confirmation


def test_a_web_launcher_showing_its_own_kid_holds_that_kids_launcher(client, db, family):
    parent = family["parent"]
    browser, token = paired_browser(client, parent, name="Kitchen")
    [device] = client.get("/api/parent/devices", headers=auth(parent)).json()
    assign(client, parent, device["id"], family["emma"]["id"])
    assert client.get("/api/parent/devices", headers=auth(parent)).json()[0]["up_to_date"] is False
    assert "Emma's shows" in enter_pin(browser, token, family["emma"], "1234").text
    [shown] = client.get("/api/parent/devices", headers=auth(parent)).json()
    assert shown["up_to_date"] is True and shown["held_since"] is not None
