"""Screen time and usage through the API: the parent's settings and bonus time, the launcher's
time-limits / stats / usage-logs (both bodies), idempotent logs, bad input, other families.
What depends on the day runs on a pinned clock (`clock`: a school day, a weekend, a DST change)."""

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import func, select, text

from axolotly.models import AuditEvent, FamilyTitle, KidProfile, usage_sessions
from tests.support.api import add_kid, auth, offline_title, sign_up, use_zone
from tests.support.launcher_helpers import assign, device_row_id, pair_device
from tests.support.pinned_days import DST_CHANGE_DAY, SCHOOL_DAY, iso

UTC = UTC
SETTINGS = {
    "enabled": True,
    "school_day_limit_minutes": 90,
    "weekend_limit_minutes": 120,
    "school_day_bedtime": {"start": "19:30", "end": "07:00"},
    "weekend_bedtime": {"start": "20:30", "end": "08:00"},
}


@pytest.fixture
def family(client):
    parent = sign_up(client)
    kid = add_kid(client, parent, "Emma", age=None)
    device = pair_device(client, parent)
    assign(client, parent, device_row_id(client, parent, device), kid["id"])
    return parent, kid, device


def put_screen_time(client, parent, kid, body=SETTINGS):
    return client.put(f"/api/parent/kids/{kid['id']}/screen-time", json=body, headers=auth(parent))


def log(client, device, minutes=30, start=None, app_id="123", name="Bluey"):
    start = start or datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    return client.post(
        "/api/usage-logs",
        headers=device,
        json={
            "appId": app_id,
            "appName": name,
            "startTime": iso(start),
            "endTime": iso(start + timedelta(minutes=minutes)),
            "durationMinutes": minutes,
        },
    )


def stored_sessions(db) -> int:
    return db.scalar(select(func.count()).select_from(usage_sessions))


# -- settings -------------------------------------------------------------------------------------


def test_settings_round_trip_in_words_with_an_audit_entry(client, family, db):
    parent, kid, _ = family
    default = client.get(f"/api/parent/kids/{kid['id']}/screen-time", headers=auth(parent)).json()
    assert default["enabled"] is False and default["description"] == "No screen-time limits for Emma."
    response = put_screen_time(client, parent, kid)
    assert response.status_code == 200, response.text
    body = response.json()
    assert {key: body[key] for key in SETTINGS} == SETTINGS
    assert body["description"].startswith("On school days Emma may watch 1 h 30 min, not between 19:30 and 07:00.")
    assert body["today"]["time_zone"] == "UTC"
    assert (
        db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "screen_time_changed")) == 1
    )


@pytest.mark.parametrize(
    "change",
    [
        {"school_day_limit_minutes": 1441},
        {"school_day_limit_minutes": -1},
        {"school_day_bedtime": {"start": "24:00", "end": "07:00"}},
        {"school_day_bedtime": {"start": "7:00", "end": "8:00"}},
        {"weekend_bedtime": {"start": "20:00", "end": "20:00"}},
        {"weekend_bedtime": {"start": "20:00"}},
        {"enabled": "sometimes"},
        {"bedtime": "20:00"},
    ],
)
def test_bad_settings_are_refused_and_change_nothing(client, family, db, change):
    parent, kid, _ = family
    response = put_screen_time(client, parent, kid, {**SETTINGS, **change})
    assert response.status_code == 422 and response.json()["detail"]
    assert db.get(KidProfile, kid["id"]).screen_time_enabled is False


def test_another_familys_kid_is_not_found(client, family, db):
    parent, kid, _ = family
    stranger = sign_up(client)
    for method, path, body in (
        ("get", "screen-time", None),
        ("put", "screen-time", SETTINGS),
        ("post", "bonus-time", {"minutes": 30}),
        ("get", "usage", None),
    ):
        response = client.request(method, f"/api/parent/kids/{kid['id']}/{path}", json=body, headers=auth(stranger))
        assert response.status_code == 404, (path, response.text)
    assert db.get(KidProfile, kid["id"]).screen_time_enabled is False


