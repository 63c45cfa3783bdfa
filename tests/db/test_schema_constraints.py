"""The database itself refuses bad rows: every check and unique constraint of the spec."""

from datetime import UTC, datetime, timedelta

import bcrypt
import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from axolotly.models import (
    ContentReport,
    Device,
    EpisodeLink,
    KidProfile,
    KidProfileTitle,
    PairingCode,
    StreamingServiceSelection,
    Title,
    User,
)
from tests.support.factories import make_episode, make_family, make_kid, make_title

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
    assert inspect(row).identity is not None


@pytest.mark.parametrize(
    "pin_hash",
    ["1234", "$2b$04$tooShort", "$3b$12$" + "a" * 53, VALID_BCRYPT + "x", "$2b$12$" + "a" * 52 + "!"],
    ids=["digits", "too short", "not 2b", "one too many", "not base64"],  # the same names in every worker
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


@pytest.mark.parametrize(
    "code,ok", [("123456", True), ("000000", True), ("12345", False), ("12345a", False), ("abcdef", False)]
)
def test_pairing_code_is_six_digits(db, code, ok):
    family = make_family(db)
    row = PairingCode(code=code, family_id=family.id, expires_at=datetime.now(UTC) + timedelta(minutes=10))
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


@pytest.mark.parametrize(
    "blocked,ok",
    [
        ("NULL", True),
        ("'[]'", True),
        ("'[12, 13]'", True),
        ("'null'", True),  # the spec's shape and the app's
        ("'{}'", False),
        ("'12'", False),
        ("'\"12\"'", False),  # SQL's @> and Python would read these apart
    ],
)
def test_blocked_episodes_is_an_array_or_nothing(db, blocked, ok):
    kid = make_kid(db, make_family(db))
    title = make_title(db, media_type="tv")
    statement = text(
        "INSERT INTO kid_profiles_titles (kid_profile_id, title_id, policy, blocked_episodes) "
        f"VALUES (:kid, :title, 'allow', {blocked}) RETURNING id"
    )
    savepoint = db.begin_nested()
    if ok:
        assert db.execute(statement, {"kid": kid.id, "title": title.id}).scalar_one() > 0  # the spec's SERIAL id
    else:
        with pytest.raises(IntegrityError):
            db.execute(statement, {"kid": kid.id, "title": title.id})
    savepoint.rollback()


def test_policies_and_selections_have_the_spec_serial_ids(db):
    family = make_family(db)
    kid, title = make_kid(db, family), make_title(db)
    first = db.execute(
        text(
            "INSERT INTO kid_profiles_titles (kid_profile_id, title_id, policy) "
            "VALUES (:kid, :title, 'allow') RETURNING id"
        ),
        {"kid": kid.id, "title": title.id},
    ).scalar_one()
    second = db.execute(
        text(
            "INSERT INTO kid_profiles_titles (kid_profile_id, title_id, policy) "
            "VALUES (:kid, :title, 'deny') RETURNING id"
        ),
        {"kid": make_kid(db, family).id, "title": title.id},
    ).scalar_one()
    assert second > first
    selection = db.execute(
        text(
            "INSERT INTO streaming_service_selection (family_id, selected_services) "
            "VALUES (:family, '[\"netflix\"]') RETURNING id"
        ),
        {"family": family.id},
    ).scalar_one()
    assert isinstance(selection, int)
    assert_refused(db, StreamingServiceSelection(family_id=family.id, selected_services=["hulu"]))


def test_duplicate_device_id_is_refused(db):
    family = make_family(db)
    db.add(Device(device_id="dev-1", family_id=family.id))
    db.flush()
    assert_refused(db, Device(device_id="dev-1", family_id=make_family(db).id))


def test_duplicate_pairing_code_is_refused(db):
    family = make_family(db)
    expires = datetime.now(UTC) + timedelta(minutes=10)
    db.add(PairingCode(code="111111", family_id=family.id, expires_at=expires))
    db.flush()
    assert_refused(db, PairingCode(code="111111", family_id=family.id, expires_at=expires))


def test_timestamps_are_stored_with_time_zone(db):
    family = make_family(db)
    db.refresh(family)
    assert family.created_at.tzinfo is not None
    column_type = db.execute(
        text(
            "SELECT data_type FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'created_at'"
        )
    ).scalar_one()
    assert column_type == "timestamp with time zone"


# Foreign keys without an index leading with their columns: deleting the row they point at scans the
# whole table (ON DELETE CASCADE / SET NULL). None is allowed.
UNINDEXED_FOREIGN_KEYS_ALLOWED: set[tuple[str, str]] = set()


def test_foreign_keys_have_an_index_for_their_delete_action(db):
    unindexed = set(
        db.execute(
            text("""
        SELECT c.conrelid::regclass::text, a.attname
        FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
        WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace
          AND c.conrelid::regclass::text NOT LIKE 'procrastinate%'
          AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.conrelid
                          AND (i.indkey::int2[])[0:cardinality(c.conkey) - 1] = c.conkey)
    """)
        ).all()
    )
    assert ("family_titles", "added_by") not in unindexed  # deleting a co-parent's account scanned the library
    assert unindexed <= UNINDEXED_FOREIGN_KEYS_ALLOWED, unindexed - UNINDEXED_FOREIGN_KEYS_ALLOWED
