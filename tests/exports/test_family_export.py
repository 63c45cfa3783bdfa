"""A family's data to take away: the zip a parent downloads holds every file the README names, each
equal to what the database holds for the family and nothing of another family, and no secret."""

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from axolotly.exports.family_export import snapshot_of
from axolotly.families.streaming import set_selection
from axolotly.i18n import translations
from axolotly.models import (
    AuditEvent,
    Device,
    Episode,
    FamilyInvitation,
    KidProfile,
    KidProfileTitle,
    TimeRequest,
    TitleRequest,
    User,
)
from tests.support.api import add_kid, auth, episode_ids, invite, join, offline_title, sign_up, use_zone
from tests.support.exports import EXPORT_FILES, csv_rows, unzipped
from tests.support.pinned_days import SCHOOL_DAY

# Dates in the files and the file name are the family's: these tests run on a pinned school day.
on_a_school_day = pytest.mark.parametrize("clock", [SCHOOL_DAY], indirect=True, ids=["school-day"])


@dataclass
class Family:
    owner: dict
    co_parent: dict
    emma: KidProfile
    leo: KidProfile
    secrets: list[bytes]  # what must never be in the zip


def in_zone(moment: datetime | None, zone: str) -> str | None:
    return None if moment is None else moment.astimezone(ZoneInfo(zone)).isoformat()


def log_usage(db, kid_id: int, device_id: int | None, title_id: int | None, app: str, start: datetime, seconds: int):
    db.execute(
        text(
            "INSERT INTO usage_sessions (kid_profile_id, device_id, title_id, app_id, app_name, started_at, ended_at,"
            " seconds) VALUES (:kid, :device, :title, :app, :name, :start, :start + make_interval(secs => :s), :s)"
        ),
        {
            "kid": kid_id,
            "device": device_id,
            "title": title_id,
            "app": app,
            "name": app.title(),
            "start": start,
            "s": seconds,
        },
    )


def device_of(db, family_id: int, kid: KidProfile | None, name: str) -> Device:
    device = Device(
        device_id=f"android-{os.urandom(4).hex()}",
        family_id=family_id,
        kid_profile_id=kid.id if kid else None,
        friendly_name=name,
        api_key_digest=os.urandom(32),
        legacy_key_sha256=os.urandom(32),
        fcm_token=f"fcm-{os.urandom(16).hex()}",
        device_model="Shield",
        device_manufacturer="NVIDIA",
        app_version="2.3.0",
        app_version_code=230,
        any_kid=kid is None,
    )
    db.add(device)
    db.flush()
    return device


