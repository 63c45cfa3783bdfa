"""The kid web launcher enforces screen time like any launcher: a friendly "time's up" or
"bedtime" screen instead of titles, and it logs its own viewing time. What depends on the day
runs on a pinned clock (`clock`: a school day, a weekend, a DST change)."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from axolotly.models import usage_sessions
from axolotly.screen_time.clock import Bedtime, DayRules, Schedule, today
from axolotly.web.kid_pages import _back_at
from tests.support.api import auth, use_zone
from tests.support.kid_pages import signed_in
from tests.support.pages import csrf


def limits(client, family, **settings):
    body = {
        "enabled": True,
        "school_day_limit_minutes": None,
        "weekend_limit_minutes": None,
        "school_day_bedtime": None,
        "weekend_bedtime": None,
        **settings,
    }
    response = client.put(
        f"/api/parent/kids/{family['emma']['id']}/screen-time", json=body, headers=auth(family["parent"])
    )
    assert response.status_code == 200, response.text


def test_no_time_left_shows_times_up_instead_of_titles(client, db, family, clock):
    browser = signed_in(client, family)
    launcher = f"/kids/{family['emma']['id']}/launcher"
    assert "Sunny Days" in browser.get(launcher).text
    limits(client, family, school_day_limit_minutes=0, weekend_limit_minutes=0)
    for path in (launcher, f"/kids/{family['emma']['id']}/titles/{family['show'].id}"):
        page = browser.get(path).text
        assert "That's all for today, Emma!" in page and "See you another day" in page, path  # no day has time
        assert "Sunny Days" not in page and "poster-card" not in page
    client.post(
        f"/api/parent/kids/{family['emma']['id']}/bonus-time", json={"minutes": 20}, headers=auth(family["parent"])
    )
    assert "Sunny Days" in browser.get(launcher).text  # a parent's bonus opens it again at once


def test_bedtime_shows_when_the_shows_come_back(client, db, family, clock):
    browser = signed_in(client, family)
    use_zone(client, family["parent"], clock.zone)
    window = {"start": "11:00", "end": "13:15"}  # around the pinned noon, on the family's clock
    limits(client, family, school_day_bedtime=window, weekend_bedtime=window)
    page = browser.get(f"/kids/{family['emma']['id']}/launcher").text
    assert "bedtime, Emma!" in page and "be back at 13:15" in page and "Sunny Days" not in page


def test_the_web_launcher_logs_its_own_viewing_time(client, db, family, clock):
    browser = signed_in(client, family)
    use_zone(client, family["parent"], clock.zone)
    kid, show = family["emma"], family["show"]
    page = browser.get(f"/kids/{kid['id']}/titles/{show.id}").text
    assert f'data-usage-url="/kids/{kid["id"]}/usage"' in page and f'data-app-id="{show.id}"' in page
    form = {
        "app_id": str(show.id),
        "app_name": "Sunny Days",
        "seconds": "900",
        "csrf_token": csrf(browser, f"/kids/{kid['id']}/launcher"),
    }
    assert browser.post(f"/kids/{kid['id']}/usage", data=form).status_code == 204
    assert browser.post(f"/kids/{kid['id']}/usage", data=form).status_code == 204  # a retry counts once
    row = db.execute(select(usage_sessions)).one()
    assert (row.title_id, row.seconds) == (show.id, 900) and row.device_id is not None
    assert (row.started_at, row.ended_at) == (clock.now - timedelta(seconds=900), clock.now)  # the last 900 s
    stats = client.get(f"/api/parent/kids/{kid['id']}/usage", headers=auth(family["parent"])).json()
    assert sum(day["minutes"] for day in stats["days"]) == 15

    bad = browser.post(f"/kids/{kid['id']}/usage", data={**form, "seconds": "-5"}, follow_redirects=False)
    assert bad.status_code in (303, 400)
    nobody = TestClient(client.app)  # a browser no kid signed in on
    assert nobody.post(f"/kids/{kid['id']}/usage", data=form, follow_redirects=False).status_code != 204
    assert db.scalar(select(func.count()).select_from(usage_sessions)) == 1


def test_when_the_shows_come_back_in_kid_words():
    zone = ZoneInfo("Europe/London")
    friday_evening = datetime(2026, 11, 27, 18, 0, tzinfo=zone)
    weekend_off = Schedule(True, DayRules(60), DayRules(0))  # Friday's hour is used; no weekend watching
    assert date(2026, 11, 27).weekday() == 4
    assert _back_at(today(friday_evening, zone, weekend_off, 3600, 0), zone) == "on Monday"
    every_day = Schedule(True, DayRules(60), DayRules(60))
    assert _back_at(today(friday_evening, zone, every_day, 3600, 0), zone) == "tomorrow"
    bedtime = Schedule(True, DayRules(None, Bedtime(time(17), time(19, 30))), DayRules(None))
    assert _back_at(today(friday_evening, zone, bedtime, 0, 0), zone) == "at 19:30"
    never = Schedule(True, DayRules(0), DayRules(0))
    assert _back_at(today(friday_evening, zone, never, 0, 0), zone) == "another day"