def test_family_time_zone_is_validated(client, family, db):
    parent, _, _ = family
    assert client.get("/api/parent/family", headers=auth(parent)).json()["time_zone"] == "UTC"
    for bad in ("Mars/Olympus", "", "../../etc/passwd", "posixrules", "x" * 65):
        response = client.put("/api/parent/family", json={"time_zone": bad}, headers=auth(parent))
        assert response.status_code == 422, bad
    response = client.put(
        "/api/parent/family", json={"time_zone": "Europe/Berlin", "family_name": "Die Beispiels"}, headers=auth(parent)
    )
    assert response.json() == {"family_name": "Die Beispiels", "time_zone": "Europe/Berlin", "country": "US"}


# -- the launcher ---------------------------------------------------------------------------------


def test_time_limits_for_an_unassigned_device_are_all_null(client):
    parent = sign_up(client)
    add_kid(client, parent, "Emma")
    add_kid(client, parent, "Noah")
    device = pair_device(client, parent)  # two kids: nobody chosen yet
    body = client.get("/api/time-limits", headers=device).json()
    assert body["dailyLimitMinutes"] is None and body["bedtimeStart"] is None and body["bedtimeEnd"] is None
    assert body["scheduleEnabled"] is False
    assert client.get("/api/stats", headers=device).json() == {
        "totalAppsEnabled": 0,
        "timeUsedToday": 0,
        "timeRemainingToday": None,
        "mostUsedApp": None,
    }
    assert log(client, device).status_code == 404


def test_time_limits_follow_the_settings_and_bonus_time(client, family, db, clock):
    parent, kid, device = family
    use_zone(client, parent, clock.zone)
    body = client.get("/api/time-limits", headers=device).json()
    assert body == {
        "dailyLimitMinutes": None,
        "bedtimeStart": None,
        "bedtimeEnd": None,
        "scheduleEnabled": False,
        "timeZone": clock.zone,
        "allowedNow": True,
        "nextChangeAt": None,
        "reason": None,
        "episodeGraceMinutes": 0,
    }
    assert (
        client.post(f"/api/parent/kids/{kid['id']}/bonus-time", json={"minutes": 15}, headers=auth(parent)).status_code
        == 409
    )  # no limit: bonus would change nothing
    put_screen_time(client, parent, kid, {**SETTINGS, "school_day_limit_minutes": 60, "weekend_limit_minutes": 75})
    limits = client.get("/api/time-limits", headers=device).json()
    bedtime = SETTINGS["weekend_bedtime" if clock.is_weekend else "school_day_bedtime"]
    assert limits["scheduleEnabled"] is True and limits["dailyLimitMinutes"] == (75 if clock.is_weekend else 60)
    assert (limits["bedtimeStart"], limits["bedtimeEnd"]) == (bedtime["start"], bedtime["end"])
    # Bedtime at the family's wall-clock time: on the DST day Berlin's 20:30 is 18:30Z, not 19:30Z.
    assert limits["nextChangeAt"] == iso(clock.at(time.fromisoformat(bedtime["start"])))
    granted = client.post(f"/api/parent/kids/{kid['id']}/bonus-time", json={"minutes": 30}, headers=auth(parent))
    assert granted.status_code == 200 and granted.json()["today"]["bonus_minutes"] == 30
    client.post(f"/api/parent/kids/{kid['id']}/bonus-time", json={"minutes": 15}, headers=auth(parent))
    with_bonus = client.get("/api/time-limits", headers=device).json()
    assert with_bonus["dailyLimitMinutes"] == limits["dailyLimitMinutes"] + 45
    assert (
        client.post(f"/api/parent/kids/{kid['id']}/bonus-time", json={"minutes": 0}, headers=auth(parent)).status_code
        == 422
    )
    assert db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "bonus_time")) == 2