def a_family_with_everything(client, db, clock) -> Family:
    owner = sign_up(client)
    use_zone(client, owner, clock.zone)
    co_parent = join(client, owner)
    open_invitation = invite(client, owner)["token"]
    emma, leo = (db.get_one(KidProfile, add_kid(client, owner, name)["id"]) for name in ("Emma", "Leo"))
    bluey, frozen, moana = (offline_title(db, name) for name in ("Bluey", "Frozen", "Moana"))
    for title in (bluey, frozen, moana):
        assert client.put(f"/api/parent/library/{title.id}", headers=auth(owner)).status_code in (200, 201)
    for kid, title, policy in ((emma, bluey, "allow"), (leo, frozen, "allow"), (leo, moana, "deny")):
        url = f"/api/parent/kids/{kid.id}/policies/{title.id}"
        assert client.put(url, json={"policy": policy}, headers=auth(owner)).status_code == 200
    blocked = client.put(
        f"/api/parent/kids/{emma.id}/policies/{bluey.id}/blocked-episodes",
        json={"episode_ids": episode_ids(db, bluey.id)[:2]},
        headers=auth(owner),
    )
    assert blocked.status_code == 200, blocked.text
    db.execute(
        update(KidProfileTitle)
        .where(KidProfileTitle.kid_profile_id == leo.id, KidProfileTitle.title_id == frozen.id)
        .values(allowed_until=clock.now + timedelta(days=3))
    )
    # An allow that ended an hour ago, its row not yet removed by the job: no rule any more.
    db.add(
        KidProfileTitle(
            kid_profile_id=emma.id, title_id=moana.id, policy="allow", allowed_until=clock.now - timedelta(hours=1)
        )
    )
    rules = {"mode": "rules", "max_movie_rating": "PG", "max_tv_rating": "TV-Y7", "blocked_tags": []}
    assert client.put(f"/api/parent/kids/{emma.id}/rules", json=rules, headers=auth(owner)).status_code == 200
    db.refresh(emma)
    emma.screen_time_enabled, emma.school_day_limit_minutes, emma.weekend_limit_minutes = True, 60, 120
    emma.school_day_bedtime_start, emma.school_day_bedtime_end = time(19, 30), time(7, 0)
    emma.episode_grace_minutes, emma.ask_list, emma.age = 10, True, 8
    emma.bonus_minutes, emma.bonus_day = 15, clock.today
    tv, tablet = device_of(db, owner["id"], emma, "Living room TV"), device_of(db, owner["id"], None, "Tablet")
    db.add_all(
        [
            TitleRequest(
                family_id=owner["id"],
                kid_profile_id=leo.id,
                title_id=moana.id,
                status="declined",
                note="Next year",
                answered_at=clock.now,
                answered_by=co_parent["id"],
            ),
            TitleRequest(family_id=owner["id"], kid_profile_id=emma.id, title_id=frozen.id),
            TimeRequest(
                family_id=owner["id"],
                kid_profile_id=emma.id,
                day=clock.today,
                status="granted",
                minutes=30,
                answered_at=clock.now,
                answered_by=owner["id"],
            ),
        ]
    )
    parent = db.get_one(User, owner["id"])
    parent.notifications_off = ["title_request.email"]
    parent.quiet_hours_start, parent.quiet_hours_end = time(21, 0), time(7, 0)
    set_selection(db, owner["id"], ["netflix", "disney_plus"])
    start = clock.now - timedelta(hours=3)
    log_usage(db, emma.id, tv.id, bluey.id, str(bluey.id), start, 1200)
    log_usage(db, leo.id, tablet.id, frozen.id, str(frozen.id), start + timedelta(minutes=5), 600)
    log_usage(db, emma.id, None, None, "com.example.drawing", start + timedelta(hours=1), 300)
    db.flush()
    hashes = db.scalars(select(User.password_hash).where(User.id.in_([owner["id"], co_parent["id"]])))
    digests = db.scalars(select(FamilyInvitation.token_digest).where(FamilyInvitation.family_id == owner["id"]))
    secrets = [*(h.encode() for h in hashes), emma.pin_hash.encode(), leo.pin_hash.encode()]
    secrets += [digest.encode() for digest in digests] + [open_invitation.encode()]
    for device in (tv, tablet):
        secrets += [device.api_key_digest, device.api_key_digest.hex().encode(), device.fcm_token.encode()]
        secrets += [device.legacy_key_sha256, device.legacy_key_sha256.hex().encode()]
    secrets.append(owner["Authorization"].split()[1].encode())
    return Family(owner, co_parent, emma, leo, secrets)


def another_family(client, db, clock) -> list[str]:
    """A second family with data of every kind; returns words only it has."""
    other = sign_up(client, email="zebedee@example.com")
    kid = db.get_one(KidProfile, add_kid(client, other, "Zoltan")["id"])
    title = offline_title(db, "Paddington 2")
    client.put(f"/api/parent/library/{title.id}", headers=auth(other))
    client.put(f"/api/parent/kids/{kid.id}/policies/{title.id}", json={"policy": "allow"}, headers=auth(other))
    device = device_of(db, other["id"], kid, "Zebedee's phone")
    db.add(TitleRequest(family_id=other["id"], kid_profile_id=kid.id, title_id=title.id))
    log_usage(db, kid.id, device.id, title.id, "com.zebedee.app", clock.now - timedelta(hours=2), 777)
    db.flush()
    return ["zebedee", "Zoltan", "Paddington 2", "com.zebedee.app"]


