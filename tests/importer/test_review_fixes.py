"""A reviewer's findings: emails as Axolotly logs in, top-ups that keep a parent's changes, rows a
parent deleted, the source's identity, the families' time zone, blocked episodes that do not map."""

import pytest
from sqlalchemy import text

from axolotly.errors import Invalid
from axolotly.importer.run import SourceRefused
from tests.importer.conftest import OLD_PASSWORD, an_older_family, run
from tests.support.factories import make_family


def device(db, headers):
    return db.execute(text("SELECT * FROM devices WHERE device_id = :d"), {"d": headers["X-Device-ID"]}).one()


def test_emails_come_over_lower_cased_and_the_parent_logs_in(client, db, older, source):
    an_older_family(older, "Sam.Lee@Old.Example")
    run(db, source)
    assert db.execute(text("SELECT email FROM users")).scalar_one() == "sam.lee@old.example"
    login = client.post("/api/parent/auth/login", json={"email": "sam.lee@old.example", "password": OLD_PASSWORD})
    assert login.status_code == 200


def test_an_existing_lower_case_account_conflicts_with_a_mixed_case_one(db, older, source):
    family = an_older_family(older, "Sam.Lee@old.example")
    make_family(db, email="sam.lee@old.example")
    report = run(db, source)
    assert report.skipped_families[family["parent"]].startswith("email conflict")


def test_families_whose_emails_collide_once_lower_cased_are_skipped(db, older, source):
    upper, lower = older.parent("A@x.example"), older.parent("a@x.example")
    report = run(db, source)
    assert report.skipped_families.keys() == {upper, lower}
    assert report.skipped_families[upper].startswith("email collision: A@x.example (user")
    assert db.execute(text("SELECT count(*) FROM users")).scalar_one() == 0


def test_a_top_up_keeps_the_hmac_digest_and_the_parents_changes(client, db, older, source):
    family = an_older_family(older)
    run(db, source)
    tablet = family["tablet"]
    assert client.get("/api/apps", headers=tablet).status_code == 200  # legacy digest replaced
    mine = device(db, tablet)
    leo = db.execute(text("SELECT id FROM kid_profiles WHERE name = 'Leo'")).scalar_one()
    db.execute(
        text("UPDATE devices SET kid_profile_id = :k, friendly_name = 'Renamed' WHERE id = :d"),
        {"k": leo, "d": mine.id},
    )
    older.conn.execute("UPDATE devices SET last_active = now() + interval '1 minute'")
    assert run(db, source).kinds["devices"].updated == 0  # last_active alone is no change
    older.conn.execute("UPDATE devices SET device_model = 'Tab 9'")
    report = run(db, source)
    assert report.kinds["devices"].updated == 2
    after = device(db, tablet)
    assert after.legacy_key_sha256 is None and bytes(after.api_key_digest) == bytes(mine.api_key_digest)
    assert (after.kid_profile_id, after.friendly_name, after.device_model) == (leo, "Renamed", "Tab 9")
    older.conn.execute("UPDATE devices SET device_name = 'New name in the old app'")
    run(db, source)
    assert device(db, tablet).friendly_name == "Renamed"  # the parent's name stays
    assert device(db, family["phone"]).friendly_name == "New name in the old app"  # untouched by a parent
    assert client.get("/api/apps", headers=tablet).status_code == 200


def test_a_device_paired_again_in_the_same_family_is_no_conflict(db, older, source):
    family = an_older_family(older)
    run(db, source)
    old = device(db, family["tablet"])
    db.execute(text("DELETE FROM devices WHERE id = :d"), {"d": old.id})
    db.execute(
        text("INSERT INTO devices (device_id, family_id, api_key_digest, paired_at) VALUES (:d, :f, :k, now())"),
        {"d": old.device_id, "f": old.family_id, "k": b"\x01" * 32},
    )
    older.conn.execute("UPDATE devices SET device_model = 'Tab 9'")
    report = run(db, source)
    assert family["parent"] not in report.skipped_families, report.lines()
    assert report.kinds["devices"].skipped["deleted in Axolotly after an earlier import (unpaired by a parent)"] == 1
    assert bytes(device(db, family["tablet"]).api_key_digest) == b"\x01" * 32


