"""Allows for a while on the pages (issue 27): the title page's "How long" per kid, approving a
request for a while, the words that say until when, and a bad end refused without a write."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from tests.support.api import add_kid, auth, offline_title, use_zone
from tests.support.launcher_families import ALLOW_LIST, set_rules, to_library
from tests.support.pages import csrf, logged_in_parent
from tests.support.pinned_days import SCHOOL_DAY

LONDON = ZoneInfo("Europe/London")
pytestmark = pytest.mark.parametrize("clock", [SCHOOL_DAY], indirect=True)  # Wednesday noon in London


@pytest.fixture
def family(client, db, clock):
    parent = logged_in_parent(client)
    use_zone(client, parent, "Europe/London")
    emma = add_kid(client, parent, "Emma")
    set_rules(db, emma["id"], **ALLOW_LIST)
    client.put("/api/parent/services/selected", json={"services": ["disney_plus"]}, headers=auth(parent))
    moana = offline_title(db, "Moana")
    to_library(db, parent["id"], moana)
    return parent, emma, moana


def stored_until(db, kid_id: int, title_id: int):
    return db.scalar(
        text("SELECT allowed_until FROM kid_profiles_titles WHERE kid_profile_id = :k AND title_id = :t"),
        {"k": kid_id, "t": title_id},
    )


def save(client, title_id: int, kid_id: int, choice: str, local: str = ""):
    return client.post(
        f"/catalog/titles/{title_id}/policies",
        data={
            "kid": str(kid_id),
            "policy": "allow",
            "until_choice": choice,
            "until_local": local,
            "csrf_token": csrf(client, f"/catalog/titles/{title_id}"),
        },
    )


def test_the_title_page_allows_until_a_moment_and_says_so(client, db, family):
    parent, emma, moana = family
    saved = save(client, moana.id, emma["id"], "until", "2026-11-29T20:00")
    assert saved.status_code == 200
    assert stored_until(db, emma["id"], moana.id) == datetime(2026, 11, 29, 20, tzinfo=LONDON)
    page = client.get(f"/catalog/titles/{moana.id}").text
    assert "Allowed by you until Sunday 20:00" in page
    assert 'value="until" selected' in page and 'value="2026-11-29T20:00"' in page
    why = client.get(f"/family/kids/{emma['id']}/why/{moana.id}").text
    assert "Allowed by you until Sunday 20:00, and streaming on a service the family has" in why

    trail = db.scalar(text("SELECT count(*) FROM audit_events WHERE family_id = :f"), {"f": parent["id"]})
    save(client, moana.id, emma["id"], "until", "2026-11-29T20:00")  # sent back as shown: unchanged
    assert db.scalar(text("SELECT count(*) FROM audit_events WHERE family_id = :f"), {"f": parent["id"]}) == trail

    save(client, moana.id, emma["id"], "today")
    assert stored_until(db, emma["id"], moana.id) == datetime(2026, 11, 26, 0, tzinfo=LONDON)
    assert "Allowed by you until the end of today" in client.get(f"/catalog/titles/{moana.id}").text
    save(client, moana.id, emma["id"], "")
    assert stored_until(db, emma["id"], moana.id) is None


def test_a_bad_end_on_the_title_page_is_refused_and_writes_nothing(client, db, family):
    _parent, emma, moana = family
    refusals = {
        ("until", ""): "Give a date and a time for the end of the allow",
        ("until", "yesterday"): "Give a date and a time for the end of the allow",
        ("until", "2026-11-20T20:00"): "The end of an allow must be in the future",
        ("until", "2027-12-01T20:00"): "An allow can end at most a year from now",
        ("soon", ""): "Choose how long the allow lasts",
    }
    for (choice, local), reason in refusals.items():
        refused = save(client, moana.id, emma["id"], choice, local)  # back on the page, with the reason
        assert refused.status_code == 200 and reason in refused.text, (choice, local)
        assert not db.scalar(
            text("SELECT count(*) FROM kid_profiles_titles WHERE kid_profile_id = :k"), {"k": emma["id"]}
        )


def test_approving_a_request_for_three_days(client, db, family, clock):
    parent, emma, moana = family
    request_id = db.scalar(
        text(
            "INSERT INTO title_requests (family_id, kid_profile_id, title_id, status) "
            "VALUES (:f, :k, :t, 'open') RETURNING id"
        ),
        {"f": parent["id"], "k": emma["id"], "t": moana.id},
    )
    page = client.get("/family/requests").text
    assert "For 3 days" in page and "Today only" in page and 'type="datetime-local"' in page
    approved = client.post(
        f"/family/requests/{request_id}/approve",
        data={"until_choice": "3days", "until_local": "", "csrf_token": csrf(client, "/family/requests")},
    )
    assert approved.status_code == 200
    assert "Approved “Moana” for Emma until Saturday 12:00" in approved.text
    assert stored_until(db, emma["id"], moana.id) == clock.now + timedelta(days=3)
    assert stored_until(db, emma["id"], moana.id).tzinfo is not None and clock.now.tzinfo == UTC


def shown_form(client, title_id: int) -> dict[str, list[str]]:
    """The title page's form as a browser would send it untouched (every kid's row as shown)."""
    page = client.get(f"/catalog/titles/{title_id}").text
    start = page.index(f'action="/catalog/titles/{title_id}/policies"')
    form = page[start : page.index("</form>", start)]
    fields: dict[str, list[str]] = {
        name: re.findall(rf'<input[^>]*name="{name}" value="([^"]*)"', form)
        for name in ("csrf_token", "kid", "until_local", "until_shown")
    }
    for name in ("policy", "until_choice"):
        selects = re.findall(rf'<select[^>]*name="{name}">(.*?)</select>', form, re.S)
        fields[name] = [re.search(r'<option value="([^"]*)" selected>', options)[1] for options in selects]
    return fields


def test_an_allow_that_ends_while_the_page_is_open_is_left_to_end(client, db, family, clock):
    parent, emma, moana = family
    leo = add_kid(client, parent, "Leo")
    set_rules(db, leo["id"], **ALLOW_LIST)
    assert save(client, moana.id, emma["id"], "until", "2026-11-25T12:30").status_code == 200
    form = shown_form(client, moana.id)
    assert form["until_shown"] == ["2026-11-25T12:30", ""] and form["until_choice"] == ["until", ""]
    trail = db.scalar(text("SELECT count(*) FROM audit_events WHERE family_id = :f"), {"f": parent["id"]})

    clock.shift(timedelta(minutes=45))  # Emma's allow ends before the form is saved
    form["policy"] = ["allow", "allow"]  # Leo's change, beside Emma's row as shown
    saved = client.post(f"/catalog/titles/{moana.id}/policies", data=form, follow_redirects=False)

    assert saved.status_code == 303, saved.text
    page = client.get(saved.headers["location"]).text
    assert "Saved. The allow for Emma had already ended." in page
    assert stored_until(db, emma["id"], moana.id) == datetime(2026, 11, 25, 12, 30, tzinfo=LONDON), "left to end"
    assert (
        db.scalar(
            text("SELECT policy FROM kid_profiles_titles WHERE kid_profile_id = :k AND title_id = :t"),
            {"k": leo["id"], "t": moana.id},
        )
        == "allow"
    )
    assert stored_until(db, leo["id"], moana.id) is None
    assert db.scalar(text("SELECT count(*) FROM audit_events WHERE family_id = :f"), {"f": parent["id"]}) == trail + 1


def test_a_past_end_typed_anew_is_still_refused(client, db, family, clock):
    parent, emma, moana = family
    leo = add_kid(client, parent, "Leo")
    set_rules(db, leo["id"], **ALLOW_LIST)
    assert save(client, moana.id, emma["id"], "until", "2026-11-25T18:00").status_code == 200
    past = "2026-11-25T11:00"
    for row, kid in ((0, "Emma: her allow still in force"), (1, "Leo: the page showed him none")):
        form = shown_form(client, moana.id)
        form["policy"] = ["allow", "allow"]
        form["until_choice"][row], form["until_local"][row] = "until", past
        refused = client.post(f"/catalog/titles/{moana.id}/policies", data=form)
        assert "The end of an allow must be in the future" in refused.text, kid
        assert stored_until(db, emma["id"], moana.id) == datetime(2026, 11, 25, 18, tzinfo=LONDON), kid
        assert not db.scalar(
            text("SELECT count(*) FROM kid_profiles_titles WHERE kid_profile_id = :k"), {"k": leo["id"]}
        ), kid

    clock.shift(timedelta(hours=7))  # Emma's allow has ended; a past time other than the one shown
    form = shown_form(client, moana.id)
    assert form["until_shown"] == ["", ""], "no allow in force: none shown"
    form["policy"], form["until_choice"], form["until_local"] = ["allow", ""], ["until", ""], [past, ""]
    form["until_shown"] = ["2026-11-25T18:00", ""]  # as an older page showed it, but another time typed
    refused = client.post(f"/catalog/titles/{moana.id}/policies", data=form)
    assert "The end of an allow must be in the future" in refused.text