def export(client, parent) -> dict[str, bytes]:
    response = client.get("/api/parent/me/export", headers=auth(parent))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["cache-control"] == "no-store"
    return unzipped(response.content)


@on_a_school_day
def test_the_export_is_every_file_of_the_family_as_the_database_has_it(client, db, clock):
    family = a_family_with_everything(client, db, clock)
    others = another_family(client, db, clock)
    response = client.get("/api/parent/me/export", headers=auth(family.owner))
    assert response.headers["content-disposition"] == f'attachment; filename="axolotly-family-{clock.today}.zip"'
    files = unzipped(response.content)
    assert sorted(files) == sorted(EXPORT_FILES)
    readme = files["README.txt"].decode()
    assert all(f"{name}:" in readme for name in EXPORT_FILES)
    for name, data in files.items():
        assert not [secret for secret in family.secrets if secret in data], f"a secret in {name}"
        assert not [word for word in others if word.encode() in data], f"another family's data in {name}"
    document = json.loads(files["family.json"])
    zone = clock.zone
    owner, co_parent = db.get_one(User, family.owner["id"]), db.get_one(User, family.co_parent["id"])
    assert document["family"] == {
        "id": owner.id,
        "name": owner.family_name or f"{owner.email.split('@')[0]}'s family",
        "country": "US",
        "language": None,
        "time_zone": zone,
        "created_at": in_zone(owner.created_at, zone),
    }
    assert [(p["id"], p["email"], p["role"]) for p in document["parents"]] == [
        (owner.id, owner.email, "owner"),
        (co_parent.id, co_parent.email, "co-parent"),
    ]
    assert document["parents"][0]["notifications"]["quiet_hours"] == {"from": "21:00", "until": "07:00"}
    assert document["parents"][0]["notifications"]["on"]["title_request"] == {"email": False, "in_app": True}
    assert document["parents"][1]["notifications"] == {
        "on": {event: {"email": True, "in_app": True} for event in document["parents"][1]["notifications"]["on"]},
        "quiet_hours": None,
    }
    assert all(set(p) >= {"name", "language", "account_created_at", "parent_since"} for p in document["parents"])
    assert_kids(db, document["kids"], family, zone)
    assert_library_devices_and_requests(db, document, family, zone)
    assert document["streaming_services"] == [
        {"id": "netflix", "name": "Netflix"},
        {"id": "disney_plus", "name": "Disney+"},
    ]
    assert_history(db, csv_rows(files["watch-history.csv"]), family, zone)
    assert_activity(db, csv_rows(files["activity.csv"]), family, zone)


def assert_kids(db, kids: list[dict], family: Family, zone: str) -> None:
    emma, leo = family.emma, family.leo
    assert [(k["id"], k["name"], k["age"]) for k in kids] == [(emma.id, "Emma", 8), (leo.id, "Leo", 8)]
    assert kids[0]["created_at"] == in_zone(emma.created_at, zone)
    assert kids[0]["rules"] == {
        "mode": "rules",
        "max_movie_rating": "PG",
        "max_tv_rating": "TV-Y7",
        "block_unrated": True,
        "blocked_tags": [],
        "ask_list": True,
    }
    assert kids[0]["screen_time"] == {
        "enabled": True,
        "school_day_limit_minutes": 60,
        "weekend_limit_minutes": 120,
        "school_day_bedtime": {"from": "19:30", "until": "07:00"},
        "weekend_bedtime": None,
        "bonus_minutes": 15,
        "bonus_day": emma.bonus_day.isoformat(),
        "paused_until": None,
        "episode_grace_minutes": 10,
    }
    db.refresh(leo)
    assert kids[1]["rules"] == {
        "mode": leo.rules_mode,
        "max_movie_rating": leo.max_movie_rating,
        "max_tv_rating": leo.max_tv_rating,
        "block_unrated": leo.block_unrated,
        "blocked_tags": leo.blocked_tags,
        "ask_list": None,
    }
    assert kids[1]["screen_time"]["enabled"] is False and kids[1]["screen_time"]["episode_grace_minutes"] == 0
    for kid in kids:
        rows = db.execute(
            select(KidProfileTitle)
            .where(KidProfileTitle.kid_profile_id == kid["id"])
            .where(KidProfileTitle.allowed_until.is_(None) | (KidProfileTitle.allowed_until > datetime.now(UTC)))
            .order_by(KidProfileTitle.id)
        ).scalars()
        stored = {
            row.title_id: (
                row.policy,
                in_zone(row.allowed_until, zone),
                in_zone(row.created_at, zone),
                row.blocked_episodes,
            )
            for row in rows
        }
        shown = {
            p["title"]["id"]: (p["policy"], p["allowed_until"], p["since"], [e["id"] for e in p["blocked_episodes"]])
            for p in kid["policies"]
        }
        assert shown == stored
    [bluey] = kids[0]["policies"]
    assert bluey["title"]["name"] == "Bluey" and bluey["title"]["type"] == "tv"
    for shown_episode in bluey["blocked_episodes"]:
        episode = db.get_one(Episode, shown_episode["id"])
        assert shown_episode == {
            "id": episode.id,
            "season": episode.season_number,
            "episode": episode.episode_number,
            "name": episode.name,
        }
    until = {p["title"]["name"]: p["allowed_until"] for p in kids[1]["policies"]}
    assert until["Moana"] is None and until["Frozen"] is not None


