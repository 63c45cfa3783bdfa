"""Allows that end by themselves (issue 27) on the launcher: the title goes at the very second its
allow ends, with no job and no write (the ETag names the last end that has come); the rules
decide from then on; the cost of /api/apps stays what it was."""

from datetime import timedelta

import pytest
from sqlalchemy import text

from axolotly.launcher.service import rendered_launchers
from axolotly.models import KidProfileTitle
from axolotly.policies import until
from tests.support.api import auth, offline_title
from tests.support.launcher_families import (
    ALLOW_LIST,
    EMMA_RULES,
    made_title,
    set_rules,
    setup_family,
    setup_rules_family,
    shown,
)
from tests.support.pinned_days import SCHOOL_DAY
from tests.support.timed_allows import allow_until, logged_in


def launcher_version(db, kid_id: int) -> int:
    return db.scalar(text("SELECT launcher_version FROM kid_profiles WHERE id = :id"), {"id": kid_id})


def policy_rows(db, kid_id: int) -> int:
    return db.scalar(text("SELECT count(*) FROM kid_profiles_titles WHERE kid_profile_id = :id"), {"id": kid_id})


def test_the_launcher_drops_a_title_the_second_its_allow_ends_with_no_job_and_no_write(client, db, clock):
    parent, emma, _leo, _bluey, device, _row = setup_family(client, db)
    moana = offline_title(db, "Moana")
    end = clock.now + timedelta(hours=2)
    assert allow_until(client, parent, emma["id"], moana.id, end)["until"] is not None
    before = client.get("/api/apps", headers=device)
    assert set(shown(before)) == {"Bluey", "Moana"}
    version, rows = launcher_version(db, emma["id"]), policy_rows(db, emma["id"])

    clock.shift(timedelta(hours=2) - timedelta(seconds=1))
    asked = {**device, "If-None-Match": before.headers["ETag"]}
    assert client.get("/api/apps", headers=asked).status_code == 304, "a second before the end"

    clock.shift(timedelta(seconds=1))  # the end itself: `allowed_until <= now` has ended
    after = client.get("/api/apps", headers=asked)
    assert after.status_code == 200 and set(shown(after)) == {"Bluey"}
    assert after.headers["ETag"] != before.headers["ETag"]
    # Nothing wrote: no job ran, the kid's launcher version stands, the ended row is still there.
    assert launcher_version(db, emma["id"]) == version and policy_rows(db, emma["id"]) == rows
    # The new tag is stable, and the gzip tag of the same content answers too.
    assert client.get("/api/apps", headers={**device, "If-None-Match": after.headers["ETag"]}).status_code == 304
    packed = client.get("/api/apps", headers={**device, "Accept-Encoding": "gzip"})
    assert client.get("/api/apps", headers={**device, "If-None-Match": packed.headers["ETag"]}).status_code == 304


def test_a_kid_without_allows_for_a_while_keeps_the_etag_it_always_had(client, db):
    parent, emma, _leo, _bluey, device, _row = setup_family(client, db)
    tag = client.get("/api/apps", headers={**device, "Accept-Encoding": "identity"}).headers["ETag"]
    assert tag == f'"2-k{emma["id"]}-v{launcher_version(db, emma["id"])}"'


@pytest.mark.parametrize("clock", [SCHOOL_DAY], indirect=True)
def test_after_the_end_the_rules_decide_and_the_job_changes_nothing_a_kid_sees(client, db, clock):
    parent, emma, _leo, device = setup_rules_family(client, db)  # Emma: PG movies at most
    above = made_title(db, "PG-13 Film", "movie", "PG-13")
    outside = made_title(db, "G Film Outside The Library", "movie", "G")
    end = clock.now + timedelta(minutes=10)
    for title in (above, outside):
        allow_until(client, parent, emma["id"], title.id, end)
    assert set(shown(client.get("/api/apps", headers=device))) == {"PG-13 Film", "G Film Outside The Library"}

    clock.shift(timedelta(minutes=11))
    ended = client.get("/api/apps", headers=device)
    # Above Emma's cap: gone. Within her rules: still there, in the library through its ended allow.
    assert set(shown(ended)) == {"G Film Outside The Library"}
    explained = client.get(f"/api/parent/kids/{emma['id']}/titles/{above.id}/explain", headers=auth(parent)).json()
    assert explained["reason"] == "above_limit" and "Allowed" not in explained["explanation"]

    assert until.end_allows(db, clock.now) == 2
    db.flush()
    after_job = client.get("/api/apps", headers={**device, "If-None-Match": ended.headers["ETag"]})
    assert after_job.status_code == 200, "the job's delete bumps the version: one more 200"
    assert shown(after_job) == shown(ended)


