"""Screen time as pages: one settings form in clear words, bonus buttons, the watch history with
its server-drawn chart; refused forms write nothing; another family's kid is not found. What
depends on the day runs on a pinned clock (`clock`: a school day, a weekend, a DST change)."""

from datetime import timedelta

from axolotly.models import KidProfile
from tests.support.api import add_kid, auth, use_zone
from tests.support.launcher_helpers import assign, device_row_id, pair_device
from tests.support.pages import csrf, logged_in_parent
from tests.support.pinned_days import iso

FORM = {
    "enabled": "1",
    "school_day_limit": "90",
    "weekend_limit": "",
    "school_day_bedtime_start": "19:30",
    "school_day_bedtime_end": "07:00",
    "weekend_bedtime_start": "",
    "weekend_bedtime_end": "",
}


def post_form(client, path, data, page):
    return client.post(
        path,
        data={**data, "csrf_token": csrf(client, page)},
        headers={"referer": f"http://testserver{page}"},
        follow_redirects=False,
    )


def test_settings_form_says_the_rules_in_words(client, db, clock):
    parent = logged_in_parent(client)
    use_zone(client, parent, clock.zone)
    kid = add_kid(client, parent, "Emma")
    page = f"/family/kids/{kid['id']}/screen-time"
    unlimited = client.get(page).text
    assert "No screen-time limits for Emma." in unlimited
    assert unlimited.count("No screen-time limits") == 1  # not again as "Today: No screen-time limits."
    response = post_form(client, page, FORM, page)
    assert response.status_code == 303
    text = client.get(page).text
    assert "On school days Emma may watch 1 h 30 min, not between 19:30 and 07:00." in text
    assert "On weekends Emma may watch as long as they like." in text
    assert f"Times are in {clock.zone}" in text and 'value="19:30"' in text
    assert ("+30 min" in text) == (not clock.is_weekend)  # bonus buttons only under a limit today
    post_form(client, page, {**FORM, "weekend_limit": "120"}, page)
    assert "+30 min" in client.get(page).text  # a limit every day now: bonus buttons on any day
    assert post_form(client, f"/family/kids/{kid['id']}/bonus-time", {"minutes": "30"}, page).status_code == 303
    assert db.get(KidProfile, kid["id"]).bonus_minutes == 30


def test_refused_forms_change_nothing(client, db):
    parent = logged_in_parent(client)
    kid = add_kid(client, parent, "Emma")
    page = f"/family/kids/{kid['id']}/screen-time"
    for bad in (
        {"school_day_limit": "lots"},
        {"school_day_limit": "2000"},
        {"school_day_bedtime_end": ""},
        {"weekend_bedtime_start": "20:00", "weekend_bedtime_end": "20:00"},
        {"school_day_bedtime_start": "25:00"},
    ):
        response = post_form(client, page, {**FORM, **bad}, page)
        assert response.status_code == 303 and response.headers["location"] == page
        assert db.get(KidProfile, kid["id"]).screen_time_enabled is False, bad


def test_watch_history_draws_fourteen_days_and_lists_titles(client, db, clock):
    parent = logged_in_parent(client)
    use_zone(client, parent, clock.zone)
    kid = add_kid(client, parent, "Emma")
    device = pair_device(client, parent)
    assign(client, parent, device_row_id(client, parent, device), kid["id"])
    noon_three_days_ago = clock.now - timedelta(days=3)
    assert (
        client.post(
            "/api/usage-logs",
            headers=device,
            json={  # the 45 minutes before noon
                "app_id": "999",
                "duration_seconds": 45 * 60,
                "timestamp": iso(noon_three_days_ago),
            },
        ).status_code
        == 200
    )
    assert (
        client.post(
            "/api/usage-logs",
            headers=device,
            json={
                "appId": "999",
                "appName": "<b>Space Cats</b>",
                "startTime": iso(noon_three_days_ago - timedelta(hours=2)),
                "endTime": iso(noon_three_days_ago - timedelta(hours=1, minutes=45)),
            },
        ).status_code
        == 200
    )
    text = client.get(f"/family/kids/{kid['id']}/history").text
    assert text.count('class="bar"') == 14 and 'role="img"' in text
    assert "&lt;b&gt;Space Cats&lt;/b&gt;" in text and "<b>Space" not in text  # names are escaped
    assert "1 h" in text and f"by day in {clock.zone}" in text


def test_another_familys_kid_pages_are_not_found(client, db):
    owner = logged_in_parent(client)
    kid = add_kid(client, owner, "Emma")
    client.cookies.clear()
    logged_in_parent(client)
    for path in (f"/family/kids/{kid['id']}/screen-time", f"/family/kids/{kid['id']}/history"):
        assert client.get(path).status_code == 404
    response = post_form(client, f"/family/kids/{kid['id']}/screen-time", FORM, "/")
    assert response.status_code in (303, 404)
    assert db.get(KidProfile, kid["id"]).screen_time_enabled is False


def test_home_page_shows_each_kids_time_left_today(client, db, clock):
    parent = logged_in_parent(client)
    use_zone(client, parent, clock.zone)
    emma, noah = add_kid(client, parent, "Emma"), add_kid(client, parent, "Noah")
    limits = {"enabled": True, "school_day_limit_minutes": 45, "weekend_limit_minutes": 45}
    client.put(f"/api/parent/kids/{emma['id']}/screen-time", json=limits, headers=auth(parent))
    device = pair_device(client, parent)
    assign(client, parent, device_row_id(client, parent, device), emma["id"])
    assert (
        client.post(
            "/api/usage-logs",
            headers=device,
            json={  # sent as Emma stops, after 15 minutes
                "app_id": "1",
                "duration_seconds": 15 * 60,
                "timestamp": iso(clock.now),
            },
        ).status_code
        == 200
    )
    home = client.get("/").text
    assert "30 min left today" in home
    assert "No screen-time limits" in home  # Noah
    assert f'href="/family/kids/{noah["id"]}/screen-time"' in home


def test_overview_says_each_kids_limits_once(client, clock):
    """The overview once said "Today: No screen-time limits." above "No screen-time limits for
    Emma.", and "Times are in UTC." above the footer's own line about the time zone."""
    parent = logged_in_parent(client)
    use_zone(client, parent, clock.zone)
    emma, leo = add_kid(client, parent, "Emma"), add_kid(client, parent, "Leo")
    page = f"/family/kids/{leo['id']}/screen-time"
    post_form(client, page, {**FORM, "weekend_limit": "120"}, page)
    text = client.get("/family/screen-time").text
    assert text.count("No screen-time limits") == 1 and "No screen-time limits for Emma." in text
    assert text.count("<strong>Today:</strong>") == 1  # Leo's, under a limit
    assert text.count(f"Times are shown in {clock.zone}") == 1 and "Times are in" not in text
    assert f"/family/kids/{emma['id']}/screen-time" in text
