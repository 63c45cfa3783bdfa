"""The episode grace as a setting ("Let the episode finish"): the parent's screen-time API and page
take 0 to 30 minutes (anything else is refused and writes nothing), say it in words and in the
activity trail; `/api/time-limits` tells launchers `episodeGraceMinutes`, and a held poll wakes
when it changes (the kid's "t<kid>" notification, sent by the column's trigger on commit)."""

from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from axolotly.launcher.live import CHANNEL, time_key
from axolotly.models import AuditEvent, KidProfile, User
from tests.support.api import add_kid, auth, sign_up
from tests.support.factories import make_family, make_kid
from tests.support.launcher_helpers import assign, device_row_id, pair_device
from tests.support.pages import csrf, logged_in_parent
from tests.support.pg import libpq_url
from tests.support.processes import wait_for

LIMITS = {"enabled": True, "school_day_limit_minutes": 60, "weekend_limit_minutes": 90}


@pytest.fixture
def family(client):
    parent = sign_up(client)
    kid = add_kid(client, parent, "Emma", age=None)
    device = pair_device(client, parent)
    assign(client, parent, device_row_id(client, parent, device), kid["id"])
    return parent, kid, device


def put(client, parent, kid, body):
    return client.put(f"/api/parent/kids/{kid['id']}/screen-time", json=body, headers=auth(parent))


def trail(db) -> list[str]:
    return db.scalars(
        select(AuditEvent.summary).where(AuditEvent.action == "screen_time_changed").order_by(AuditEvent.id)
    ).all()


@pytest.mark.parametrize("minutes", [0, 1, 15, 30])
def test_a_grace_of_0_to_30_minutes_is_kept_and_told(client, family, db, minutes):
    parent, kid, _ = family
    response = put(client, parent, kid, {**LIMITS, "episode_grace_minutes": minutes})
    assert response.status_code == 200, response.text
    assert response.json()["episode_grace_minutes"] == minutes
    assert (
        client.get(f"/api/parent/kids/{kid['id']}/screen-time", headers=auth(parent)).json()["episode_grace_minutes"]
        == minutes
    )
    assert db.get(KidProfile, kid["id"]).episode_grace_minutes == minutes


def test_the_grace_is_said_in_words_and_in_the_trail(client, family, db):
    parent, kid, _ = family
    body = put(client, parent, kid, {**LIMITS, "episode_grace_minutes": 15}).json()
    sentence = (
        "When time is up or bedtime comes, an episode Emma already started may play to its end, "
        "for at most 15 minutes more."
    )
    assert body["description"].endswith(sentence)
    assert trail(db)[-1].endswith(sentence)
    put(client, parent, kid, {**LIMITS, "episode_grace_minutes": 0})  # only the grace changed: a line too
    assert len(trail(db)) == 2 and "episode" not in trail(db)[-1]


def test_a_client_that_leaves_the_grace_out_keeps_it(client, family, db):
    parent, kid, _ = family
    put(client, parent, kid, {**LIMITS, "episode_grace_minutes": 20})
    for body in (LIMITS, {**LIMITS, "episode_grace_minutes": None}):
        assert put(client, parent, kid, body).json()["episode_grace_minutes"] == 20
    assert (
        client.get(f"/api/parent/kids/{kid['id']}/screen-time", headers=auth(parent)).json()["episode_grace_minutes"]
        == 20
    )


@pytest.mark.parametrize("bad", [31, -1, "x", 1.5, 10**20, "", [15], True, "10"])
def test_a_bad_grace_is_a_422_that_writes_nothing(client, family, db, bad):
    parent, kid, _ = family
    response = put(client, parent, kid, {**LIMITS, "episode_grace_minutes": bad})
    assert response.status_code == 422 and response.json()["detail"]
    row = db.get(KidProfile, kid["id"])
    assert (row.episode_grace_minutes, row.screen_time_enabled) == (0, False)
    assert trail(db) == []


def test_another_familys_kid_is_not_found(client, family, db):
    _, kid, _ = family
    stranger = sign_up(client)
    response = put(client, stranger, kid, {**LIMITS, "episode_grace_minutes": 15})
    assert response.status_code == 404
    assert db.get(KidProfile, kid["id"]).episode_grace_minutes == 0


# -- the launcher -----------------------------------------------------------------------------------