def test_a_top_up_deletes_only_the_policies_it_wrote(db, older, source):
    family = an_older_family(older)
    run(db, source)
    emma = db.execute(text("SELECT id FROM kid_profiles WHERE name = 'Emma'")).scalar_one()
    approved = db.execute(text("SELECT id FROM titles WHERE tmdb_id = 4001")).scalar_one()
    db.execute(
        text("INSERT INTO kid_profiles_titles (kid_profile_id, title_id, policy) VALUES (:k, :t, 'allow')"),
        {"k": emma, "t": approved},
    )
    older.conn.execute(
        "DELETE FROM policies WHERE kid_profile_id = %s AND title_id = (SELECT id FROM titles WHERE tmdb_id = 277834)",
        (family["emma"],),
    )
    report = run(db, source)
    assert report.kinds["policies"].skipped["removed: no longer in the older backend"] == 1
    titles = set(
        db.execute(
            text(
                "SELECT t.tmdb_id FROM kid_profiles_titles p JOIN titles t ON t.id = p.title_id"
                " WHERE p.kid_profile_id = :k"
            ),
            {"k": emma},
        ).scalars()
    )
    assert titles == {82728, 4001}


def test_a_kid_a_parent_deleted_is_not_created_again_and_does_not_fail_the_family(db, older, source):
    family = an_older_family(older)
    run(db, source)
    db.execute(text("DELETE FROM kid_profiles WHERE name = 'Emma'"))
    older.conn.execute("UPDATE kid_profiles SET age = 8")
    older.conn.execute(
        "INSERT INTO usage_logs (device_id, app_name, start_time, end_time, duration_minutes)"
        " SELECT id, 'Bluey', now(), now(), 5 FROM devices WHERE kid_profile_id = %s",
        (family["emma"],),
    )
    report = run(db, source)
    assert family["parent"] not in report.skipped_families, report.lines()
    assert any("kid Emma was deleted in Axolotly" in note for note in report.notes[family["parent"]])
    assert set(db.execute(text("SELECT name FROM kid_profiles")).scalars()) == {"Leo"}
    assert report.kinds["usage logs"].skipped["its kid was deleted in Axolotly after an earlier import"] == 1


def test_another_source_is_refused_unless_said_new_and_never_overwrites(db, older, source):
    family = an_older_family(older)
    run(db, source)
    db.execute(text("UPDATE import_id_map SET source = 'another-cluster/older'"))
    with pytest.raises(SourceRefused, match="--new-source"):
        run(db, source)
    report = run(db, source, new_source=True)  # its user ids are not the other installation's
    assert report.skipped_families[family["parent"]].startswith("email conflict")
    assert run(db, source).skipped_families  # known now: no refusal


def test_new_families_get_the_operators_time_zone(db, older, source):
    an_older_family(older)
    with pytest.raises(Invalid):
        run(db, source, time_zone="Mars/Olympus")
    report = run(db, source, time_zone="Europe/Berlin")
    assert db.execute(text("SELECT time_zone FROM users")).scalar_one() == "Europe/Berlin"
    assert "time zone: 1 new families set to Europe/Berlin" in report.lines()


def test_the_report_says_how_many_families_got_the_default_zone(db, older, source):
    an_older_family(older)
    lines = run(db, source).lines()
    assert any(line.startswith("time zone: 1 new families set to UTC (the default") for line in lines)


def test_a_blocked_episode_that_does_not_map_is_reported(db, older, source):
    parent = older.parent("eps@old.example")
    kid = older.kid(parent, "Kai")
    show = older.title(77001, "Odd Show", "tv", ["Disney Plus"])
    lost = older.episode(show, None, 9, 9)  # no TMDB episode id: it does not come over
    older.block_episode(older.policy(kid, show), lost)
    report = run(db, source)
    notes = report.notes[parent]
    assert len(notes) == 1 and notes[0].startswith(
        f"blocked episode not imported: Kai, Odd Show, older episode ids {lost}"
    )
    assert any(line.startswith(f"family {parent}: blocked episode not imported") for line in report.lines())


def test_a_top_up_over_an_allow_for_a_while_never_leaves_an_end_on_a_deny(db, older, source):
    """Issue 27: a parent allowed a title for a while in Axolotly; the older backend knows no end."""
    family = an_older_family(older)
    run(db, source)
    emma = db.execute(text("SELECT id FROM kid_profiles WHERE name = 'Emma'")).scalar_one()
    bluey = db.execute(text("SELECT id FROM titles WHERE tmdb_id = 82728")).scalar_one()
    db.execute(
        text(
            "UPDATE kid_profiles_titles SET allowed_until = now() + interval '2 days'"
            " WHERE kid_profile_id = :k AND title_id = :t AND policy = 'allow'"
        ),
        {"k": emma, "t": bluey},
    )
    older.conn.execute(
        "UPDATE policies SET is_allowed = false"
        " WHERE kid_profile_id = %s AND title_id = (SELECT id FROM titles WHERE tmdb_id = 82728)",
        (family["emma"],),
    )
    run(db, source)  # the CHECK (an end only on an allow) would abort the family's import
    row = db.execute(
        text("SELECT policy, allowed_until FROM kid_profiles_titles WHERE kid_profile_id = :k AND title_id = :t"),
        {"k": emma, "t": bluey},
    ).one()
    assert (row.policy, row.allowed_until) == ("deny", None)
