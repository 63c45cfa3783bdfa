"""Issue 23, devices, screen time and requests, without a browser: a device given to one kid opens
only that kid's launcher; the device list says who is watching now; the pairing page gives the full
address; one rule for a daily limit in the form and the API; the kid's time left; "Ask for more
time" answered with bonus minutes; the "Ask a parent" list per kid, by age unless a parent says."""

import re

import pytest
from sqlalchemy import text

from tests.support.api import add_kid, auth, sign_up
from tests.support.kid_pages import enter_pin, paired_browser
from tests.support.launcher_helpers import assign, device_row_id, pair_device
from tests.support.pages import csrf, log_in


def _device(client, family) -> dict:
    return client.get("/api/parent/devices", headers=auth(family["parent"])).json()[-1]


def _set_device(client, family, device_id, **changes):
    response = client.patch(f"/api/parent/devices/{device_id}", json=changes, headers=auth(family["parent"]))
    assert response.status_code == 200, response.text
    return response.json()


def _limits(client, parent, kid, minutes):
    body = {"enabled": True, "school_day_limit_minutes": minutes, "weekend_limit_minutes": minutes}
    response = client.put(f"/api/parent/kids/{kid['id']}/screen-time", json=body, headers=auth(parent))
    assert response.status_code == 200, response.text


def test_a_device_given_to_a_kid_opens_her_launcher_and_lets_nobody_else_in(client, family):
    browser, token = paired_browser(client, family["parent"])  # two kids: nobody's yet, the picker
    emma, leo = family["emma"], family["leo"]
    device = _set_device(client, family, _device(client, family)["id"], kid_id=emma["id"])
    assert device["any_kid"] is False

    opened = browser.get("/kids")
    assert opened.url.path == f"/kids/{emma['id']}/launcher" and "Emma's shows" in opened.text  # no picker, no PIN
    assert "Switch kid" not in opened.text
    assert browser.get(f"/kids/{emma['id']}/pin", follow_redirects=False).headers["location"].endswith("/launcher")

    refused = browser.get(f"/kids/{leo['id']}/pin")
    assert refused.status_code == 403 and "This screen is Emma's" in refused.text
    with_pin = enter_pin(browser, token, leo, "5678")  # Leo's right PIN does not open Emma's device
    assert with_pin.status_code == 403 and "Leo's shows" not in with_pin.text
    assert browser.get(f"/kids/{leo['id']}/launcher", follow_redirects=False).headers["location"] == (
        f"/kids/{leo['id']}/pin"
    )

    # The parent lets any kid of the family use it: the picker again, each kid with their PIN.
    assert _set_device(client, family, device["id"], any_kid=True)["any_kid"] is True
    assert "Who is watching?" in browser.get("/kids").text
    assert browser.get(f"/kids/{emma['id']}/launcher", follow_redirects=False).headers["location"].endswith("/pin")
    assert "Leo's shows" in enter_pin(browser, token, leo, "5678").text

    # Given back to Emma alone: Leo's kid cookie no longer opens anything on it.
    _set_device(client, family, device["id"], any_kid=False)
    assert browser.get(f"/kids/{leo['id']}/launcher", follow_redirects=False).status_code == 303
    assert browser.get(f"/kids/{leo['id']}/launcher").status_code == 403


def test_any_kid_must_be_true_or_false(client, family):
    browser, _ = paired_browser(client, family["parent"])
    device_id = _device(client, family)["id"]
    for bad in ("yes", 1, "true"):
        response = client.patch(
            f"/api/parent/devices/{device_id}", json={"any_kid": bad}, headers=auth(family["parent"])
        )
        assert response.status_code == 422, response.text


def test_the_device_form_saves_any_kid_and_says_what_it_means(client, family):
    browser, _ = paired_browser(client, family["parent"], "Mateo's phone")
    device_id = _device(client, family)["id"]
    log_in(client, family["parent"]["email"])
    token = csrf(client, "/family/devices")
    saved = client.post(
        f"/family/devices/{device_id}",
        data={"friendly_name": "Mateo's phone", "kid_id": str(family["leo"]["id"]), "csrf_token": token},
    )
    assert "Mateo&#39;s phone shows Leo&#39;s launcher, and only Leo&#39;s" in saved.text
    assert _device(client, family)["any_kid"] is False
    saved = client.post(
        f"/family/devices/{device_id}",
        data={
            "friendly_name": "Mateo's phone",
            "kid_id": str(family["leo"]["id"]),
            "any_kid": "1",
            "csrf_token": token,
        },
    )
    assert "any kid of the family may sign in with their PIN" in saved.text
    assert _device(client, family)["any_kid"] is True


