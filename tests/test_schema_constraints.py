"""The database itself refuses bad rows: every check and unique constraint of the spec."""

from datetime import datetime, timedelta, timezone

import bcrypt
import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from axolotly.models import (
    ContentReport, Device, EpisodeLink, KidProfile, KidProfileTitle, PairingCode, Title, User,
)
from tests.factories import make_episode, make_family, make_kid, make_title

VALID_BCRYPT = bcrypt.hashpw(b"1234", bcrypt.gensalt(rounds=4)).decode()


def assert_refused(db, row):
    savepoint = db.begin_nested()
    db.add(row)
    with pytest.raises(IntegrityError):
        db.flush()
    savepoint.rollback()


def assert_accepted(db, row):
    db.add(row)
    db.flush()
    assert inspect(row).identity is not None  # stored, whatever its key (policies have no id)


@pytest.mark.parametrize(
    "pin_hash",
    ["1234", "$2b$04$tooShort", "$3b$12$" + "a" * 53, VALID_BCRYPT + "x", "$2b$12$" + "a" * 52 + "!"],
)
def test_kid_pin_hash_must_be_bcrypt(db, pin_hash):
    family = make_family(db)
    assert_refused(db, KidProfile(family_id=family.id, name="Ann", pin_hash=pin_hash))


def test_kid_with_bcrypt_pin_hash_is_accepted(db):
    family = make_family(db)
    assert_accepted(db, KidProfile(family_id=family.id, name="Ann", pin_hash=VALID_BCRYPT))


@pytest.mark.parametrize("policy,ok", [("allow", True), ("deny", True), ("maybe", False), ("ALLOW", False)])
def test_policy_is_allow_or_deny(db, policy, ok):
    kid = make_kid(db, make_family(db))
    title = make_title(db)
    row = KidProfileTitle(kid_profile_id=kid.id, title_id=title.id, policy=policy)
    assert_accepted(db, row) if ok else assert_refused(db, row)


@pytest.mark.parametrize("media_type,ok", [("movie", True), ("tv", True), ("show", False), ("", False)])
def test_title_media_type_is_movie_or_tv(db, media_type, ok):
    row = Title(tmdb_id=990001, title="X", media_type=media_type)
    assert_accepted(db, row) if ok else assert_refused(db, row)


@pytest.mark.parametrize("role,ok", [("parent", True), ("admin", True), ("root", False)])
def test_user_role_is_parent_or_admin(db, role, ok):
    row = User(email=f"{role}@example.com", password_hash="x", role=role)
    assert_accepted(db, row) if ok else assert_refused(db, row)


@pytest.mark.parametrize("status,ok", [("pending", True), ("resolved", True), ("dismissed", True), ("open", False)])
def test_report_status_is_known(db, status, ok):
    family = make_family(db)
    title = make_title(db)
    row = ContentReport(family_id=family.id, title_id=title.id, issue_type="other", status=status)
    assert_accepted(db, row) if ok else assert_refused(db, row)


@pytest.mark.parametrize("code,ok", [("123456", True), ("000000", True), ("12345", False), ("12345a", False), ("abcdef", False)])
def test_pairing_code_is_six_digits(db, code, ok):
    family = make_family(db)
    row = PairingCode(code=code, family_id=family.id, expires_at=datetime.now(timezone.utc) + timedelta(minutes=10))
    assert_accepted(db, row) if ok else assert_refused(db, row)


@pytest.mark.parametrize("count,ok", [(0, True), (7, True), (-1, False)])
def test_episode_link_reported_count_not_negative(db, count, ok):
    episode = make_episode(db, make_title(db, media_type="tv"))
    row = EpisodeLink(episode_id=episode.id, platform="netflix", url="https://x", reported_count=count)
    assert_accepted(db, row) if ok else assert_refused(db, row)


def test_duplicate_email_is_refused(db):
    make_family(db, email="same@example.com")
    assert_refused(db, User(email="same@example.com", password_hash="x"))


def test_duplicate_tmdb_id_is_refused(db):
    make_title(db, tmdb_id=4242)
    assert_refused(db, Title(tmdb_id=4242, title="Again", media_type="movie"))


def test_second_policy_for_same_kid_and_title_is_refused(db):
    kid = make_kid(db, make_family(db))
    title = make_title(db)
    db.add(KidProfileTitle(kid_profile_id=kid.id, title_id=title.id, policy="allow"))
    db.flush()
    assert_refused(db, KidProfileTitle(kid_profile_id=kid.id, title_id=title.id, policy="deny"))


def test_duplicate_device_id_is_refused(db):
    family = make_family(db)
    db.add(Device(device_id="dev-1", family_id=family.id))
    db.flush()
    assert_refused(db, Device(device_id="dev-1", family_id=make_family(db).id))


def test_duplicate_pairing_code_is_refused(db):
    family = make_family(db)
    expires = datetime.now(timezone.utc) + timedelta(minutes=10)
    db.add(PairingCode(code="111111", family_id=family.id, expires_at=expires))
    db.flush()
    assert_refused(db, PairingCode(code="111111", family_id=family.id, expires_at=expires))


def test_timestamps_are_stored_with_time_zone(db):
    family = make_family(db)
    db.refresh(family)
    assert family.created_at.tzinfo is not None
    column_type = db.execute(text(
        "SELECT data_type FROM information_schema.columns "
        "WHERE table_name = 'users' AND column_name = 'created_at'"
    )).scalar_one()
    assert column_type == "timestamp with time zone"
