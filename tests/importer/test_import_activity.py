"""Episode links, device episode reports, content tags, content reports, usage logs, content packages
and deletions: filled as the older backend writes them, imported, and imported again."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from tests.importer.conftest import an_older_family, run, snapshot

MORE_TABLES = (
    "content_tags",
    "content_reports",
    "episode_links",
    "link_reports",
    "starter_packs",
    "starter_pack_titles",
    "usage_daily",
)


def everything(db) -> dict[str, str]:
    rows = snapshot(db)
    for table in MORE_TABLES + ("usage_sessions",):
        rows[table] = db.execute(
            text(f"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {table} t")
        ).scalar_one()
    return rows


def device_row(older, headers) -> int:
    return older.conn.execute("SELECT id FROM devices WHERE device_id = %s", (headers["X-Device-ID"],)).fetchone()[0]


def test_trusted_episode_links_and_reports_come_over_and_others_do_not(db, older, source):
    family = an_older_family(older)
    first, second = family["episodes"]
    add = (
        "INSERT INTO episode_links (episode_id, raw_provider, provider, deep_link_url, is_active)"
        " VALUES (%s, %s, %s, %s, %s)"
    )
    older.conn.execute(add, (first, "Disney Plus", "disney_plus", "https://www.disneyplus.com/video/abc", True))
    older.conn.execute(add, (second, "Disney Plus", "disney_plus", "https://evil.example/video/abc", True))
    tablet = device_row(older, family["tablet"])
    report = (
        "INSERT INTO device_episode_reports (device_id, raw_url, provider, normalized_provider, season_hint,"
        " episode_hint, tmdb_title_id, processing_status, matched_episode_id)"
        " VALUES (%s, %s, %s, %s, 1, %s, 82728, %s, %s)"
    )
    older.conn.execute(
        report, (tablet, "https://www.disneyplus.com/video/abc", "Disney+", "disney_plus", 1, "matched", first)
    )
    older.conn.execute(
        report, (tablet, "https://www.disneyplus.com/video/xyz", "Disney+", "disney_plus", 3, "pending", None)
    )
    older.conn.execute(report, (tablet, "javascript:alert(1)", "Disney+", "disney_plus", 4, "pending", None))

    result = run(db, source)
    links = db.execute(text("SELECT url, verified, reported_count FROM episode_links")).all()
    assert [(link.url, link.verified, link.reported_count) for link in links] == [
        ("https://www.disneyplus.com/video/abc", False, 1)
    ]
    pending = db.execute(
        text("SELECT url, reported_season, reported_episode FROM link_reports WHERE link_id IS NULL")
    ).all()
    assert [tuple(p) for p in pending] == [("https://www.disneyplus.com/video/xyz", 1, 3)]
    assert result.kinds["episode links"].skipped["not a link of its service (host and scheme rules)"] == 1
    assert result.kinds["device episode reports"].skipped["not a link of its service (host and scheme rules)"] == 1

    before = everything(db)
    again = run(db, source)
    assert everything(db) == before
    assert again.kinds["device episode reports"].unchanged == 3 - 1


def test_content_tags_title_and_episode_tags_and_content_reports_come_over(db, older, source):
    family = an_older_family(older)
    tag = older.one(
        "INSERT INTO content_tags (category, slug, display_name) VALUES ('themes', 'scary_dogs', 'Scary dogs')"
    )
    bluey = older.conn.execute("SELECT id FROM titles WHERE tmdb_id = 82728").fetchone()[0]
    older.conn.execute("INSERT INTO title_tags (title_id, tag_id) VALUES (%s, %s)", (bluey, tag))
    older.conn.execute("INSERT INTO episode_tags (episode_id, tag_id) VALUES (%s, %s)", (family["episodes"][1], tag))
    older.conn.execute(
        "INSERT INTO content_reports (title_id, reported_by, tag_id, season_number, episode_number, notes, status,"
        " created_at) VALUES (%s, %s, %s, 1, 2, 'The dog barks loudly', 'pending', now())",
        (bluey, family["parent"], tag),
    )
    run(db, source)
    assert db.execute(text("SELECT category FROM content_tags WHERE tag = 'scary_dogs'")).scalar_one() == "themes"
    assert "scary_dogs" in db.execute(text("SELECT tags FROM titles WHERE tmdb_id = 82728")).scalar_one()
    assert db.execute(text("SELECT tags FROM episodes WHERE tmdb_episode_id = 1002")).scalar_one() == ["scary_dogs"]
    content = db.execute(text("SELECT r.*, u.email FROM content_reports r JOIN users u ON u.id = r.family_id")).one()
    assert (content.issue_type, content.status, content.email) == ("scary_dogs", "pending", "sam@old.example")
    assert content.description == "Season 1, episode 2: The dog barks loudly"

    before = everything(db)
    run(db, source)
    assert everything(db) == before
    older.conn.execute("UPDATE content_reports SET status = 'dismissed', reviewed_at = now()")
    topped = run(db, source)
    assert topped.kinds["content reports"].updated == 1
    assert db.execute(text("SELECT status FROM content_reports")).scalar_one() == "dismissed"


def test_usage_logs_become_watch_history_with_their_month_partition(db, older, source):
    family = an_older_family(older)
    tablet = device_row(older, family["tablet"])
    started = (datetime.now(UTC) - timedelta(days=100)).replace(hour=12, minute=0, second=0, microsecond=0)
    log = (
        "INSERT INTO usage_logs (device_id, app_name, start_time, end_time, duration_minutes)"
        " VALUES (%s, %s, %s, %s, %s)"
    )
    naive = started.replace(tzinfo=None)
    older.conn.execute(log, (tablet, "Bluey", naive, naive + timedelta(minutes=25), 25))
    older.conn.execute(log, (tablet, "Ancient", naive - timedelta(days=3000), naive - timedelta(days=3000), 5))
    result = run(db, source)
    session = db.execute(text("SELECT * FROM usage_sessions")).one()
    assert (session.app_name, session.seconds, session.started_at) == ("Bluey", 1500, started)
    day = db.execute(text("SELECT * FROM usage_daily")).one()
    assert (day.seconds, day.sessions, day.app_name) == (1500, 1, "Bluey")
    assert result.kinds["usage logs"].skipped["older than the watch history's retention"] == 1

    before = everything(db)
    run(db, source)
    assert everything(db) == before


def test_content_packages_become_starter_packs(db, older, source):
    an_older_family(older)
    package = older.one(
        "INSERT INTO content_packages (name, description, age_min, age_max, category, is_active)"
        " VALUES ('Little ones', 'Gentle shows', 2, 5, 'age', true)"
    )
    older.one("INSERT INTO content_packages (name, category, is_active) VALUES ('Old pack', 'age', false)")
    for tmdb_id in (277834, 82728):
        older.conn.execute(
            "INSERT INTO content_package_items (package_id, title_id, added_at)"
            " SELECT %s, id, now() FROM titles WHERE tmdb_id = %s",
            (package, tmdb_id),
        )
    run(db, source)
    pack = db.execute(text("SELECT * FROM starter_packs")).one()
    assert (pack.name, pack.description, pack.min_age, pack.max_age) == ("Little ones", "Gentle shows", 2, 5)
    titles = db.execute(
        text("SELECT t.tmdb_id FROM starter_pack_titles p JOIN titles t ON t.id = p.title_id ORDER BY p.position")
    ).scalars()
    assert list(titles) == [277834, 82728]
    before = everything(db)
    run(db, source)
    assert everything(db) == before


def test_kids_and_devices_deleted_in_the_older_backend_are_removed_on_the_top_up(db, older, source):
    family = an_older_family(older)
    run(db, source)
    parent_id = db.execute(text("SELECT id FROM users WHERE email = 'sam@old.example'")).scalar_one()
    db.execute(
        text(
            "INSERT INTO kid_profiles (family_id, name, pin_hash)"
            " SELECT :f, 'Added here', pin_hash FROM kid_profiles LIMIT 1"
        ),
        {"f": parent_id},
    )
    phone = family["phone"]["X-Device-ID"]
    older.conn.execute("DELETE FROM devices WHERE device_id = %s", (phone,))
    older.conn.execute("DELETE FROM episode_policies")
    older.conn.execute("DELETE FROM policies WHERE kid_profile_id = %s", (family["emma"],))
    older.conn.execute("DELETE FROM devices WHERE kid_profile_id = %s", (family["emma"],))
    older.conn.execute("DELETE FROM kid_profiles WHERE id = %s", (family["emma"],))

    report = run(db, source)
    assert set(db.execute(text("SELECT name FROM kid_profiles")).scalars()) == {"Leo", "Added here"}
    assert db.execute(text("SELECT count(*) FROM devices")).scalar_one() == 0
    assert report.kinds["kids"].skipped["removed: deleted in the older backend"] == 1
    assert report.kinds["devices"].skipped["removed: deleted in the older backend"] == 2
    assert db.execute(text("SELECT count(*) FROM import_id_map WHERE kind IN ('kid', 'device')")).scalar_one() == 1