def test_time_limits_tell_launchers_the_grace(client, family):
    parent, kid, device = family
    assert client.get("/api/time-limits", headers=device).json()["episodeGraceMinutes"] == 0
    put(client, parent, kid, {**LIMITS, "episode_grace_minutes": 15})
    limits = client.get("/api/time-limits", headers=device).json()
    assert limits["episodeGraceMinutes"] == 15 and isinstance(limits["episodeGraceMinutes"], int)
    unassigned = pair_device(client, sign_up(client))
    assert client.get("/api/time-limits", headers=unassigned).json()["episodeGraceMinutes"] == 0


def test_a_held_time_limits_poll_wakes_when_the_grace_changes(app, client, family):
    parent, kid, device = family
    first = client.get("/api/time-limits", headers=device)
    with TestClient(app) as holder, ThreadPoolExecutor(1) as pool:  # its own loop: app.state.changes
        changes = app.state.changes
        held = pool.submit(
            holder.get,
            "/api/time-limits",
            headers={**device, "If-None-Match": first.headers["ETag"], "Prefer": "wait=30"},
        )
        wait_for(lambda: changes.held > 0 or held.done(), timeout=30)
        assert not held.done(), held.result().text
        put(client, parent, kid, {**LIMITS, "episode_grace_minutes": 10})
        holder.portal.call(changes.changed, time_key(kid["id"]))  # the trigger's NOTIFY on commit, below
        answer = held.result(timeout=20)
    assert answer.status_code == 200 and answer.headers["ETag"] != first.headers["ETag"]
    assert answer.json()["episodeGraceMinutes"] == 10


def test_changing_the_grace_notifies_the_kids_time_key_on_commit(engine, committed, database_url):
    with Session(engine) as db, db.begin():
        family = make_family(db)
        kid = make_kid(db, family)
        committed.append((User, family.id))
        kid_id = kid.id
    with psycopg.connect(libpq_url(database_url), autocommit=True) as listener:
        listener.execute(f"LISTEN {CHANNEL}")
        with psycopg.connect(libpq_url(database_url), autocommit=True) as writer:
            writer.execute("UPDATE kid_profiles SET episode_grace_minutes = 15 WHERE id = %s", (kid_id,))
        heard = [note.payload for note in listener.notifies(timeout=5, stop_after=1)]
    assert heard == [time_key(kid_id)]


# -- the parent's page ------------------------------------------------------------------------------

FORM = {"enabled": "1", "school_day_limit": "60", "weekend_limit": "90"}


def post_form(client, kid, data):
    page = f"/family/kids/{kid['id']}/screen-time"
    return client.post(
        page,
        data={**data, "csrf_token": csrf(client, page)},
        headers={"referer": f"http://testserver{page}"},
        follow_redirects=False,
    )


def test_the_screen_time_page_offers_let_the_episode_finish(client, db):
    parent = logged_in_parent(client)
    kid = add_kid(client, parent, "Emma")
    page = client.get(f"/family/kids/{kid['id']}/screen-time").text
    assert "Let the episode finish" in page
    assert "an episode that already started may play to its end, for at most this many minutes more." in page
    assert 'name="episode_grace" value="0" checked' in page and "up to 30 minutes" in page
    assert post_form(client, kid, {**FORM, "episode_grace": "15"}).status_code == 303
    assert db.get(KidProfile, kid["id"]).episode_grace_minutes == 15
    page = client.get(f"/family/kids/{kid['id']}/screen-time").text
    assert 'name="episode_grace" value="15" checked' in page
    assert "for at most 15 minutes more." in page  # the settings in words
    assert post_form(client, kid, FORM).status_code == 303  # a form without the choice keeps it
    assert db.get(KidProfile, kid["id"]).episode_grace_minutes == 15


def test_a_grace_set_through_the_api_stays_a_choice_on_the_page(client, db):
    parent = logged_in_parent(client)
    kid = add_kid(client, parent, "Emma")
    put(client, parent, kid, {**LIMITS, "episode_grace_minutes": 7})
    page = client.get(f"/family/kids/{kid['id']}/screen-time").text
    assert 'name="episode_grace" value="7" checked' in page and "up to 7 minutes" in page


@pytest.mark.parametrize("bad", ["31", "-1", "x", "１５", "999999999999999999999"])
def test_a_bad_grace_on_the_page_is_refused_and_writes_nothing(client, db, bad):
    parent = logged_in_parent(client)
    kid = add_kid(client, parent, "Emma")
    response = post_form(client, kid, {**FORM, "episode_grace": bad})
    assert response.status_code == 303 and response.headers["location"] == f"/family/kids/{kid['id']}/screen-time"
    row = db.get(KidProfile, kid["id"])
    assert (row.episode_grace_minutes, row.screen_time_enabled) == (0, False)
    assert (
        db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "screen_time_changed")) == 0
    )
