"""The published OpenAPI document tells the truth: what it allows, the server takes.

Schemathesis generates requests that are valid by `/openapi.json` for every operation, sent as a
parent, an admin or a paired device (whoever the operation is for), with path ids of real rows of
that caller's family. No answer may be a server error, and no operation may refuse most of them:
a client generated from the document would send what the server refuses. Answers that say "not
now" rather than "not this input" (401/403 wrong password or role, 404 gone, 409 state, 423/429
throttled) are not refusals of the input.

The world (a family, an admin, a paired device and their rows) is built once; every operation runs
inside a savepoint that is rolled back after it, so the next one finds the world as built, whatever
the last one deleted, signed out or changed (throttle counters, committed on their own, are
cleared).
"""

from collections import Counter
from dataclasses import dataclass, field

import httpx
import hypothesis
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given

from axolotly.models import NotificationDelivery
from tests.support.api import add_kid, admin_headers, auth, episode_ids, offline_title, sign_up
from tests.support.dependants import dependants_remembered
from tests.support.launcher_helpers import assign, pair_device
from tests.support.pg import clear_throttles

EXAMPLES = 10
NOT_THE_INPUT = {401, 403, 404, 409, 423, 429}
MOSTLY = 0.5
# Rules no JSON Schema can state, because they depend on the server's clock, on secrets it issued or
# on two fields together; refusals in these words are not held against the document.
BEYOND_A_SCHEMA = {
    "POST /api/parent/auth/password-reset/confirm": ("reset link has expired",),  # a token from an email
    "POST /api/usage-logs": ("within the last 30 days", "in the future", "Duration must"),  # now; endTime - startTime
    "POST /api/device/episode-report": ("Unknown provider", "link: only https links"),  # the url must be the provider's
    "PUT /api/parent/kids/{kid_id}/policies/{title_id}/blocked-episodes": ("Not episodes of this title",),  # rows
    # caps are ratings of the family country's scales: another resource decides which
    "PUT /api/parent/kids/{kid_id}/rules": ("Unknown movie rating", "Unknown TV rating"),
    "POST /api/parent/kids/{kid_id}/rules/preview": ("Unknown movie rating", "Unknown TV rating"),
    # a family's country is one with a rating system (data, not the document); names are one line
    "POST /api/parent/auth/signup": ("Unknown country", "without control characters"),
}

SETTINGS = hypothesis.settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@dataclass
class World:
    """One family's rows and everyone's credentials; `ids` fills the operations' path ids."""

    parent: dict
    admin: dict
    device: dict
    ids: dict = field(default_factory=dict)


def build_world(client: TestClient, db) -> World:
    parent = sign_up(client)
    admin = admin_headers(client, db, "contract-ops@example.com")
    kid = add_kid(client, parent)
    show = offline_title(db, "Bluey")
    movie = offline_title(db, "Frozen")
    for title in (show, movie):
        assert client.put(f"/api/parent/library/{title.id}", headers=auth(parent)).status_code in (200, 201)
    allowed = client.put(
        f"/api/parent/kids/{kid['id']}/policies/{show.id}", json={"policy": "allow"}, headers=auth(parent)
    )
    assert allowed.status_code == 200, allowed.text
    only_allowed = client.put(
        f"/api/parent/kids/{kid['id']}/rules",
        headers=auth(parent),
        json={"mode": "allow_list", "max_movie_rating": None, "max_tv_rating": None},
    )
    assert only_allowed.status_code == 200, only_allowed.text
    device = pair_device(client, parent)
    devices = client.get("/api/parent/devices", headers=auth(parent)).json()
    assign(client, parent, devices[-1]["id"], kid["id"])
    request = client.post("/api/requests", json={"title_id": movie.id}, headers=device)
    assert request.status_code == 201, request.text
    code = client.post("/api/parent/pairing-codes", headers=auth(parent)).json()
    invitation = client.post("/api/parent/family/invitations", headers=auth(parent)).json()
    report = client.post(
        "/api/parent/reports", json={"title_id": show.id, "issue_type": "other"}, headers=auth(parent)
    ).json()
    tag = client.post("/api/admin/tags", json={"tag": "contract-tag"}, headers=admin).json()
    pack = client.post(
        "/api/admin/starter-packs", json={"name": "Contract pack", "title_ids": [show.id]}, headers=admin
    ).json()
    release = client.post(
        "/api/admin/ota/releases",
        headers=admin,
        json={
            "version_name": "1.1",
            "version_code": 2,
            "apk_url": "https://example.com/a.apk",
            "sha256": "a" * 64,
        },
    ).json()
    notification = client.get("/api/parent/notifications", headers=auth(parent)).json()["items"][0]
    # The kid's request mailed the parent: that email failed, for the admin to send again.
    waiting = client.get("/api/admin/notification-deliveries?status=pending", headers=admin).json()
    failed = db.get(NotificationDelivery, waiting[0]["id"])
    failed.status, failed.last_error = "failed", "refused by the mail server"
    db.flush()
    ids = {
        "kid_id": kid["id"],
        "title_id": show.id,
        "episode_id": episode_ids(db, show.id)[0],
        "device_id": devices[-1]["id"],
        "code_id": code["id"],
        "invitation_id": invitation["id"],
        "token": invitation["token"],
        "user_id": parent["id"],
        "report_id": report["id"],
        "tag_id": tag["id"],
        "pack_id": pack["id"],
        "release_id": release["id"],
        "request_id": request.json()["id"],
        "delivery_id": failed.id,
        "notification_id": notification["id"],
        "link_id": 1,
        "country": "DE",
        "family_id": parent["id"],
    }
    return World(parent=parent, admin=admin, device=device, ids=ids)