def test_the_device_list_says_who_is_watching_now(client, db, family):
    browser, token = paired_browser(client, family["parent"], "Hall laptop")
    assert _device(client, family)["watching_kid_name"] is None
    enter_pin(browser, token, family["emma"], "1234")
    listed = _device(client, family)
    assert (listed["watching_kid_id"], listed["watching_kid_name"]) == (family["emma"]["id"], "Emma")
    assert listed["kid_id"] is None  # nobody's device, and still Emma is the one watching
    log_in(client, family["parent"]["email"])
    assert "Emma is watching now" in client.get("/family/devices").text

    browser.post("/kids/switch", data={"csrf_token": token})  # back to "Who is watching?"
    assert _device(client, family)["watching_kid_name"] is None
    assert "Nobody is watching now" in client.get("/family/devices").text

    enter_pin(browser, token, family["leo"], "5678")
    assert _device(client, family)["watching_kid_name"] == "Leo"
    db.execute(text("UPDATE devices SET watching_at = now() - interval '6 minutes'"))  # left a while ago
    assert _device(client, family)["watching_kid_name"] is None


def test_an_android_launcher_online_shows_its_kid_as_watching(client, family):
    parent = family["parent"]
    headers = pair_device(client, parent)
    row = device_row_id(client, parent, headers)
    assign(client, parent, row, family["leo"]["id"])
    assert _device(client, family)["watching_kid_name"] is None  # never called since pairing
    assert client.get("/api/apps", headers=headers).status_code == 200
    assert _device(client, family)["watching_kid_name"] == "Leo"


def test_the_pairing_instructions_give_the_full_address(client, monkeypatch):
    from axolotly.config import get_settings

    parent = sign_up(client)
    log_in(client, parent["email"])
    assert 'href="http://testserver/kids">http://testserver/kids</a>' in client.get("/family/devices").text
    monkeypatch.setenv("PUBLIC_URL", "https://axolotly.example.org/")
    get_settings.cache_clear()
    try:
        page = client.get("/family/devices").text
    finally:
        get_settings.cache_clear()
    assert "https://axolotly.example.org/kids</a>" in page


def test_an_expired_code_is_not_waiting_for_a_device(client, db):
    parent = sign_up(client)
    log_in(client, parent["email"])
    client.post("/api/parent/pairing-codes", headers=auth(parent))
    assert "Waiting for the device" in client.get("/family/devices").text
    db.execute(text("UPDATE pairing_codes SET expires_at = now() - interval '1 second'"))
    page = client.get("/family/devices").text
    assert 'class="pairing-code"' not in page and "Waiting for the device" not in page


