""" "Pause now" through the API: `POST/DELETE /api/parent/kids/{id}/pause`, and the launcher's
`/api/time-limits` answering `allowedNow: false, reason: "paused"` until the pause (or a bedtime
after it) ends. On a pinned clock (`clock`: a school day, a weekend, a DST change)."""

from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import select

from axolotly.models import AuditEvent, KidProfile
from tests.support.api import add_kid, auth, sign_up, use_zone
from tests.support.launcher_helpers import assign, device_row_id, pair_device
from tests.support.pinned_days import SCHOOL_DAY, iso


@pytest.fixture
def family(client, clock):
    """Emma on a launcher, in the pinned day's zone; no screen-time limits (pausing needs none)."""
    parent = sign_up(client)
    use_zone(client, parent, clock.zone)
    kid = add_kid(client, parent, "Emma", age=None)
    device = pair_device(client, parent)
    assign(client, parent, device_row_id(client, parent, device), kid["id"])
    return parent, kid, device


def pause(client, parent, kid, **body):
    return client.post(f"/api/parent/kids/{kid['id']}/pause", json=body, headers=auth(parent))


def resume(client, parent, kid):
    return client.delete(f"/api/parent/kids/{kid['id']}/pause", headers=auth(parent))


def time_limits(client, device) -> dict:
    response = client.get("/api/time-limits", headers=device)
    assert response.status_code == 200, response.text
    return response.json()


def pause_lines(db) -> list[str]:
    return list(db.scalars(select(AuditEvent.summary).where(AuditEvent.summary.contains("pause"))))


def test_a_pause_for_minutes_stops_the_launcher_until_it_ends(client, db, family, clock):
    parent, kid, device = family
    response = pause(client, parent, kid, minutes=30)
    assert response.status_code == 200, response.text
    body = response.json()
    end = clock.now + timedelta(minutes=30)
    assert datetime.fromisoformat(body["paused_until"]) == end
    assert datetime.fromisoformat(body["paused_until"]).utcoffset() == clock.local_now.utcoffset()  # family's
    assert body | {"paused_until": None} == {
        "kid_id": kid["id"],
        "time_zone": clock.zone,
        "paused_until": None,
        "allowed_now": False,
        "next_change_at": iso(end),
        "reason": "paused",
        "summary": f"Paused until {end.astimezone(clock.local_now.tzinfo):%H:%M}",
    }
    limits = time_limits(client, device)
    assert (limits["allowedNow"], limits["reason"], limits["nextChangeAt"]) == (False, "paused", iso(end))
    assert limits["scheduleEnabled"] is False  # the pause holds with screen time off for the kid
    assert pause_lines(db) == [
        f"Emma: screen time paused for 30 minutes, until {end.astimezone(clock.local_now.tzinfo):%H:%M}"
    ]

    clock.shift(timedelta(minutes=29, seconds=59))
    assert time_limits(client, device)["allowedNow"] is False
    clock.shift(timedelta(seconds=1))
    limits = time_limits(client, device)
    assert (limits["allowedNow"], limits["reason"], limits["nextChangeAt"]) == (True, None, None)


def test_a_pause_until_a_time_ends_at_its_next_showing_in_the_family_zone(client, family, clock):
    parent, kid, device = family
    # Later today; passed already: tomorrow; past midnight. Each pause replaces the one before.
    for until, days_later in ((time(11, 0), 1), (time(0, 15), 1), (time(14, 30), 0)):
        body = pause(client, parent, kid, until=f"{until:%H:%M}").json()
        end = clock.at(until, clock.today + timedelta(days=days_later))
        assert datetime.fromisoformat(body["paused_until"]) == end and body["next_change_at"] == iso(end)
        assert time_limits(client, device)["nextChangeAt"] == iso(end)
        tomorrow = " tomorrow at" if days_later else ""
        assert body["summary"] == f"Paused until{tomorrow} {until:%H:%M}"
    clock.shift(end - clock.now)
    assert time_limits(client, device)["allowedNow"] is True


