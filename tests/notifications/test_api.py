"""The notifications API: the caller's own list (newest first, paged), read marks, isolation (another
parent's notice is a 404, a co-parent has rows of their own), settings, and bad input."""

import pytest

from axolotly.notifications.outbox import notify
from tests.support.api import auth, join, sign_up
from tests.support.notices import deliveries_of, listed

EVENTS = (
    "title_request",
    "pin_locked",
    "device_paired",
    "device_repairing",
    "limit_reached",
    "co_parent_joined",
    "co_parent_left",
    "weekly_summary",
)


@pytest.fixture
def owner(client):
    return sign_up(client)


def tell(db, parent, count: int, event: str = "device_paired") -> list[int]:
    return [notify(db, parent["id"], event, facts={"device": f"Tablet {n}"})[0] for n in range(count)]


def read(client, parent, notification_id):
    return client.post(f"/api/parent/notifications/{notification_id}/read", headers=auth(parent))


def test_the_list_is_newest_first_in_pages_with_the_unread_count(client, db, owner):
    ids = tell(db, owner, 5)
    first = listed(client, owner, limit=2)
    assert [item["id"] for item in first["items"]] == ids[::-1][:2]
    assert first["unread_count"] == 5 and first["next_before"] == ids[3]
    second = listed(client, owner, limit=2, before=first["next_before"])
    assert [item["id"] for item in second["items"]] == [ids[2], ids[1]]
    last = listed(client, owner, limit=2, before=second["next_before"])
    assert [item["id"] for item in last["items"]] == [ids[0]] and last["next_before"] is None
    item = first["items"][0]
    assert item == {
        "id": ids[4],
        "event": "device_paired",
        "created_at": item["created_at"],
        "read": False,
        "title": "A device was paired",
        "text": "Tablet 4 was paired with your family. "
        "If nobody in your family did this, unpair it on the devices page.",
        "link": "/family/devices",
        "kid_id": None,
    }


def test_marking_read_is_idempotent_and_read_all_marks_the_rest(client, db, owner):
    ids = tell(db, owner, 3)
    for _ in range(2):
        answer = read(client, owner, ids[0])
        assert answer.status_code == 200 and answer.json()["read"] is True
    assert listed(client, owner)["unread_count"] == 2
    marked = client.post("/api/parent/notifications/read-all", headers=auth(owner))
    assert marked.status_code == 200 and marked.json() == {"marked": 2, "unread_count": 0}
    assert all(item["read"] for item in listed(client, owner)["items"])
    assert client.post("/api/parent/notifications/read-all", headers=auth(owner)).json()["marked"] == 0


def test_another_parents_notice_is_not_found_and_a_co_parent_reads_only_their_own(client, db, owner):
    stranger = sign_up(client)
    co_parent = join(client, owner)
    (stranger_notice,) = tell(db, stranger, 1)
    notify(db, owner["id"], "pin_locked", facts={"kid": "Emma"})
    owners = {item["id"]: item["event"] for item in listed(client, owner)["items"]}
    co_parents = {item["id"]: item["event"] for item in listed(client, co_parent)["items"]}
    assert set(owners).isdisjoint(co_parents) and "pin_locked" in co_parents.values()
    assert stranger_notice not in owners | co_parents
    for parent, foreign in ((owner, stranger_notice), (owner, next(iter(co_parents))), (co_parent, next(iter(owners)))):
        answer = read(client, parent, foreign)
        assert answer.status_code == 404 and answer.json() == {"detail": "Notification not found"}
    assert listed(client, stranger)["unread_count"] == 1  # untouched
    client.post("/api/parent/notifications/read-all", headers=auth(owner))
    assert listed(client, co_parent)["unread_count"] == len(co_parents)  # theirs stay unread


def test_an_email_only_notice_is_never_listed_nor_counted_nor_found(client, db, owner):
    client.put("/api/parent/me/notifications", json={"events": {"pin_locked": {"in_app": False}}}, headers=auth(owner))
    (notice_id,) = notify(db, owner["id"], "pin_locked", facts={"kid": "Emma"})
    assert listed(client, owner) == {"items": [], "unread_count": 0, "next_before": None}
    assert read(client, owner, notice_id).status_code == 404
    assert len(deliveries_of(db, "pin_locked")) == 1  # the email goes all the same