def test_time_limits_read_the_sessions_only_under_a_daily_limit(client, family, db, count_statements, clock):
    """The launcher polls /api/time-limits: without a limit today its answer cannot depend on time used."""
    parent, kid, device = family
    use_zone(client, parent, clock.zone)
    log(client, device, minutes=50)
    reads_sessions = lambda: any("usage_sessions" in statement for statement in count_statements.statements)  # noqa: E731
    count_statements.statements.clear()
    assert client.get("/api/time-limits", headers=device).json()["allowedNow"] is True
    assert not reads_sessions()
    put_screen_time(
        client,
        parent,
        kid,
        {
            **SETTINGS,
            "school_day_limit_minutes": 30,
            "weekend_limit_minutes": 30,
            "school_day_bedtime": None,
            "weekend_bedtime": None,
        },
    )
    count_statements.statements.clear()
    limits = client.get("/api/time-limits", headers=device).json()
    assert reads_sessions() and limits["allowedNow"] is False and limits["reason"] == "limit_reached"


def test_both_usage_bodies_are_stored_and_a_retry_counts_once(client, family, db, clock):
    parent, kid, device = family
    use_zone(client, parent, clock.zone)
    start = clock.now - timedelta(hours=2)
    assert log(client, device, 30, start).json() == {"success": True, "message": "Usage logged successfully"}
    assert log(client, device, 30, start).status_code == 200  # the same log again
    # The short body's timestamp is when the session ended: this one ran 10 minutes before it.
    second = {"app_id": "456", "duration_seconds": 600, "timestamp": iso(start + timedelta(minutes=40))}
    assert client.post("/api/usage-logs", json=second, headers=device).status_code == 200
    assert client.post("/api/usage-logs", json=second, headers=device).status_code == 200
    assert stored_sessions(db) == 2
    stats = client.get("/api/stats", headers=device).json()
    assert stats["timeUsedToday"] == 40
    assert stats["timeRemainingToday"] is None
    ends = db.execute(
        select(usage_sessions.c.started_at, usage_sessions.c.ended_at).where(usage_sessions.c.app_id == "456")
    ).one()
    assert tuple(ends) == (start + timedelta(minutes=30), start + timedelta(minutes=40))


def test_the_field_launchers_log_sent_as_the_kid_stops_is_the_session_before_it(client, family, db, clock):
    """Launcher contract 2.1: the field's launcher sends `Instant.now()` when the kid stops watching."""
    parent, kid, device = family
    use_zone(client, parent, clock.zone)
    put_screen_time(
        client,
        parent,
        kid,
        {
            **SETTINGS,
            "school_day_limit_minutes": 60,
            "weekend_limit_minutes": 60,
            "school_day_bedtime": None,
            "weekend_bedtime": None,
        },
    )
    clock.shift(timedelta(milliseconds=250))
    sent = clock.now
    as_java_sends_it = sent.isoformat(timespec="milliseconds").replace("+00:00", "Z")  # Instant.toString()
    body = {"app_id": "123", "duration_seconds": 1800, "timestamp": as_java_sends_it}
    response = client.post("/api/usage-logs", json=body, headers=device)
    assert (response.status_code, response.json()) == (200, {"success": True, "message": "Usage logged successfully"})
    assert client.post("/api/usage-logs", json=body, headers=device).status_code == 200  # a retry counts once
    session = db.execute(select(usage_sessions.c.started_at, usage_sessions.c.ended_at, usage_sessions.c.seconds)).one()
    assert tuple(session) == (sent - timedelta(seconds=1800), sent, 1800)
    stats = client.get("/api/stats", headers=device).json()
    assert (stats["timeUsedToday"], stats["timeRemainingToday"]) == (30, 30)