def assert_library_devices_and_requests(db, document: dict, family: Family, zone: str) -> None:
    owner_id, co_id = family.owner["id"], family.co_parent["id"]
    # The library as its page shows it: titles added by hand and titles a kid has a rule on (a
    # rule's title keeps no row of its own in family_titles).
    library = db.execute(
        text(
            "SELECT t.id, t.title, t.media_type, min(l.added_at) AS added_at, max(l.added_by) AS added_by FROM ("
            " SELECT f.title_id, f.added_at, f.added_by FROM family_titles f WHERE f.family_id = :family"
            " UNION ALL SELECT p.title_id, p.created_at, NULL FROM kid_profiles_titles p"
            " JOIN kid_profiles k ON k.id = p.kid_profile_id WHERE k.family_id = :family"
            ") l JOIN titles t ON t.id = l.title_id GROUP BY t.id ORDER BY t.title, t.id"
        ),
        {"family": owner_id},
    ).all()
    assert {row.title for row in library} >= {"Bluey", "Frozen", "Moana"}
    names = {owner_id: document["parents"][0]["name"], co_id: document["parents"][1]["name"]}
    assert document["library"] == [
        {
            "title": {"id": row.id, "name": row.title, "type": row.media_type},
            "added_at": in_zone(row.added_at, zone),
            "added_by": {"id": row.added_by, "name": names[row.added_by]} if row.added_by else None,
        }
        for row in library
    ]
    devices = db.scalars(select(Device).where(Device.family_id == owner_id).order_by(Device.id)).all()
    kid_names = {family.emma.id: "Emma", family.leo.id: "Leo"}
    assert document["devices"] == [
        {
            "id": d.id,
            "name": d.friendly_name,
            "device_id": d.device_id,
            "kid": {"id": d.kid_profile_id, "name": kid_names[d.kid_profile_id]} if d.kid_profile_id else None,
            "any_kid_may_sign_in": d.any_kid,
            "paired_at": in_zone(d.paired_at, zone),
            "last_active": None,
            "model": "Shield",
            "manufacturer": "NVIDIA",
            "app_version": "2.3.0",
            "app_version_code": 230,
            "last_watching": None,
            "last_watching_at": None,
        }
        for d in devices
    ]
    requests = db.scalars(
        select(TitleRequest)
        .where(TitleRequest.family_id == owner_id)
        .order_by(TitleRequest.created_at, TitleRequest.id)
    ).all()
    assert [
        (r["id"], r["kid"]["id"], r["title"]["id"], r["status"], r["note"], r["asked_at"], r["answered_at"])
        for r in document["title_requests"]
    ] == [
        (
            r.id,
            r.kid_profile_id,
            r.title_id,
            r.status,
            r.note,
            in_zone(r.created_at, zone),
            in_zone(r.answered_at, zone),
        )
        for r in requests
    ]
    declined = next(r for r in document["title_requests"] if r["status"] == "declined")
    assert declined["title"]["name"] == "Moana" and declined["kid"]["name"] == "Leo"
    assert declined["answered_by"] == {"id": co_id, "name": names[co_id]}
    [asked] = db.scalars(select(TimeRequest).where(TimeRequest.family_id == owner_id)).all()
    assert document["time_requests"] == [
        {
            "id": asked.id,
            "kid": {"id": family.emma.id, "name": "Emma"},
            "day": asked.day.isoformat(),
            "status": "granted",
            "minutes_granted": 30,
            "asked_at": in_zone(asked.created_at, zone),
            "answered_at": in_zone(asked.answered_at, zone),
            "answered_by": {"id": owner_id, "name": names[owner_id]},
        }
    ]
    invitations = db.scalars(
        select(FamilyInvitation).where(FamilyInvitation.family_id == owner_id).order_by(FamilyInvitation.id)
    ).all()
    assert document["invitations"] == [
        {
            "id": i.id,
            "created_at": in_zone(i.created_at, zone),
            "expires_at": in_zone(i.expires_at, zone),
            "accepted_at": in_zone(i.accepted_at, zone),
            "accepted_by": {"id": i.accepted_by, "name": names[i.accepted_by]} if i.accepted_by else None,
        }
        for i in invitations
    ]
    assert [i["accepted_by"] is not None for i in document["invitations"]] == [True, False]