def caller_headers(operation, world: World) -> dict:
    names = {parameter.name.lower() for parameter in operation.iter_parameters() if parameter.location == "header"}
    if "x-api-key" in names:
        return dict(world.device)
    if "authorization" not in names:
        return {}
    return dict(world.admin) if operation.path.startswith("/api/admin/") else auth(world.parent)


def path_ids(operation, world: World) -> dict:
    names = [parameter.name for parameter in operation.iter_parameters() if parameter.location == "path"]
    if operation.path.startswith("/api/pairing/status/"):
        return {"device_id": "launcher-1"}
    return {name: world.ids[name] for name in names}


def send(client: TestClient, case) -> httpx.Response:
    kwargs = case.as_transport_kwargs(base_url="http://testserver")
    body = {"json": kwargs["json"]} if "json" in kwargs else {"content": kwargs.get("data")}
    assert not kwargs.get("cookies"), "the API declares no cookie parameter"
    return client.request(
        kwargs["method"], kwargs["url"], headers=kwargs.get("headers"), params=kwargs.get("params"), **body
    )


@dataclass
class Answers:
    statuses: Counter = field(default_factory=Counter)
    refused: list = field(default_factory=list)
    errors: list = field(default_factory=list)


def label(operation) -> str:
    return f"{operation.method.upper()} {operation.path}"


def exercise(client: TestClient, operation, world: World) -> Answers:
    answers = Answers()
    strategy = operation.as_strategy(
        headers=caller_headers(operation, world), path_parameters=path_ids(operation, world)
    )

    @SETTINGS
    @given(case=strategy)
    def run(case):
        response = send(client, case)
        answers.statuses[response.status_code] += 1
        if response.status_code >= 500:
            answers.errors.append((response.status_code, case.as_curl_command()))
        elif (
            400 <= response.status_code < 500
            and response.status_code not in NOT_THE_INPUT
            and not any(words in response.text for words in BEYOND_A_SCHEMA.get(label(operation), ()))
        ):
            answers.refused.append((response.status_code, response.text[:300], case.body, case.query))

    run()
    return answers


def test_requests_valid_by_the_published_schema_are_served(app, db, connection, engine):
    schema = schemathesis.openapi.from_dict(app.openapi())
    errors, mostly_refused = [], []
    with dependants_remembered(), TestClient(app, raise_server_exceptions=False) as client:
        world = build_world(client, db)
        for result in schema.get_all_operations():
            operation = result.ok()
            clear_throttles(engine)
            db.commit()  # the session's own savepoint ends here; the operation's nest inside `as_built`
            as_built = connection.begin_nested()
            answers = exercise(client, operation, world)
            db.commit()
            as_built.rollback()  # whatever the operation deleted, signed out or changed
            db.expire_all()
            errors += [(label(operation), *error) for error in answers.errors]
            if len(answers.refused) > MOSTLY * sum(answers.statuses.values()):
                mostly_refused.append((label(operation), dict(answers.statuses), answers.refused[:3]))
    clear_throttles(engine)
    assert not errors, errors
    assert not mostly_refused, "\n".join(map(repr, mostly_refused))