def test_todays_time_counts_from_the_familys_midnight_even_on_a_dst_day(client, family, db, clock):
    """A session from 23:00 yesterday to 03:00 on the family's clock counts its part after midnight:
    three hours, but two on the day Berlin's clocks skip from 02:00 to 03:00."""
    parent, kid, device = family
    use_zone(client, parent, clock.zone)
    put_screen_time(
        client,
        parent,
        kid,
        {
            **SETTINGS,
            "school_day_limit_minutes": 240,
            "weekend_limit_minutes": 240,
            "school_day_bedtime": None,
            "weekend_bedtime": None,
        },
    )
    yesterday = clock.today - timedelta(days=1)
    start, end = clock.at(time(23), yesterday), clock.at(time(3))
    assert (
        client.post(
            "/api/usage-logs", headers=device, json={"appId": "7", "startTime": iso(start), "endTime": iso(end)}
        ).status_code
        == 200
    )
    counted = 120 if clock.day is DST_CHANGE_DAY else 180
    stats = client.get("/api/stats", headers=device).json()
    assert (stats["timeUsedToday"], stats["timeRemainingToday"]) == (counted, 240 - counted)


def test_stats_count_the_titles_of_the_launcher_this_process_rendered(client, family, db, count_statements):
    parent, kid, device = family
    moana, bluey = offline_title(db, "Moana"), offline_title(db, "Bluey")
    client.put(f"/api/parent/kids/{kid['id']}/policies/{moana.id}", json={"policy": "allow"}, headers=auth(parent))
    shown = client.get("/api/apps", headers=device).json()  # rendered and kept for this launcher version
    assert shown
    count_statements.statements.clear()
    assert client.get("/api/stats", headers=device).json()["totalAppsEnabled"] == 1
    assert not [statement for statement in count_statements.statements if "WITH registry" in statement]
    # A new version (a parent's change) is not in the cache yet: the count is built, and current.
    client.put(f"/api/parent/kids/{kid['id']}/policies/{bluey.id}", json={"policy": "allow"}, headers=auth(parent))
    assert client.get("/api/stats", headers=device).json()["totalAppsEnabled"] == 2


def test_stats_sum_the_kids_day_across_devices_and_name_the_most_watched_title(client, family, db, clock):
    parent, kid, device = family
    tablet = pair_device(client, parent)
    assign(client, parent, device_row_id(client, parent, tablet), kid["id"])
    bluey = offline_title(db, "Bluey")
    db.add(FamilyTitle(family_id=parent["id"], title_id=bluey.id))
    db.flush()
    put_screen_time(
        client,
        parent,
        kid,
        {
            **SETTINGS,
            "school_day_limit_minutes": 100,
            "weekend_limit_minutes": 100,
            "school_day_bedtime": None,
            "weekend_bedtime": None,
        },
    )
    use_zone(client, parent, clock.zone)
    first = clock.now - timedelta(minutes=50)
    log(client, device, 10, first, app_id=str(bluey.id), name="")
    log(client, tablet, 10, first, app_id=str(bluey.id), name="")  # another device, same minute: its own session
    log(client, tablet, 5, first + timedelta(minutes=12), app_id="com.example.game", name="A game")
    stats = client.get("/api/stats", headers=device).json()
    assert stats["timeUsedToday"] == 25 and stats["timeRemainingToday"] == 75
    assert stats["mostUsedApp"] == "Bluey"  # named from the catalog: the log sent no name
    assert client.get("/api/stats", headers=tablet).json() == stats