def assert_history(db, rows: list[list[str]], family: Family, zone: str) -> None:
    assert rows[0] == [
        "Started", "Ended", "Seconds", "Kid number", "Kid", "Title number", "Title", "App", "App name",
        "Device number", "Device",
    ]  # fmt: skip
    stored = db.execute(
        text(
            "SELECT u.started_at, u.ended_at, u.seconds, k.id, k.name, u.title_id, t.title, u.app_id, u.app_name,"
            " u.device_id, d.friendly_name FROM usage_sessions u JOIN kid_profiles k ON k.id = u.kid_profile_id"
            " LEFT JOIN titles t ON t.id = u.title_id LEFT JOIN devices d ON d.id = u.device_id"
            " WHERE k.family_id = :family ORDER BY u.started_at"
        ),
        {"family": family.owner["id"]},
    ).all()
    assert len(stored) == 3
    assert rows[1:] == [
        [in_zone(r[0], zone), in_zone(r[1], zone), *("" if v is None else str(v) for v in r[2:])] for r in stored
    ]


def assert_activity(db, rows: list[list[str]], family: Family, zone: str) -> None:
    assert rows[0] == ["When", "Who", "What", "Details"]
    events = db.scalars(
        select(AuditEvent)
        .where(AuditEvent.family_id == family.owner["id"])
        .order_by(AuditEvent.created_at, AuditEvent.id)
    ).all()
    assert len(events) > 5
    from axolotly.audit.service import ACTIONS

    assert rows[1:] == [[in_zone(e.created_at, zone), e.actor or "", ACTIONS[e.action], e.summary] for e in events]
    assert rows[-1][1:] == [family.owner["email"], "Data exported", "Exported the family's data"]


@on_a_school_day
def test_a_co_parent_exports_the_same_family(client, db, clock):
    family = a_family_with_everything(client, db, clock)
    by_owner, by_co_parent = export(client, family.owner), export(client, family.co_parent)
    owners, co_parents = json.loads(by_owner["family.json"]), json.loads(by_co_parent["family.json"])
    assert owners.pop("exported_at") and co_parents.pop("exported_at")
    assert co_parents == owners
    assert by_co_parent["watch-history.csv"] == by_owner["watch-history.csv"]
    last = csv_rows(by_co_parent["activity.csv"])[-1]
    assert last[1:] == [family.co_parent["email"], "Data exported", "Exported the family's data"]