def test_a_pause_ending_in_bedtime_holds_until_the_bedtime_ends(client, family, clock):
    parent, kid, device = family
    window = {"start": "12:15", "end": "15:00"}  # on the family's clock, just after the pinned noon
    settings = {"enabled": True, "school_day_bedtime": window, "weekend_bedtime": window}
    assert (
        client.put(f"/api/parent/kids/{kid['id']}/screen-time", json=settings, headers=auth(parent)).status_code == 200
    )
    bedtime_end = clock.at(time(15))
    held = pause(client, parent, kid, until="13:00").json()  # ends inside the bedtime
    assert (held["reason"], held["next_change_at"]) == ("paused", iso(bedtime_end))
    clock.shift(timedelta(minutes=20))  # 12:20: the bedtime outlasts the pause, so it is the reason now
    limits = time_limits(client, device)
    assert (limits["allowedNow"], limits["reason"], limits["nextChangeAt"]) == (False, "bedtime", iso(bedtime_end))
    moot = pause(client, parent, kid, minutes=15).json()  # ends at 12:35, inside the bedtime
    assert (moot["reason"], moot["next_change_at"], moot["allowed_now"]) == ("bedtime", iso(bedtime_end), False)
    assert moot["paused_until"] is not None  # the parent still sees their pause
    outlasting = pause(client, parent, kid, until="16:00").json()
    assert (outlasting["reason"], outlasting["next_change_at"]) == ("paused", iso(clock.at(time(16))))


@pytest.mark.parametrize("clock", [SCHOOL_DAY], indirect=True)
def test_resume_ends_the_pause_at_once_and_twice_is_the_same_answer(client, db, family, clock):
    parent, kid, device = family
    pause(client, parent, kid, minutes=60)
    first = resume(client, parent, kid)
    assert first.status_code == 200, first.text
    assert first.json() | {"summary": None} == {
        "kid_id": kid["id"],
        "time_zone": clock.zone,
        "paused_until": None,
        "allowed_now": True,
        "next_change_at": None,
        "reason": None,
        "summary": None,
    }
    assert time_limits(client, device)["allowedNow"] is True
    assert resume(client, parent, kid).json() == first.json()
    assert pause_lines(db)[-1] == "Emma: screen time resumed, the pause ended early"
    assert len(pause_lines(db)) == 2  # the second resume changed nothing, so wrote nothing


@pytest.mark.parametrize("clock", [SCHOOL_DAY], indirect=True)
def test_the_screen_time_answer_shows_the_pause(client, family, clock):
    parent, kid, _ = family
    pause(client, parent, kid, minutes=15)
    today = client.get(f"/api/parent/kids/{kid['id']}/screen-time", headers=auth(parent)).json()["today"]
    assert (today["allowed_now"], today["reason"]) == (False, "paused")
    assert datetime.fromisoformat(today["paused_until"]) == clock.now + timedelta(minutes=15)


BAD_PAUSES = [
    {"minutes": 30, "until": "19:30"},
    {},
    {"minutes": None, "until": None},
    {"minutes": 0},
    {"minutes": 1441},
    {"minutes": -5},
    {"minutes": "soon"},
    {"until": "25:00"},
    {"until": "7:30"},
    {"until": "19:30:00"},
    {"until": ""},
    {"minutes": 30, "for": "Emma"},
]


@pytest.mark.parametrize("clock", [SCHOOL_DAY], indirect=True)
def test_a_bad_pause_is_a_422_that_writes_nothing(client, db, family, clock):
    parent, kid, _ = family
    for body in BAD_PAUSES:
        response = pause(client, parent, kid, **body)
        assert response.status_code == 422 and response.json()["detail"], (body, response.text)
    assert db.scalar(select(KidProfile.paused_until).where(KidProfile.id == kid["id"])) is None
    assert pause_lines(db) == []


@pytest.mark.parametrize("clock", [SCHOOL_DAY], indirect=True)
def test_another_familys_kid_cannot_be_paused_or_resumed(client, db, family, clock):
    parent, kid, _ = family
    pause(client, parent, kid, minutes=30)
    stranger = sign_up(client)
    for response in (pause(client, stranger, kid, minutes=30), resume(client, stranger, kid)):
        assert response.status_code == 404, response.text
    assert db.scalar(select(KidProfile.paused_until).where(KidProfile.id == kid["id"])) == clock.now + timedelta(
        minutes=30
    )
    assert len(pause_lines(db)) == 1
