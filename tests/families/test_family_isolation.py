"""Every route that takes a family's id answers another family with "not found" and changes nothing,
whether the caller is that other family's owner or one of its co-parents, by API or by page."""

import re

import pytest
from fastapi.routing import iter_route_contexts
from sqlalchemy import text

from tests.support.api import add_kid, auth, episode_ids, join, offline_title, sign_up
from tests.support.factories import make_title
from tests.support.launcher_helpers import pair_device
from tests.support.pages import csrf, log_in

FAMILY_IDS = ("kid_id", "device_id", "code_id", "user_id", "invitation_id", "request_id")
KID_LAUNCHER = "/kids/"  # the kid web launcher is a device's, not a parent's (launcher tests cover it)
OWNED_TABLES = (
    "kid_profiles",
    "kid_profiles_titles",
    "devices",
    "pairing_codes",
    "family_members",
    "family_invitations",
    "streaming_service_selection",
    "content_reports",
    "title_requests",
)

API_BODIES = {
    ("PATCH", "/api/parent/devices/{device_id}"): {"friendly_name": "Mine now"},
    ("PATCH", "/api/parent/kids/{kid_id}"): {"name": "Hacked"},
    ("PUT", "/api/parent/kids/{kid_id}/pin"): {"pin": "0000"},
    ("POST", "/api/parent/kids/{kid_id}/verify-pin"): {"pin": "1234"},
    ("PUT", "/api/parent/kids/{kid_id}/policies/{title_id}"): {"policy": "deny"},
    ("PUT", "/api/parent/kids/{kid_id}/policies/{title_id}/blocked-episodes"): {"episode_ids": ["{episode_id}"]},
    ("PUT", "/api/parent/kids/{kid_id}/ask-list"): {"ask_list": True},
    ("POST", "/api/parent/time-requests/{request_id}/grant"): {"minutes": 15},
}
PAGE_FORMS = {
    "/family/devices/{device_id}": {"friendly_name": "Mine now"},
    "/family/kids/{kid_id}": {"name": "Renamed"},
    "/family/kids/{kid_id}/pin": {"pin": "0000"},
    "/catalog/titles/{title_id}/kids/{kid_id}/blocked": {"blocked": "{episode_id}"},
    "/family/time-requests/{request_id}/grant": {"minutes": "15"},
}


def family_routes(app) -> list[tuple[str, str]]:
    """(method, path) of every route, API or page, whose path names a family-owned row."""
    found = []
    for context in iter_route_contexts(app.routes):
        route = getattr(context, "route", context)
        path = getattr(route, "path", "")
        if any(f"{{{name}}}" in path for name in FAMILY_IDS) and not path.startswith(KID_LAUNCHER):
            found += [(method, path) for method in sorted(route.methods - {"HEAD"})]
    return found


@pytest.fixture
def victim(client, db):
    """Family A with a kid, a policy, a device, a live code and a co-parent; ids to aim at."""
    owner = sign_up(client)
    kid = add_kid(client, owner)
    bluey = offline_title(db, "Bluey")
    client.put(f"/api/parent/kids/{kid['id']}/policies/{bluey.id}", json={"policy": "allow"}, headers=auth(owner))
    device = pair_device(client, owner)  # the only kid's device
    asked_for = make_title(db, certification="R", providers=["netflix"])
    client.put(f"/api/parent/library/{asked_for.id}", headers=auth(owner))
    request = client.post("/api/requests", json={"title_id": asked_for.id}, headers=device).json()
    code = client.post("/api/parent/pairing-codes", headers=auth(owner)).json()
    co_parent = join(client, owner)
    invitation = client.post("/api/parent/family/invitations", headers=auth(owner)).json()
    device_row = db.execute(text("SELECT id FROM devices WHERE device_id = :d"), {"d": device["X-Device-ID"]}).scalar()
    return {
        "kid_id": kid["id"],
        "device_id": device_row,
        "code_id": code["id"],
        "user_id": co_parent["id"],
        "invitation_id": invitation["id"],
        "request_id": request["id"],
        "title_id": bluey.id,
        "episode_id": episode_ids(db, bluey.id)[0],
    }


def snapshot(db) -> list:
    return [db.execute(text(f"SELECT * FROM {table} ORDER BY 1")).all() for table in OWNED_TABLES]


def fill(template, ids: dict):
    if isinstance(template, dict):
        return {key: fill(value, ids) for key, value in template.items()}
    if isinstance(template, list):
        return [fill(value, ids) for value in template]
    if isinstance(template, str) and re.fullmatch(r"\{\w+\}", template):
        return ids[template[1:-1]]
    return template.format(**ids) if isinstance(template, str) else template


@pytest.mark.parametrize("intruder_role", ["owner", "co_parent"])
def test_every_family_route_is_not_found_for_another_family(client, db, app, victim, intruder_role):
    other_owner = sign_up(client)
    intruder = other_owner if intruder_role == "owner" else join(client, other_owner)
    routes = family_routes(app)
    assert len(routes) >= 25, routes  # the sweep sees the whole app, not a hand-kept list
    before = snapshot(db)

    for method, path in (r for r in routes if r[1].startswith("/api/")):
        body = fill(API_BODIES.get((method, path)), victim)
        response = client.request(method, fill(path, victim), json=body, headers=auth(intruder))
        assert response.status_code == 404, (intruder_role, method, path, response.text)
        assert response.json()["detail"]

    log_in(client, intruder["email"])
    token = csrf(client, "/")
    for method, path in (r for r in routes if not r[1].startswith("/api/")):
        if method == "GET":
            assert client.get(fill(path, victim)).status_code == 404, (intruder_role, path)
        else:
            form = {**fill(PAGE_FORMS.get(path, {}), victim), "csrf_token": token}
            answer = client.post(fill(path, victim), data=form)
            assert "not found" in answer.text.lower(), (intruder_role, path)
    assert snapshot(db) == before
