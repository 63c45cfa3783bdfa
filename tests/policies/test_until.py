"""Allows for a while (issue 27): `until` on the policy API and on approvals, checked before
anything is written; the words that explain them, in English and German."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from axolotly.i18n import use_language
from axolotly.policies.evaluate import Moment, Policy, Rules, TitleFacts, evaluate_title
from axolotly.policies.until import TODAY, until_of_choice
from tests.support.api import add_kid, auth, offline_title, sign_up, use_zone
from tests.support.launcher_families import ALLOW_LIST, set_rules, to_library
from tests.support.pinned_days import SCHOOL_DAY
from tests.support.timed_allows import logged_in

LONDON = ZoneInfo("Europe/London")
# SCHOOL_DAY: Wednesday 25 November 2026, noon in London.
SUNDAY_8PM = datetime(2026, 11, 29, 20, tzinfo=LONDON)
pytestmark = pytest.mark.parametrize("clock", [SCHOOL_DAY], indirect=True)


def family(client, db):
    parent = sign_up(client)
    use_zone(client, parent, "Europe/London")
    emma = add_kid(client, parent, "Emma")
    set_rules(db, emma["id"], **ALLOW_LIST)
    client.put("/api/parent/services/selected", json={"services": ["disney_plus"]}, headers=auth(parent))
    return parent, emma, offline_title(db, "Moana")


def written(db, kid_id: int) -> tuple:
    """What a refused request must not have changed."""
    return (
        db.scalar(text("SELECT count(*) FROM kid_profiles_titles WHERE kid_profile_id = :k"), {"k": kid_id}),
        db.scalar(text("SELECT launcher_version FROM kid_profiles WHERE id = :k"), {"k": kid_id}),
        db.scalar(text("SELECT count(*) FROM audit_events")),
    )


def test_an_allow_until_is_stored_returned_said_in_the_trail_and_explained(client, db, clock):
    parent, emma, moana = family(client, db)
    response = client.put(
        f"/api/parent/kids/{emma['id']}/policies/{moana.id}",
        json={"policy": "allow", "until": "2026-11-29T20:00:00+00:00"},
        headers=auth(parent),
    )
    assert response.status_code == 200, response.text
    assert datetime.fromisoformat(response.json()["until"]) == SUNDAY_8PM
    listed = client.get(f"/api/parent/kids/{emma['id']}/policies", headers=auth(parent)).json()
    assert [datetime.fromisoformat(p["until"]) for p in listed] == [SUNDAY_8PM]
    assert (
        "Allowed “Moana” for Emma until Sun 29 Nov 20:00"
        in db.scalars(text("SELECT summary FROM audit_events WHERE family_id = :f"), {"f": parent["id"]}).all()
    )
    explained = client.get(f"/api/parent/kids/{emma['id']}/titles/{moana.id}/explain", headers=auth(parent)).json()
    assert explained["visible"] and explained["reason"] == "visible"
    assert explained["explanation"] == "Allowed by you until Sunday 20:00, and streaming on a service the family has"

    clock.shift(SUNDAY_8PM - clock.now - timedelta(minutes=20))
    parent = logged_in(client, parent)
    still = client.get(f"/api/parent/kids/{emma['id']}/titles/{moana.id}/explain", headers=auth(parent)).json()
    assert still["explanation"].startswith("Allowed by you until 20:00 today")
    clock.shift(timedelta(minutes=20))
    ended = client.get(f"/api/parent/kids/{emma['id']}/titles/{moana.id}/explain", headers=auth(parent)).json()
    assert (
        not ended["visible"] and ended["explanation"] == "Not allowed yet: nothing is visible until a parent allows it"
    )
    assert client.get(f"/api/parent/kids/{emma['id']}/policies", headers=auth(parent)).json() == []


def test_a_plain_allow_or_deny_is_for_good_again(client, db, clock):
    parent, emma, moana = family(client, db)
    url = f"/api/parent/kids/{emma['id']}/policies/{moana.id}"
    client.put(
        url, json={"policy": "allow", "until": (clock.now + timedelta(days=1)).isoformat()}, headers=auth(parent)
    )
    assert client.put(url, json={"policy": "allow"}, headers=auth(parent)).json()["until"] is None
    client.put(
        url, json={"policy": "allow", "until": (clock.now + timedelta(days=1)).isoformat()}, headers=auth(parent)
    )
    assert client.put(url, json={"policy": "deny", "until": None}, headers=auth(parent)).json()["until"] is None


@pytest.mark.parametrize(
    ("until", "detail"),
    [
        ("2026-11-29T20:00:00", "Give the end with its offset from UTC, e.g. 2026-12-06T20:00:00+01:00"),
        ("2026-11-25T11:59:59Z", "The end of an allow must be in the future"),
        ("2026-11-25T12:00:00Z", "The end of an allow must be in the future"),
        ("2027-11-26T12:00:00Z", "An allow can end at most a year from now"),
    ],
)
def test_a_bad_until_is_a_422_that_writes_nothing(client, db, clock, until, detail):
    parent, emma, moana = family(client, db)
    before = written(db, emma["id"])
    response = client.put(
        f"/api/parent/kids/{emma['id']}/policies/{moana.id}",
        json={"policy": "allow", "until": until},
        headers=auth(parent),
    )
    assert response.status_code == 422 and response.json()["detail"] == detail
    assert written(db, emma["id"]) == before


def test_until_with_a_deny_is_a_422_that_writes_nothing(client, db, clock):
    parent, emma, moana = family(client, db)
    before = written(db, emma["id"])
    response = client.put(
        f"/api/parent/kids/{emma['id']}/policies/{moana.id}",
        json={"policy": "deny", "until": "2026-11-29T20:00:00+00:00"},
        headers=auth(parent),
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "Only an allow can end by itself: a deny is for good"
    assert written(db, emma["id"]) == before


def test_another_family_s_kid_is_a_404(client, db, clock):
    parent, emma, moana = family(client, db)
    stranger = sign_up(client)
    response = client.put(
        f"/api/parent/kids/{emma['id']}/policies/{moana.id}",
        json={"policy": "allow", "until": "2026-11-29T20:00:00+00:00"},
        headers=auth(stranger),
    )
    assert response.status_code == 404
    assert written(db, emma["id"])[0] == 0


def test_an_approval_for_a_while_and_a_bad_one(client, db, clock):
    parent, emma, moana = family(client, db)
    to_library(db, parent["id"], moana)
    request_id = db.scalar(
        text(
            "INSERT INTO title_requests (family_id, kid_profile_id, title_id, status) "
            "VALUES (:f, :k, :t, 'open') RETURNING id"
        ),
        {"f": parent["id"], "k": emma["id"], "t": moana.id},
    )
    url = f"/api/parent/requests/{request_id}/approve"
    refused = client.post(url, json={"until": "2026-11-20T20:00:00+00:00"}, headers=auth(parent))
    assert refused.status_code == 422 and refused.json()["detail"] == "The end of an allow must be in the future"
    assert db.scalar(text("SELECT status FROM title_requests WHERE id = :id"), {"id": request_id}) == "open"
    approved = client.post(url, json={"until": "2026-11-29T20:00:00+00:00"}, headers=auth(parent))
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    [policy] = client.get(f"/api/parent/kids/{emma['id']}/policies", headers=auth(parent)).json()
    assert datetime.fromisoformat(policy["until"]) == SUNDAY_8PM


def test_the_words_of_an_end_near_and_far_in_english_and_german(clock):
    rules = Rules(kid_name="Emma", time_zone="Europe/London")
    on_disney = TitleFacts(("disney_plus",), "G")

    def said(until: datetime) -> str:
        return evaluate_title(Policy("allow", until=until), ["disney_plus"], on_disney, rules).explanation

    for_good = evaluate_title(Policy("allow"), ["disney_plus"], on_disney, rules).explanation
    assert for_good == "Allowed, and streaming on a service the family has"
    assert said(SUNDAY_8PM) == "Allowed by you until Sunday 20:00, and streaming on a service the family has"
    assert said(datetime(2026, 11, 25, 20, tzinfo=LONDON)).startswith("Allowed by you until 20:00 today,")
    assert said(datetime(2026, 11, 26, 8, tzinfo=LONDON)).startswith("Allowed by you until 08:00 tomorrow,")
    assert said(datetime(2026, 11, 26, 0, tzinfo=LONDON)).startswith("Allowed by you until the end of today,")
    assert said(datetime(2026, 12, 6, 20, tzinfo=LONDON)).startswith("Allowed by you until Sun 06 Dec 20:00,")
    nowhere = evaluate_title(Policy("allow", until=SUNDAY_8PM), ["netflix"], on_disney, rules).explanation
    assert nowhere == "Allowed by you until Sunday 20:00, but not on any of the family's services"
    with use_language("de"):
        assert said(SUNDAY_8PM) == "Von Ihnen erlaubt bis Sonntag 20:00, und auf einem Dienst der Familie verfügbar"
        assert str(Moment(datetime(2026, 11, 26, 0, tzinfo=LONDON), "Europe/London").read()) == "heute Mitternacht"


def test_the_choices_of_a_page(clock):
    now = clock.now
    assert until_of_choice("", "", "Europe/London", now) is None
    assert until_of_choice(TODAY, "", "Europe/London", now) == datetime.combine(
        clock.today + timedelta(days=1), time(0), LONDON
    )
    assert until_of_choice("3days", "", "Europe/London", now) == now + timedelta(days=3)
    assert until_of_choice("until", "2026-11-29T20:00", "Europe/London", now) == SUNDAY_8PM.astimezone(UTC)