@on_a_school_day
def test_the_files_speak_the_familys_language(client, db, clock):
    owner = sign_up(client)
    assert client.put("/api/parent/me", json={"language": "de"}, headers=auth(owner)).status_code == 200
    german = translations("de").gettext
    files = export(client, owner)
    assert files["README.txt"].decode().startswith(german("Your family's data from Axolotly") + "\r\n")
    assert csv_rows(files["activity.csv"])[0] == ["Wann", "Wer", "Was", "Details"]
    assert csv_rows(files["activity.csv"])[-1][2] == german("Data exported")
    assert csv_rows(files["watch-history.csv"])[0][4] == "Kind"


@on_a_school_day
def test_exports_are_counted_per_family(client, db, clock, monkeypatch):
    from axolotly.exports import family_export

    monkeypatch.setattr(family_export, "EXPORTS_PER_HOUR", 2)
    owner = sign_up(client)
    co_parent = join(client, owner)
    assert client.get("/api/parent/me/export", headers=auth(owner)).status_code == 200
    assert client.get("/api/parent/me/export", headers=auth(co_parent)).status_code == 200
    refused = client.get("/api/parent/me/export", headers=auth(owner))
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
    assert "try again later" in refused.json()["detail"]
    exported = select(AuditEvent).where(AuditEvent.family_id == owner["id"], AuditEvent.action == "family_exported")
    assert len(db.scalars(exported).all()) == 2  # the refused one wrote nothing


@on_a_school_day
def test_the_export_needs_a_signed_in_parent(client, clock):
    assert client.get("/api/parent/me/export").status_code == 401
    assert client.get("/api/parent/me/export", headers={"Authorization": "Bearer nonsense"}).status_code == 401


@on_a_school_day
def test_history_rows_naming_another_familys_device_do_not_name_it(client, db, clock):
    """usage_sessions.device_id has no foreign key: a stray id never shows another family's device."""
    family = a_family_with_everything(client, db, clock)
    other = sign_up(client)
    stranger = device_of(db, other["id"], None, "Stranger's TV")
    log_usage(db, family.emma.id, stranger.id, None, "com.example.other", clock.now - timedelta(minutes=30), 60)
    files = export(client, family.owner)
    assert b"Stranger's TV" not in files["watch-history.csv"]
    [row] = [r for r in csv_rows(files["watch-history.csv"]) if r[7] == "com.example.other"]
    assert row[9:] == [str(stranger.id), ""]


@on_a_school_day
def test_times_in_the_files_carry_the_familys_offset(client, db, clock):
    family = a_family_with_everything(client, db, clock)
    rows = csv_rows(export(client, family.owner)["watch-history.csv"])[1:]
    offset = datetime.now(ZoneInfo(clock.zone)).strftime("%z")
    assert all(row[0].endswith(f"{offset[:3]}:{offset[3:]}") for row in rows)
    assert datetime.fromisoformat(rows[0][0]).astimezone(UTC) == clock.now - timedelta(hours=3)


@on_a_school_day
def test_the_invitation_token_is_stored_only_as_its_digest(client, db, clock):
    """What the secrets check relies on: the open invitation's digest is in the table, not its token."""
    owner = sign_up(client)
    token = invite(client, owner)["token"]
    digest = hashlib.sha256(token.encode()).hexdigest()
    assert db.scalar(select(FamilyInvitation.token_digest).where(FamilyInvitation.family_id == owner["id"])) == digest
    files = export(client, owner)
    assert all(token.encode() not in data and digest.encode() not in data for data in files.values())


def test_a_served_export_reads_one_read_only_repeatable_read_snapshot(engine):
    """Outside the tests' own transaction (a request's session bound to the engine, as served), the
    zip is read from a connection of its own: one REPEATABLE READ, read-only transaction."""
    with Session(engine) as request_session, snapshot_of(request_session)() as snapshot:
        assert snapshot.scalar(text("SHOW transaction_isolation")) == "repeatable read"
        assert snapshot.scalar(text("SHOW transaction_read_only")) == "on"
        assert snapshot.connection() is not request_session.connection()