def test_a_new_allow_for_good_over_an_ended_one_shows_again(client, db, clock):
    parent, emma, _leo, _bluey, device, _row = setup_family(client, db)
    moana = offline_title(db, "Moana")
    allow_until(client, parent, emma["id"], moana.id, clock.now + timedelta(minutes=5))
    clock.shift(timedelta(minutes=6))
    assert "Moana" not in shown(client.get("/api/apps", headers=device))
    again = client.put(
        f"/api/parent/kids/{emma['id']}/policies/{moana.id}", json={"policy": "allow"}, headers=auth(parent)
    )
    assert again.status_code == 200 and again.json()["until"] is None
    assert "Moana" in shown(client.get("/api/apps", headers=device))


@pytest.mark.parametrize("clock", [SCHOOL_DAY], indirect=True)
def test_apps_with_timed_allows_costs_2_statements_and_1_on_304_without_a_write(
    client, db, clock, count_statements, monkeypatch
):
    monkeypatch.setattr(rendered_launchers, "max_entries", 0)  # every 200 builds the launcher in SQL
    parent, emma, _leo, device = setup_rules_family(client, db)
    set_rules(db, emma["id"], **EMMA_RULES)
    titles = [made_title(db, f"Film {n}", "movie", "PG-13") for n in range(6)]
    for n, title in enumerate(titles):  # three ended (rows the job has not removed yet), three pending
        db.add(
            KidProfileTitle(
                kid_profile_id=emma["id"],
                title_id=title.id,
                policy="allow",
                allowed_until=clock.now + timedelta(hours=n - 3 if n < 3 else n),
            )
        )
    db.flush()
    client.get("/api/apps", headers=device)  # first call may touch last_active
    count_statements.statements.clear()
    response = client.get("/api/apps", headers=device)
    assert set(shown(response)) == {"Film 3", "Film 4", "Film 5"}
    assert "-e" in response.headers["ETag"]
    assert count_statements.count <= 2, count_statements.statements
    assert not [s for s in count_statements.statements if not s.lstrip().upper().startswith(("SELECT", "WITH"))]
    count_statements.statements.clear()
    assert client.get("/api/apps", headers={**device, "If-None-Match": response.headers["ETag"]}).status_code == 304
    assert count_statements.count == 1
    touched = db.scalar(text("SELECT last_active FROM devices WHERE device_id = :d"), {"d": device["X-Device-ID"]})
    client.get("/api/apps", headers={**device, "If-None-Match": response.headers["ETag"]})
    assert (
        db.scalar(text("SELECT last_active FROM devices WHERE device_id = :d"), {"d": device["X-Device-ID"]}) == touched
    ), "no write per 304"


def test_an_allow_list_kid_s_ended_allow_is_hidden_again(client, db, clock):
    parent, emma, _leo, _bluey, device, _row = setup_family(client, db)
    set_rules(db, emma["id"], **ALLOW_LIST)
    moana = offline_title(db, "Moana")
    allow_until(client, parent, emma["id"], moana.id, clock.now + timedelta(days=3))
    stats = client.get("/api/stats", headers=device).json()
    assert stats["totalAppsEnabled"] == 2
    clock.shift(timedelta(days=3))
    assert client.get("/api/stats", headers=device).json()["totalAppsEnabled"] == 1
    parent = logged_in(client, parent)  # the morning's token has expired
    explained = client.get(f"/api/parent/kids/{emma['id']}/titles/{moana.id}/explain", headers=auth(parent)).json()
    assert explained["reason"] == "no_policy"
