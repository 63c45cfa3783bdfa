"""Each event's notice, as a parent meets it: by email through a real SMTP server, and in the in-app
list, for the owner and a co-parent alike (written in the event's own request)."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import update

from axolotly.models import FamilyTitle, KidProfile, User
from axolotly.notifications.delivery import message_id
from tests.notifications.conftest import PUBLIC_URL
from tests.support.api import PASSWORD, add_kid, auth, join, sign_up
from tests.support.factories import make_title
from tests.support.launcher_helpers import assign, device_row_id, pair_device
from tests.support.notices import deliver_pending, deliveries_of, events_listed, listed, mails_to
from tests.support.pinned_days import SCHOOL_DAY, iso


@pytest.fixture
def parents(client):
    """An owner with Emma (an 8-year-old in rules mode) and a co-parent; nobody told anything yet."""
    owner = sign_up(client)
    emma = add_kid(client, owner, "Emma")
    co_parent = join(client, owner)
    return owner, co_parent, emma


def told_both(client, db, inbox, parents, event: str):
    """Both parents have the notice in their list and one mail of it each (its delivery's
    Message-ID); returns the owner's mail."""
    owner, co_parent, _ = parents
    for parent in (owner, co_parent):
        assert event in events_listed(client, parent), event
    deliver_pending(db)
    mails = {}
    for notice in deliveries_of(db, event):
        db.refresh(notice)
        assert notice.status == "sent" and notice.sent_at is not None
        (mail,) = [m for m in inbox.messages if m["Message-ID"] == message_id(notice.id)]
        mails[mail["To"]] = mail
    assert set(mails) == {owner["email"], co_parent["email"]}
    assert mails[owner["email"]]["Subject"] == mails[co_parent["email"]]["Subject"]
    return mails[owner["email"]]


def test_a_kid_asking_for_a_title(client, db, inbox, parents):
    owner, _, emma = parents
    kid = db.get(KidProfile, emma["id"])
    kid.rules_mode, kid.max_movie_rating, kid.block_unrated = "rules", "PG", True
    jaws = make_title(db, title="Jaws", certification="PG-13", providers=["netflix"])
    db.add(FamilyTitle(family_id=owner["id"], title_id=jaws.id))
    device = pair_device(client, owner)
    assign(client, owner, device_row_id(client, owner, device), emma["id"])
    assert client.post("/api/requests", json={"title_id": jaws.id}, headers=device).status_code == 201

    mail = told_both(client, db, inbox, parents, "title_request")
    assert mail["Subject"] == "New request from Emma"
    assert "Emma asked to watch Jaws." in mail.get_content()
    assert f"{PUBLIC_URL}/family/requests" in mail.get_content()
    item = listed(client, owner)["items"][0]
    assert (item["title"], item["text"], item["link"], item["kid_id"]) == (
        "New request from Emma",
        "Emma asked to watch Jaws.",
        "/family/requests",
        emma["id"],
    )


def test_a_kids_pin_locking(client, db, inbox, parents):
    owner, _, emma = parents
    for _ in range(5):
        answer = client.post(f"/api/parent/kids/{emma['id']}/verify-pin", json={"pin": "0000"}, headers=auth(owner))
    assert answer.status_code == 429
    mail = told_both(client, db, inbox, parents, "pin_locked")
    assert mail["Subject"] == "PIN locked for Emma"
    assert "After 5 wrong PINs in the parent app, Emma is locked there for 15 minutes." in mail.get_content()


def test_a_device_paired(client, db, inbox, parents):
    owner, _, _ = parents
    pair_device(client, owner)
    mail = told_both(client, db, inbox, parents, "device_paired")
    assert mail["Subject"] == "A device was paired"
    assert "A new device was paired with your family." in mail.get_content()
    assert f"{PUBLIC_URL}/family/devices" in mail.get_content()


def test_a_three_step_pairing_confirmed_and_a_paired_device_pairing_again(client, db, inbox, parents):
    owner, co_parent, _ = parents
    device_id = "android-notices-1"
    client.post("/api/pairing/initiate", json={"device_id": device_id, "pairing_code": "424242"})
    assert events_listed(client, co_parent) == []  # not paired yet: nobody is told of a code on a screen
    assert (
        client.post("/api/parent/pairing/confirm", json={"pairing_code": "424242"}, headers=auth(co_parent)).status_code
        == 204
    )
    client.get(f"/api/pairing/status/{device_id}")
    assert events_listed(client, co_parent) == ["device_paired"]
    assert events_listed(client, owner)[0] == "device_paired"
    devices = client.get("/api/parent/devices", headers=auth(owner)).json()
    client.patch(f"/api/parent/devices/{devices[-1]['id']}", json={"friendly_name": "Hall tablet"}, headers=auth(owner))

    for code in ("616161", "717171"):  # the same pairing request, its code changed: one notice
        answer = client.post("/api/pairing/initiate", json={"device_id": device_id, "pairing_code": code})
        assert answer.status_code == 200
    assert events_listed(client, co_parent) == ["device_repairing", "device_paired"]
    deliver_pending(db)
    (repairing,) = [m for m in mails_to(inbox, owner["email"]) if m["Subject"] == "A device is pairing again"]
    assert "Hall tablet started pairing again" in repairing.get_content()
    assert len(mails_to(inbox, co_parent["email"])) == 2


