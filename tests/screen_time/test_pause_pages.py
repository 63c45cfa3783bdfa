""" "Pause now" on the parent's pages: the button on the home page and on the kid's screen-time page
(15 min, 30 min, 1 h, until a time), "Paused until 19:30" with "Resume" while paused, back to the
page the form was on; refused forms write nothing; another family's kid is not found."""

from datetime import time, timedelta

import pytest

from axolotly.models import KidProfile
from tests.support.api import add_kid, use_zone
from tests.support.pages import csrf, logged_in_parent
from tests.support.pinned_days import SCHOOL_DAY

pytestmark = pytest.mark.parametrize("clock", [SCHOOL_DAY], indirect=True)


def post_form(client, path, data, page):
    return client.post(
        path,
        data={**data, "csrf_token": csrf(client, page)},
        headers={"referer": f"http://testserver{page}"},
        follow_redirects=False,
    )


@pytest.fixture
def emma(client, clock):
    parent = logged_in_parent(client)
    use_zone(client, parent, clock.zone)
    return add_kid(client, parent, "Emma")


def test_the_home_page_pauses_a_kid_and_resumes_them(client, db, emma, clock):
    home = client.get("/").text
    assert "Pause now" in home and f'action="/family/kids/{emma["id"]}/pause"' in home
    for minutes, words in (("15", "15 min"), ("30", "30 min"), ("60", "1 h")):
        assert f'name="minutes" value="{minutes}" aria-label="Pause Emma for {words}">{words}</button>' in home
    assert 'name="until" type="time" required' in home

    response = post_form(client, f"/family/kids/{emma['id']}/pause", {"minutes": "30"}, "/")
    assert (response.status_code, response.headers["location"]) == (303, "/")
    assert db.get(KidProfile, emma["id"]).paused_until == clock.now + timedelta(minutes=30)
    home = client.get("/").text
    assert "Emma: Paused until 12:30" in home  # the flash
    assert home.count("Paused until 12:30") == 2  # the flash, and the kid's line (with "Resume")
    assert ">Resume</button>" in home and f'action="/family/kids/{emma["id"]}/pause"' not in home
    assert "<strong>Today:</strong> Paused until 12:30." in client.get("/family/screen-time").text  # no limits, paused

    response = post_form(client, f"/family/kids/{emma['id']}/resume", {}, "/")
    assert (response.status_code, response.headers["location"]) == (303, "/")
    db.expire_all()
    assert db.get(KidProfile, emma["id"]).paused_until is None
    home = client.get("/").text
    assert "Pause ended. Emma: No screen-time limits" in home and "Pause now" in home


def test_the_kids_page_pauses_until_a_time_shown_on_the_family_clock(client, db, emma, clock):
    page = f"/family/kids/{emma['id']}/screen-time"
    text = client.get(page).text
    assert "Pause now" in text and "No screen time for Emma until then" in text
    response = post_form(client, f"/family/kids/{emma['id']}/pause", {"until": "09:15:00"}, page)
    assert (response.status_code, response.headers["location"]) == (303, page)  # back where the form was
    tomorrow = clock.at(time(9, 15), clock.today + timedelta(days=1))  # 09:15 has passed today
    assert db.get(KidProfile, emma["id"]).paused_until == tomorrow
    text = client.get(page).text
    assert "Paused until tomorrow at 09:15" in text and ">Resume</button>" in text


REFUSED = [
    ({}, "Pause for some minutes or until a time: give one of the two"),
    ({"minutes": "30", "until": "19:30"}, "Pause for some minutes or until a time: give one of the two"),
    ({"minutes": "0"}, "Minutes: Input should be greater than or equal to 1"),
    ({"minutes": "1441"}, "Minutes: Input should be less than or equal to 1440"),
    ({"minutes": "lots"}, "Minutes: Input should be a valid integer"),
    ({"until": "25:00"}, "Until: The value is not in the expected form"),
]


def test_a_refused_pause_form_writes_nothing(client, db, emma):
    page = f"/family/kids/{emma['id']}/screen-time"
    for form, words in REFUSED:
        response = post_form(client, f"/family/kids/{emma['id']}/pause", form, page)
        assert (response.status_code, response.headers["location"]) == (303, page), form  # back, with the reason
        assert words in client.get(page).text, form
    assert db.get(KidProfile, emma["id"]).paused_until is None


def test_another_familys_kid_is_not_found(client, db, emma):
    client.cookies.clear()
    logged_in_parent(client)
    for path in (f"/family/kids/{emma['id']}/pause", f"/family/kids/{emma['id']}/resume"):
        response = post_form(client, path, {"minutes": "30"}, "/")  # a form's refusal: back, with why
        assert (response.status_code, response.headers["location"]) == (303, "/"), path
        assert "Kid profile not found" in client.get("/").text
    assert db.get(KidProfile, emma["id"]).paused_until is None