@pytest.mark.parametrize("minutes", [1, 7, 1440])
def test_a_daily_limit_follows_one_rule_in_the_form_and_the_api(client, family, minutes):
    parent, emma = family["parent"], family["emma"]
    log_in(client, parent["email"])
    page = client.get(f"/family/kids/{emma['id']}/screen-time").text
    assert page.count('type="number" min="0" max="1440" step="1"') == 2
    form = {"enabled": "1", "school_day_limit": str(minutes), "weekend_limit": str(minutes)}
    saved = client.post(
        f"/family/kids/{emma['id']}/screen-time",
        data={**form, "csrf_token": csrf(client, f"/family/kids/{emma['id']}/screen-time")},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    stored = client.get(f"/api/parent/kids/{emma['id']}/screen-time", headers=auth(parent)).json()
    assert stored["school_day_limit_minutes"] == stored["weekend_limit_minutes"] == minutes
    _limits(client, parent, emma, minutes)  # the API takes the same


def test_a_limit_beyond_the_rule_is_refused_by_both(client, family):
    parent, emma = family["parent"], family["emma"]
    body = {"enabled": True, "school_day_limit_minutes": 1441}
    assert client.put(f"/api/parent/kids/{emma['id']}/screen-time", json=body, headers=auth(parent)).status_code == 422
    log_in(client, parent["email"])
    refused = client.post(
        f"/family/kids/{emma['id']}/screen-time",
        data={"enabled": "1", "school_day_limit": "1441", "csrf_token": csrf(client, "/family/kids")},
    )
    assert "Less than or equal to 1440" in refused.text.replace("less", "Less")  # back to the form, the reason
    assert client.get(f"/api/parent/kids/{emma['id']}/screen-time", headers=auth(parent)).json()["enabled"] is False


def test_the_kids_grid_shows_the_time_left_today(client, family, clock):
    browser, token = paired_browser(client, family["parent"])
    _limits(client, family["parent"], family["emma"], 45)
    grid = enter_pin(browser, token, family["emma"], "1234").text
    assert re.search(r'<p class="time-left">45 minutes of screen time left today</p>', grid)
    leo = enter_pin(browser, token, family["leo"], "5678").text  # no limit: no line
    assert "Leo's shows" in leo and "time-left" not in leo


def test_ask_for_more_time_becomes_a_request_the_parent_answers_with_bonus(client, family, clock):
    parent, emma = family["parent"], family["emma"]
    browser, token = paired_browser(client, parent)
    _limits(client, parent, emma, 0)
    launcher = f"/kids/{emma['id']}/launcher"
    page = enter_pin(browser, token, emma, "1234").text
    assert "That's all for today, Emma!" in page and "Ask for more time" in page

    asked = browser.post(f"/kids/{emma['id']}/more-time", data={"csrf_token": token})
    assert "Waiting for a grown-up" in asked.text and "Ask for more time</button>" not in asked.text
    again = browser.post(f"/kids/{emma['id']}/more-time", data={"csrf_token": token})  # the same request
    assert again.status_code == 200
    waiting = client.get("/api/parent/time-requests", headers=auth(parent)).json()
    assert [(r["kid_name"], r["status"]) for r in waiting] == [("Emma", "open")]

    log_in(client, parent["email"])
    assert "1 waiting for an answer" in client.get("/").text
    requests_page = client.get("/family/requests").text
    assert "Emma asks for more time today" in requests_page and "+30 min for Emma" in requests_page
    granted = client.post(
        f"/family/time-requests/{waiting[0]['id']}/grant",
        data={"minutes": "30", "csrf_token": csrf(client, "/family/requests")},
    )
    assert "Emma has 30 extra minutes today: 30 min left today" in granted.text
    assert "Emma asks for more time" not in granted.text

    grid = browser.get(launcher).text
    assert "Emma's shows" in grid and "A grown-up gave you 30 more minutes!" in grid
    assert "30 minutes of screen time left today" in grid
    stored = client.get(f"/api/parent/kids/{emma['id']}/screen-time", headers=auth(parent)).json()
    assert stored["today"]["bonus_minutes"] == 30  # the existing bonus mechanism
    twice = client.post(
        f"/api/parent/time-requests/{waiting[0]['id']}/grant", json={"minutes": 15}, headers=auth(parent)
    )
    assert twice.status_code == 409 and "already granted" in twice.json()["detail"]


def test_not_today_is_shown_to_the_kid_who_cannot_ask_again_today(client, family, clock):
    parent, emma = family["parent"], family["emma"]
    browser, token = paired_browser(client, parent)
    _limits(client, parent, emma, 0)
    enter_pin(browser, token, emma, "1234")
    browser.post(f"/kids/{emma['id']}/more-time", data={"csrf_token": token})
    request_id = client.get("/api/parent/time-requests", headers=auth(parent)).json()[0]["id"]
    declined = client.post(f"/api/parent/time-requests/{request_id}/decline", headers=auth(parent))
    assert declined.status_code == 200 and declined.json()["status"] == "declined"

    page = browser.get(f"/kids/{emma['id']}/launcher").text
    assert "A grown-up said not today." in page and "Ask for more time</button>" not in page
    refused = browser.post(f"/kids/{emma['id']}/more-time", data={"csrf_token": token})
    assert refused.status_code == 200 and "already said not today" in refused.text
    assert client.get("/api/parent/time-requests", headers=auth(parent)).json() == []


def test_bad_answers_to_a_time_request_are_refused(client, family, clock):
    parent, emma = family["parent"], family["emma"]
    browser, token = paired_browser(client, parent)
    _limits(client, parent, emma, 0)
    enter_pin(browser, token, emma, "1234")
    browser.post(f"/kids/{emma['id']}/more-time", data={"csrf_token": token})
    request_id = client.get("/api/parent/time-requests", headers=auth(parent)).json()[0]["id"]
    for minutes in (0, 721, "lots", None):
        response = client.post(
            f"/api/parent/time-requests/{request_id}/grant", json={"minutes": minutes}, headers=auth(parent)
        )
        assert response.status_code == 422, response.text


def test_a_kid_with_time_left_cannot_ask_for_more(client, family, clock):
    browser, token = paired_browser(client, family["parent"])
    enter_pin(browser, token, family["emma"], "1234")
    refused = browser.post(f"/kids/{family['emma']['id']}/more-time", data={"csrf_token": token})
    assert refused.status_code == 200 and "when your time is up" in refused.text


@pytest.mark.parametrize(("age", "shown"), [(None, False), (5, False), (7, False), (8, True), (11, True)])
def test_the_ask_a_parent_list_is_by_age_until_a_parent_chooses(client, db, age, shown):
    parent = sign_up(client)
    kid = add_kid(client, parent, "Sofia", pin="4321", age=age)
    got = client.get(f"/api/parent/kids/{kid['id']}/ask-list", headers=auth(parent)).json()
    assert got == {"ask_list": None, "shown": shown}
    chosen = client.put(f"/api/parent/kids/{kid['id']}/ask-list", json={"ask_list": not shown}, headers=auth(parent))
    assert chosen.json() == {"ask_list": not shown, "shown": not shown}
    back = client.put(f"/api/parent/kids/{kid['id']}/ask-list", json={"ask_list": None}, headers=auth(parent))
    assert back.json() == {"ask_list": None, "shown": shown}
    for bad in ({"ask_list": "yes"}, {}, {"ask_list": True, "extra": 1}):
        response = client.put(f"/api/parent/kids/{kid['id']}/ask-list", json=bad, headers=auth(parent))
        assert response.status_code == 422, response.text


def test_the_ask_list_form_keeps_by_age_as_a_choice(client, db):
    """Issue 23 review: saving the page's form turned "decided by age" into a fixed yes/no."""
    parent = sign_up(client)
    kid = add_kid(client, parent, "Sofia", pin="4321", age=7)
    log_in(client, parent["email"])
    page = f"/family/kids/{kid['id']}/watch"
    watch = client.get(page).text
    for words in ("By age: from 8 years old", "Show the list", "Hide the list"):
        assert words in watch
    for choice, stored, shown in (("show", True, True), ("hide", False, False), ("age", None, False)):
        saved = client.post(
            f"/family/kids/{kid['id']}/ask-list", data={"ask_list": choice, "csrf_token": csrf(client, page)}
        )
        assert saved.status_code == 200 and re.search(rf'value="{choice}"\s+checked', saved.text), choice
        got = client.get(f"/api/parent/kids/{kid['id']}/ask-list", headers=auth(parent)).json()
        assert got == {"ask_list": stored, "shown": shown}, choice
    assert "by age: from 8" in saved.text
    # By age it stays: at 8 the list appears without anyone saving the form again.
    assert client.patch(f"/api/parent/kids/{kid['id']}", json={"age": 8}, headers=auth(parent)).status_code == 200
    assert client.get(f"/api/parent/kids/{kid['id']}/ask-list", headers=auth(parent)).json() == {
        "ask_list": None,
        "shown": True,
    }
    for bad in ("", "1", "yes"):
        refused = client.post(
            f"/family/kids/{kid['id']}/ask-list", data={"ask_list": bad, "csrf_token": csrf(client, page)}
        )
        assert "Ask list:" in refused.text, bad  # back to the page with the reason, nothing saved
        assert client.get(f"/api/parent/kids/{kid['id']}/ask-list", headers=auth(parent)).json()["ask_list"] is None


def test_a_young_kid_sees_no_list_of_hidden_titles_until_the_parent_ticks_it(client, db, family):
    from tests.support.factories import make_title

    parent, emma = family["parent"], family["emma"]  # Emma has no age: off
    hidden = make_title(db, title="Grown-up Film", certification="PG", providers=["netflix"])
    assert client.put(f"/api/parent/library/{hidden.id}", headers=auth(parent)).status_code in (200, 201, 204)
    browser, token = paired_browser(client, parent)
    grid = enter_pin(browser, token, emma, "1234").text
    assert "Ask a parent" not in grid and "Grown-up Film" not in grid
    asked = browser.post(f"/kids/{emma['id']}/requests", data={"title_id": hidden.id, "csrf_token": token})
    assert "Asked!" in asked.text  # asking (from a title's page on a launcher) still works

    log_in(client, parent["email"])
    watch = client.get(f"/family/kids/{emma['id']}/watch").text
    assert re.search(r'value="age"\s+checked', watch)  # by age, the default
    saved = client.post(
        f"/family/kids/{emma['id']}/ask-list",
        data={"ask_list": "show", "csrf_token": csrf(client, f"/family/kids/{emma['id']}/watch")},
    )
    assert "Emma sees the hidden titles to ask for" in saved.text and re.search(r'value="show"\s+checked', saved.text)
    other = make_title(db, title="Another Film", certification="PG", providers=["netflix"])
    client.put(f"/api/parent/library/{other.id}", headers=auth(parent))
    assert "Ask for Another Film" in browser.get(f"/kids/{emma['id']}/launcher").text
