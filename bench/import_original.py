"""`make bench-import [FAMILIES=2000]`: import FAMILIES generated older-backend families, timed.

Builds the older backend's tables (tests/importer/original_schema.sql) in a database of the
project cluster, fills them set-based (2 kids, 2 devices, 8 policies, 4 usage logs and a
selection a family; a content report and a device episode report every tenth family; a shared
catalog of 500 titles with 20 content tags and 10 content packages), imports into a fresh Axolotly database and prints the time and the
figure extrapolated to 100,000 families (budget: 10 minutes).
"""

import hashlib
import os
import sys
import time
from pathlib import Path

import bcrypt
import psycopg

from axolotly.db.cluster import project_cluster
from axolotly.db.engine import libpq_conninfo
from axolotly.db.migrate import fresh_project_database, recreate_database

SCHEMA = (Path(__file__).parent.parent / "tests/importer/original_schema.sql").read_text()
PASSWORD = bcrypt.hashpw(b"old-password", bcrypt.gensalt(rounds=4)).decode()
KEY_DIGEST = hashlib.sha256(b"a-device-key").hexdigest()

FILL = """
INSERT INTO titles (id, tmdb_id, title, media_type, providers, rating, release_date)
SELECT n, 7000000 + n, 'Title ' || n, CASE WHEN mod(n, 2) = 0 THEN 'tv' ELSE 'movie' END,
       '["Disney Plus", "Netflix"]', 'PG', '2020-01-01' FROM generate_series(1, 500) n;
INSERT INTO users (id, email, password_hash) SELECT n, 'family' || n || '@old.example', %(password)s
FROM generate_series(1, %(families)s) n;
INSERT INTO streaming_service_selections (family_id, selected_services)
SELECT n, '["disney_plus"]' FROM generate_series(1, %(families)s) n;
INSERT INTO kid_profiles (id, parent_id, name, age, pin)
SELECT n, (n + 1) / 2, 'Kid ' || n, 7, %(password)s FROM generate_series(1, 2 * %(families)s) n;
INSERT INTO policies (kid_profile_id, title_id, is_allowed)
SELECT k, 1 + mod(k * 7 + i * 13, 500), i <> 3 FROM generate_series(1, 2 * %(families)s) k, generate_series(1, 4) i;
INSERT INTO devices (device_id, api_key, family_id, kid_profile_id, device_name)
SELECT 'device-' || n, %(digest)s, (n + 1) / 2, n, 'Tablet ' || n FROM generate_series(1, 2 * %(families)s) n;
INSERT INTO usage_logs (device_id, app_name, start_time, end_time, duration_minutes)
SELECT d, 'Title ' || i, date_trunc('day', now() AT TIME ZONE 'utc') - make_interval(days => i, hours => 5),
       date_trunc('day', now() AT TIME ZONE 'utc') - make_interval(days => i, hours => 5) + interval '30 minutes', 30
FROM generate_series(1, 2 * %(families)s) d, generate_series(1, 2) i;
INSERT INTO content_tags (id, category, slug, display_name) SELECT n, 'themes', 'bench_tag_' || n, 'Tag ' || n
FROM generate_series(1, 20) n;
INSERT INTO title_tags (title_id, tag_id) SELECT n, 1 + mod(n, 20) FROM generate_series(1, 500) n;
INSERT INTO content_reports (title_id, reported_by, tag_id, notes, status)
SELECT 1 + mod(n, 500), n, 1 + mod(n, 20), 'Too scary', 'pending' FROM generate_series(1, %(families)s, 10) n;
INSERT INTO device_episode_reports (device_id, raw_url, provider, normalized_provider, season_hint, episode_hint)
SELECT n, 'https://www.netflix.com/watch/' || n, 'Netflix', 'netflix', 1, 1 FROM generate_series(1, %(families)s, 10) n;
INSERT INTO content_packages (id, name, category, is_active) SELECT n, 'Pack ' || n, 'age', true
FROM generate_series(1, 10) n;
INSERT INTO content_package_items (package_id, title_id) SELECT 1 + mod(n, 10), n FROM generate_series(1, 100) n;
SELECT setval('users_id_seq', %(families)s);
"""


def main() -> None:
    families = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    server = project_cluster().start()
    source = recreate_database(server, "bench_older_backend")
    with psycopg.connect(libpq_conninfo(source), autocommit=True) as conn:
        conn.execute(SCHEMA)
        params = {"families": families, "password": PASSWORD, "digest": KEY_DIGEST}
        for statement in filter(str.strip, FILL.split(";")):
            conn.execute(statement, params)
    os.environ["DATABASE_URL"] = fresh_project_database("bench_import_target")
    from axolotly.importer.run import import_from_url

    started = time.perf_counter()
    report = import_from_url(source)
    seconds = time.perf_counter() - started
    for line in report.lines()[:22]:
        print(line)
    print(
        f"{families} families in {seconds:.1f} s; 100,000 families: ~{seconds * 100_000 / families / 60:.1f} min (budget 10)"
    )


if __name__ == "__main__":
    main()