def test_a_log_never_names_another_familys_title(client, family, db):
    parent, kid, device = family
    other = sign_up(client)
    peppa = offline_title(db, "Peppa Pig")
    db.add(FamilyTitle(family_id=other["id"], title_id=peppa.id))  # in the other family's library only
    db.flush()
    log(client, device, 5, app_id=str(peppa.id), name="Something")
    assert db.scalar(select(usage_sessions.c.title_id)) is None


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"appName": "Bluey"},
        {"appId": "1", "startTime": "2025-01-01T10:00:00Z"},
        {"appId": "1", "startTime": "yesterday", "endTime": "2025-01-01T10:00:00Z"},
        {"app_id": "1", "timestamp": "2025-01-01T10:00:00Z"},
        {"app_id": "1", "duration_seconds": 60},
        {"app_id": "", "duration_seconds": 60, "timestamp": "{recent}"},
        {"app_id": "x" * 65, "duration_seconds": 60, "timestamp": "{recent}"},
        {"app_id": "1", "duration_seconds": -1, "timestamp": "{recent}"},
        {"app_id": "1", "duration_seconds": 86401, "timestamp": "{recent}"},
        {"app_id": "1", "duration_seconds": 60, "timestamp": "{future}"},
        {"app_id": "1", "duration_seconds": 60, "timestamp": "{ancient}"},
        {"appId": "1", "startTime": "{recent}", "endTime": "{before}"},
        {"appId": "1", "startTime": "{recent}", "durationMinutes": "many"},
        {"appId": "1\u0000", "startTime": "{recent}", "durationMinutes": 1},
    ],
)
def test_bad_logs_are_400_and_store_nothing(client, family, db, body):
    _, _, device = family
    now = datetime.now(UTC)
    values = {
        "{recent}": iso(now - timedelta(hours=1)),
        "{future}": iso(now + timedelta(hours=1)),
        "{ancient}": iso(now - timedelta(days=45)),
        "{before}": iso(now - timedelta(hours=2)),
    }
    body = {key: values.get(value, value) if isinstance(value, str) else value for key, value in body.items()}
    response = client.post("/api/usage-logs", json=body, headers=device)
    assert response.status_code == 400, response.text
    assert isinstance(response.json()["detail"], str)
    assert stored_sessions(db) == 0


def test_parent_usage_report_per_day_and_title(client, family, db, clock):
    parent, kid, device = family
    use_zone(client, parent, clock.zone)
    now = clock.now
    log(client, device, 20, now - timedelta(days=2), app_id="77", name="Tubi movie")
    log(client, device, 10, now - timedelta(days=2, hours=1), app_id="77", name="Tubi movie")
    report = client.get(f"/api/parent/kids/{kid['id']}/usage", headers=auth(parent)).json()
    assert report["time_zone"] == clock.zone and len(report["days"]) == 7
    assert report["days"][-1]["day"] == clock.today.isoformat()
    watched = [day for day in report["days"] if day["minutes"]]
    assert [day["day"] for day in watched] == [(clock.today - timedelta(days=2)).isoformat()]
    assert sum(day["minutes"] for day in watched) == 30
    assert sum(day["sessions"] for day in watched) == 2
    assert watched[0]["titles"][0]["name"] == "Tubi movie"
    bad = client.get(f"/api/parent/kids/{kid['id']}/usage?from=2026-02-01&to=2026-01-01", headers=auth(parent))
    assert bad.status_code == 422
    assert (
        client.get(
            f"/api/parent/kids/{kid['id']}/usage?from=2020-01-01&to=2026-01-01", headers=auth(parent)
        ).status_code
        == 422
    )
    assert client.get(f"/api/parent/kids/{kid['id']}/usage?from=soon", headers=auth(parent)).status_code == 422


def test_deleting_a_kid_takes_their_history(client, family, db):
    parent, kid, device = family
    log(client, device, 5)
    assert client.delete(f"/api/parent/kids/{kid['id']}", headers=auth(parent)).status_code == 204
    assert stored_sessions(db) == 0
    assert db.scalar(text("SELECT count(*) FROM usage_daily")) == 0


# -- what a review found ---------------------------------------------------------------------------