def test_settings_read_every_event_and_change_only_what_is_sent(client, db, owner):
    url = "/api/parent/me/notifications"
    default = client.get(url, headers=auth(owner)).json()
    assert default == {"events": {e: {"email": True, "in_app": True} for e in EVENTS}, "quiet_hours": None}
    body = {"events": {"limit_reached": {"email": False}}, "quiet_hours": {"start": "21:30", "end": "06:45"}}
    changed = client.put(url, json=body, headers=auth(owner))
    assert changed.status_code == 200, changed.text
    assert changed.json()["events"]["limit_reached"] == {"email": False, "in_app": True}
    assert changed.json()["quiet_hours"] == {"start": "21:30", "end": "06:45"}
    kept = client.put(url, json={"events": {"pin_locked": {"in_app": False}}}, headers=auth(owner)).json()
    assert kept["quiet_hours"] == {"start": "21:30", "end": "06:45"}  # left out: as they were
    assert kept["events"]["limit_reached"]["email"] is False and kept["events"]["pin_locked"]["in_app"] is False
    assert client.put(url, json={"quiet_hours": None}, headers=auth(owner)).json()["quiet_hours"] is None
    assert client.get(url, headers=auth(owner)).json()["events"]["limit_reached"]["email"] is False

    notify(db, owner["id"], "limit_reached", kid_id=None, facts={"kid": "Emma", "minutes": 60})
    assert deliveries_of(db, "limit_reached") == []  # off: no email
    assert "limit_reached" in [item["event"] for item in listed(client, owner)["items"]]


BAD_SETTINGS = [
    {"events": {"birthday": {"email": False}}},
    {"events": {"pin_locked": {"sms": False}}},
    {"events": {"pin_locked": {"email": "no"}}},
    {"events": {"pin_locked": {"email": 0}}},
    {"events": ["pin_locked"]},
    {"quiet_hours": {"start": "21:00", "end": "21:00"}},
    {"quiet_hours": {"start": "24:00", "end": "07:00"}},
    {"quiet_hours": {"start": "9:00", "end": "07:00"}},
    {"quiet_hours": {"start": "21:00"}},
    {"quiet_hours": {"start": 75600, "end": 25200}},
    {"volume": "loud"},
]
BAD_REQUESTS = [
    ("GET", "/api/parent/notifications?limit=0"),
    ("GET", "/api/parent/notifications?limit=101"),
    ("GET", "/api/parent/notifications?limit=ten"),
    ("GET", "/api/parent/notifications?before=0"),
    ("GET", "/api/parent/notifications?before=%C2%B2"),
    ("GET", "/api/parent/notifications?before=2147483648"),
    ("POST", "/api/parent/notifications/0/read"),
    ("POST", "/api/parent/notifications/abc/read"),
    ("POST", "/api/parent/notifications/2147483648/read"),
]


def test_bad_settings_are_refused_with_422_and_change_nothing(client, owner):
    url = "/api/parent/me/notifications"
    before = client.get(url, headers=auth(owner)).json()
    for body in BAD_SETTINGS:
        answer = client.put(url, json=body, headers=auth(owner))
        assert answer.status_code == 422 and answer.json()["detail"], (body, answer.text)
    assert client.get(url, headers=auth(owner)).json() == before


def test_bad_ids_and_limits_are_a_4xx_never_a_500(client, owner):
    for method, path in BAD_REQUESTS:
        answer = client.request(method, path, headers=auth(owner))
        assert 400 <= answer.status_code < 500 and answer.json()["detail"], (path, answer.text)


def test_the_largest_id_is_simply_not_found(client, owner):
    assert read(client, owner, 2**31 - 1).status_code == 404


def test_without_a_token_nothing_is_answered(client):
    for method, path in (
        ("GET", "/api/parent/notifications"),
        ("POST", "/api/parent/notifications/1/read"),
        ("POST", "/api/parent/notifications/read-all"),
        ("GET", "/api/parent/me/notifications"),
        ("PUT", "/api/parent/me/notifications"),
    ):
        assert client.request(method, path).status_code == 401, path
