"""The issue's "Must show": import an older installation; parents log in, launchers keep working."""

from sqlalchemy import text

from axolotly.models import KidProfile
from tests.importer.conftest import OLD_PASSWORD, an_older_family, run, snapshot
from tests.support.factories import make_family, make_title
from tests.support.launcher_client_model import parse_apps


def legacy_digest(db, device_id: str):
    return db.execute(
        text("SELECT legacy_key_sha256, api_key_digest FROM devices WHERE device_id = :d"), {"d": device_id}
    ).one()


def test_parent_logs_in_with_the_old_password_and_the_launcher_keeps_working(client, db, older, source):
    family = an_older_family(older)
    report = run(db, source)
    assert report.families[family["parent"]].startswith("same titles"), report.lines()

    login = client.post("/api/parent/auth/login", json={"email": "sam@old.example", "password": OLD_PASSWORD})
    assert login.status_code == 200 and login.json()["access_token"]

    tablet = family["tablet"]
    assert legacy_digest(db, tablet["X-Device-ID"]).legacy_key_sha256 is not None
    response = client.get("/api/apps", headers=tablet)
    assert response.status_code == 200
    groups = parse_apps(response.json())
    assert [group.id for group in groups] == ["disney_plus"]
    shown = {item.appName: item for item in groups[0].content}
    assert set(shown) == {"Bluey", "Moana"}
    assert [episode.id for episode in shown["Bluey"].episodes] == ["s1e1"]  # the blocked one stays blocked

    after = legacy_digest(db, tablet["X-Device-ID"])
    assert after.legacy_key_sha256 is None and len(after.api_key_digest) == 32
    assert client.get("/api/apps", headers=tablet).status_code == 200
    assert client.get("/api/apps", headers={**tablet, "X-API-Key": "wrong"}).status_code == 401


def test_a_device_whose_key_was_stored_as_it_is_works_and_keeps_no_plaintext(client, db, older, source):
    family = an_older_family(older)
    run(db, source)
    phone = family["phone"]
    stored = legacy_digest(db, phone["X-Device-ID"])
    assert stored.legacy_key_sha256 is None and phone["X-API-Key"].encode() not in bytes(stored.api_key_digest)
    response = client.get("/api/apps", headers=phone)
    assert response.status_code == 200
    assert parse_apps(response.json()) == []  # Leo's one title is denied (deny wins over the allow row)


def test_the_stored_legacy_digest_is_not_a_key(client, db, older, source):
    family = an_older_family(older)
    run(db, source)
    digest = legacy_digest(db, family["tablet"]["X-Device-ID"]).legacy_key_sha256.hex()
    headers = {**family["tablet"], "X-API-Key": digest}
    assert client.get("/api/apps", headers=headers).status_code == 401


def test_kids_come_over_in_allow_list_mode_with_their_family_screen_time(db, older, source):
    an_older_family(older)
    run(db, source)
    emma = db.execute(text("SELECT * FROM kid_profiles WHERE name = 'Emma'")).one()
    assert emma.rules_mode == "allow_list" and emma.age == 6 and emma.pin_hash.startswith("$2b$")
    assert emma.screen_time_enabled and emma.school_day_limit_minutes == 90 == emma.weekend_limit_minutes
    assert str(emma.school_day_bedtime_start) == "19:30:00" and str(emma.weekend_bedtime_end) == "07:00:00"
    assert db.execute(text("SELECT role FROM users WHERE email = 'sam@old.example'")).scalar_one() == "parent"


def test_a_second_run_changes_nothing(db, older, source):
    an_older_family(older)
    first = run(db, source)
    before = snapshot(db)
    second = run(db, source)
    assert snapshot(db) == before
    assert second.kinds["users"].unchanged == 1 and second.kinds["users"].imported == 0
    assert second.kinds["policies"].imported == 0 and second.kinds["policies"].updated == 0
    assert second.kinds["devices"].unchanged == 2
    assert first.kinds["kids"].imported == 2


def test_a_top_up_brings_what_changed_since_the_first_run(client, db, older, source):
    family = an_older_family(older)
    run(db, source)
    older.conn.execute(
        "UPDATE policies SET is_allowed = false WHERE title_id = (SELECT id FROM titles WHERE tmdb_id = 277834)"
    )
    newcomer = older.kid(family["parent"], "Mia")
    older.policy(newcomer, older.conn.execute("SELECT id FROM titles WHERE tmdb_id = 82728").fetchone()[0])
    report = run(db, source)
    assert report.kinds["kids"].imported == 1 and report.kinds["policies"].updated == 1
    shown = {
        item.appName
        for group in parse_apps(client.get("/api/apps", headers=family["tablet"]).json())
        for item in group.content
    }
    assert shown == {"Bluey"}


def test_conflicting_families_are_skipped_whole(db, older, source):
    taken = an_older_family(older, "taken@old.example")["parent"]
    make_family(db, email="taken@old.example")
    second = older.parent("other@old.example")
    make_title(db, tmdb_id=999001, media_type="movie")
    clash = older.title(999001, "Same Number", "tv", ["Netflix"])
    older.policy(older.kid(second, "Ava"), clash)
    fine = older.parent("fine@old.example")
    older.kid(fine, "Zoe")

    report = run(db, source)
    assert report.skipped_families.keys() == {taken, second}
    assert report.skipped_families[taken].startswith("email conflict")
    assert "title conflict" in report.skipped_families[second]
    names = set(db.execute(text("SELECT name FROM kid_profiles")).scalars())
    assert names == {"Zoe"}
    assert db.execute(text("SELECT count(*) FROM users WHERE email LIKE '%@old.example'")).scalar_one() == 2
    again = run(db, source)  # every run: the conflict does not go away by itself
    assert again.skipped_families == report.skipped_families
    assert "TMDB id 999001 is a movie in Axolotly, a tv in the older backend" in again.skipped_families[second]


def test_a_family_the_database_refuses_does_not_stop_the_others(db, older, source):
    bad = older.parent("bad@old.example")
    older.conn.execute(
        "INSERT INTO kid_profiles (parent_id, name, age, pin) VALUES (%s, 'Odd', 5, 'not-bcrypt')", (bad,)
    )
    good = older.parent("good@old.example")
    older.kid(good, "Ivy")
    report = run(db, source)
    assert "refused by the database" in report.skipped_families[bad]
    assert set(db.execute(text("SELECT name FROM kid_profiles")).scalars()) == {"Ivy"}
    assert db.query(KidProfile).count() == 1


def test_dry_run_writes_nothing_and_prints_the_same_report(db, older, source):
    an_older_family(older)
    before = snapshot(db)
    jobs_before = db.execute(text("SELECT count(*) FROM procrastinate_jobs")).scalar_one()
    dry = run(db, source, dry_run=True)
    assert snapshot(db) == before
    assert db.execute(text("SELECT count(*) FROM procrastinate_jobs")).scalar_one() == jobs_before
    assert dry.lines()[0].startswith("DRY RUN")
    real = run(db, source)
    assert dry.lines()[1:] == real.lines()[1:]


def test_the_report_lists_what_axolotly_will_not_show(db, older, source):
    parent = older.parent("odd@old.example")
    kid = older.kid(parent, "Noa")
    older.policy(kid, older.title(5005, "Home Video", "movie", []))
    report = run(db, source)
    assert report.families[parent] == "differences: Noa: Axolotly does not show Home Video"
    assert report.mismatched == 1