def test_a_far_future_or_ancient_date_is_a_400_not_a_crash(client, family, db):
    _, kid, device = family
    for body in (
        {"app_id": "1", "duration_seconds": 3600, "timestamp": "9999-12-31T23:30:00Z"},
        {"app_id": "1", "duration_seconds": 3600, "timestamp": "0001-01-01T00:10:00Z"},
        {"appId": "1", "startTime": "9999-12-31T23:30:00Z", "durationMinutes": 60},
        {"appId": "1", "startTime": "0001-01-01T00:00:00Z", "endTime": "0001-01-01T00:10:00Z"},
    ):
        assert client.post("/api/usage-logs", json=body, headers=device).status_code == 400, body
    parent = family[0]
    assert client.get(f"/api/parent/kids/{kid['id']}/usage?to=0001-01-03", headers=auth(parent)).status_code == 422
    assert stored_sessions(db) == 0


def test_a_long_title_name_is_cut_to_fit_never_refused(client, family, db):
    parent, kid, device = family
    title = offline_title(db, "Bluey")
    title.title = "B" * 300
    db.add(FamilyTitle(family_id=parent["id"], title_id=title.id))
    db.flush()
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    response = client.post(
        "/api/usage-logs",
        headers=device,
        json={"app_id": str(title.id), "duration_seconds": 60, "timestamp": iso(start)},
    )
    assert response.status_code == 200
    assert db.scalar(select(usage_sessions.c.app_name)) == "B" * 200


def test_a_session_resent_longer_grows_and_the_rollup_follows(client, family, db, clock):
    parent, kid, device = family
    use_zone(client, parent, clock.zone)
    start = clock.now - timedelta(hours=1)
    for seconds in (60, 1800, 600):  # a launcher reporting as it goes (same start), then a stale retry
        body = {"app_id": "9", "duration_seconds": seconds, "timestamp": iso(start + timedelta(seconds=seconds))}
        assert client.post("/api/usage-logs", json=body, headers=device).status_code == 200
    assert db.execute(select(usage_sessions.c.seconds)).scalars().all() == [1800]
    assert db.scalar(text("SELECT sum(seconds) FROM usage_daily")) == 1800
    assert db.scalar(text("SELECT sum(sessions) FROM usage_daily")) == 1
    assert client.get("/api/stats", headers=device).json()["timeUsedToday"] == 30


def test_a_month_without_a_partition_is_a_503_and_stores_nothing(client, family, db):
    _, _, device = family
    now = datetime.now(UTC)
    db.execute(text(f"DROP TABLE usage_sessions_y{now:%Y}m{now:%m}"))  # rolled back with the test
    db.flush()
    response = log(client, device, 5, now.replace(microsecond=0) - timedelta(minutes=30))
    assert response.status_code == 503 and "Retry-After" in response.headers


@pytest.mark.parametrize("clock", [SCHOOL_DAY], indirect=True)  # its month's partition, for the rows below
def test_today_follows_the_familys_zone_now_even_after_a_change(client, family, db, clock):
    from axolotly.screen_time import service

    parent, kid, device = family
    put_screen_time(client, parent, kid, {**SETTINGS, "school_day_bedtime": None, "weekend_bedtime": None})
    # 22:00-22:45 UTC on a Wednesday: Wednesday in London, already Thursday in Auckland.
    start = datetime(2026, 11, 25, 22, 0, tzinfo=UTC)
    db.execute(
        usage_sessions.insert().values(
            kid_profile_id=kid["id"],
            device_id=None,
            app_id="5",
            app_name="Five",
            started_at=start,
            ended_at=start + timedelta(minutes=45),
            seconds=2700,
        )
    )
    db.flush()
    kid_row = db.get(KidProfile, kid["id"])
    now = datetime(2026, 11, 25, 23, 0, tzinfo=UTC)
    client.put("/api/parent/family", json={"time_zone": "Europe/London"}, headers=auth(parent))
    assert service.today_for(db, kid_row, now).used_seconds == 2700
    client.put("/api/parent/family", json={"time_zone": "Pacific/Auckland"}, headers=auth(parent))
    auckland = service.today_for(db, kid_row, now)
    assert auckland.day == datetime(2026, 11, 26).date() and auckland.used_seconds == 2700
    assert service.today_for(db, kid_row, now + timedelta(days=1)).used_seconds == 0