def limited_and_watching(client, owner, kid) -> dict:
    """Emma may watch an hour a day; a device of hers, to log what she watches."""
    limits = {"enabled": True, "school_day_limit_minutes": 60, "weekend_limit_minutes": 60}
    assert client.put(f"/api/parent/kids/{kid['id']}/screen-time", json=limits, headers=auth(owner)).status_code == 200
    device = pair_device(client, owner)
    assign(client, owner, device_row_id(client, owner, device), kid["id"])
    return device


def watch(client, device, start: datetime, minutes: int) -> None:
    end = start + timedelta(minutes=minutes)
    body = {"appId": "7", "appName": "Bluey", "startTime": iso(start), "endTime": iso(end)}
    assert client.post("/api/usage-logs", json=body, headers=device).status_code == 200


@pytest.mark.parametrize("clock", [SCHOOL_DAY], indirect=True, ids=["school-day"])
def test_a_kid_reaching_the_days_limit_once_a_day(client, db, inbox, parents, clock):
    owner, _, emma = parents
    device = limited_and_watching(client, owner, emma)
    morning = clock.now.replace(microsecond=0) - timedelta(hours=3)
    watch(client, device, morning, 40)
    assert "limit_reached" not in events_listed(client, owner)
    watch(client, device, morning + timedelta(hours=1), 20)  # 60 of 60 minutes
    watch(client, device, morning + timedelta(hours=2), 10)  # more, the same day: told once
    assert events_listed(client, owner).count("limit_reached") == 1
    mail = told_both(client, db, inbox, parents, "limit_reached")
    assert mail["Subject"] == "Emma reached today's screen-time limit"
    assert "Emma has used up today's 1 h of screen time." in mail.get_content()
    assert listed(client, owner)["items"][0]["link"] == f"/family/kids/{emma['id']}/screen-time"


def test_co_parents_joining_and_leaving(client, db, inbox):
    owner = sign_up(client)
    first = join(client, owner)
    client.put("/api/parent/me/name", json={"display_name": "Sam"}, headers=auth(first))
    second = join(client, owner)
    assert events_listed(client, second) == []  # the one who joined knows
    assert events_listed(client, first) == ["co_parent_joined"]
    assert events_listed(client, owner) == ["co_parent_joined", "co_parent_joined"]

    assert client.delete(f"/api/parent/family/members/{first['id']}", headers=auth(first)).status_code == 204
    assert events_listed(client, first) == []  # what the family told them left with them
    assert events_listed(client, owner)[0] == "co_parent_left"
    assert listed(client, second)["items"][0]["title"] == "Sam is no longer a co-parent"
    assert listed(client, second)["items"][0]["text"] == "Sam left your family and no longer manages it."
    deliver_pending(db)
    assert [m["Subject"] for m in mails_to(inbox, first["email"])] == []
    assert "Sam is no longer a co-parent" in [m["Subject"] for m in mails_to(inbox, second["email"])]

    assert client.delete(f"/api/parent/family/members/{second['id']}", headers=auth(owner)).status_code == 204
    removed = listed(client, owner)["items"][0]
    assert removed["event"] == "co_parent_left" and "was removed from your family" in removed["text"]


@pytest.mark.parametrize("clock", [SCHOOL_DAY], indirect=True, ids=["school-day"])
def test_a_german_parent_reads_the_notice_in_german_by_mail_and_in_the_list(client, db, inbox, parents, clock):
    """The duration is written with words the catalogs hold already ("1 Std."): the reader's language."""
    owner, co_parent, emma = parents
    db.execute(update(User).where(User.id == co_parent["id"]).values(language="de"))
    device = limited_and_watching(client, owner, emma)
    watch(client, device, clock.now.replace(microsecond=0) - timedelta(hours=2), 60)
    deliver_pending(db)
    ids = {message_id(notice.id) for notice in deliveries_of(db, "limit_reached")}
    (german,) = [m for m in mails_to(inbox, co_parent["email"]) if m["Message-ID"] in ids]
    (english,) = [m for m in mails_to(inbox, owner["email"]) if m["Message-ID"] in ids]
    assert "1 Std." in german.get_content() and "1 h " in english.get_content()
    assert "1 Std." in listed(client, co_parent)["items"][0]["text"]
    assert "1 h" in listed(client, owner)["items"][0]["text"]


def test_a_co_parent_deleting_their_account_is_a_co_parent_leaving(client, db, inbox):
    owner = sign_up(client)
    co_parent = join(client, owner)
    deleted = client.request("DELETE", "/api/parent/me", json={"password": PASSWORD}, headers=auth(co_parent))
    assert deleted.status_code == 204, deleted.text
    assert events_listed(client, owner)[0] == "co_parent_left"
