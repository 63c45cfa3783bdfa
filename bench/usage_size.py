"""What a day of watch history costs: rows and bytes per day at 1M families (`make bench-size`).

Builds `axolotly_usage_size` in the embedded cluster from the migrations, generates one day of
usage for N families (default 20,000; 2 kids each, SESSIONS sessions per kid over 4 different
titles, each from one of 2 devices), as the launchers would store it (usage_sessions in today's
monthly partition, the per-kid daily rollup usage_daily), VACUUMs, measures bytes per row of
each (heap + indexes + TOAST) and prints the projection for 1M families: per day, per 30 days,
and over the retention period (USAGE_RETENTION_DAYS, default 400).

Usage: python bench/usage_size.py [FAMILIES] [SESSIONS_PER_KID]
"""

import sys
from datetime import UTC, datetime

import psycopg

from axolotly.config import get_settings
from axolotly.db.engine import libpq_conninfo
from axolotly.db.migrate import fresh_project_database

KIDS_PER_FAMILY = 2
TITLES_PER_KID_DAY = 4
MILLION = 1_000_000

FAMILIES_SQL = """
WITH fam AS (
    INSERT INTO users (email, password_hash, family_name)
    SELECT 'usage' || n || '@example.com', '$2b$12$' || substr(md5(n::text) || md5('p' || n), 1, 53), 'Family ' || n
    FROM generate_series(1, %(families)s::int) n
    RETURNING id
)
INSERT INTO kid_profiles (family_id, name, pin_hash)
SELECT fam.id, 'Kid ' || k, '$2b$10$' || substr(md5(fam.id::text) || md5('k' || k), 1, 53)
FROM fam CROSS JOIN generate_series(1, %(kids)s::int) k
"""

# Sessions spread over the day: 8 to 45 minutes each, one of 4 titles, one of 2 devices.
SESSIONS_SQL = """
INSERT INTO usage_sessions (kid_profile_id, device_id, title_id, app_id, app_name, started_at, ended_at, seconds)
SELECT k.id, k.id * 2 + mod(s, 2), 100000 + mod(k.id * 7 + s, 2000),
       (100000 + mod(k.id * 7 + mod(s, %(titles)s), 2000))::text, 'Generated title ' || mod(k.id * 7 + s, 2000),
       %(day)s::timestamptz + make_interval(mins => s * 50 + mod(k.id, 30)),
       %(day)s::timestamptz + make_interval(mins => s * 50 + mod(k.id, 30), secs => 480 + mod(k.id * s, 2220)),
       480 + mod(k.id * s, 2220)
FROM kid_profiles k CROSS JOIN generate_series(0, %(sessions)s::int - 1) s
"""

ROLLUP_SQL = """
INSERT INTO usage_daily (kid_profile_id, day, app_id, title_id, app_name, seconds, sessions)
SELECT kid_profile_id, %(day)s::date, app_id, max(title_id), max(app_name), sum(seconds), count(*)
FROM usage_sessions GROUP BY kid_profile_id, app_id
"""


def table_bytes(conn, table: str) -> int:
    return conn.execute("SELECT pg_total_relation_size(%s::regclass)", (table,)).fetchone()[0]


def row_count(conn, table: str) -> int:
    return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608 (our own names)


def measure(conninfo: str, families: int, sessions_per_kid: int) -> dict[str, float]:
    day = datetime.now(UTC).strftime("%Y-%m-%d")
    partition = "usage_sessions_y" + day[:4] + "m" + day[5:7]
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("SET session_replication_role = replica")  # no launcher-version triggers
        conn.execute(FAMILIES_SQL, {"families": families, "kids": KIDS_PER_FAMILY})
        conn.execute(SESSIONS_SQL, {"day": day, "sessions": sessions_per_kid, "titles": TITLES_PER_KID_DAY})
        conn.execute(ROLLUP_SQL, {"day": day})
        conn.execute("VACUUM ANALYZE")
        sessions, rollup = row_count(conn, partition), row_count(conn, "usage_daily")
        return {
            "sessions": sessions,
            "session_bytes": table_bytes(conn, partition) / sessions,
            "rollup_rows": rollup,
            "rollup_bytes": table_bytes(conn, "usage_daily") / rollup,
        }


def report(figures: dict[str, float], families: int, retention_days: int) -> str:
    scale = MILLION / families
    rows_a_day = figures["sessions"] * scale
    rollup_a_day = figures["rollup_rows"] * scale
    bytes_a_day = rows_a_day * figures["session_bytes"] + rollup_a_day * figures["rollup_bytes"]
    gib = 1024**3
    return "\n".join(
        (
            f"usage: {figures['sessions']:,} sessions and {figures['rollup_rows']:,} rollup rows for {families:,} families",
            f"  bytes per session row (heap + index): {figures['session_bytes']:.0f}",
            f"  bytes per rollup row (heap + primary key): {figures['rollup_bytes']:.0f}",
            f"  at 1M families, a day: {rows_a_day / MILLION:.1f}M sessions + {rollup_a_day / MILLION:.1f}M rollup rows"
            f" = {bytes_a_day / gib:.2f} GiB",
            f"  30 days: {30 * bytes_a_day / gib:.0f} GiB; {retention_days} days (USAGE_RETENTION_DAYS):"
            f" {retention_days * bytes_a_day / gib:.0f} GiB",
        )
    )


def main() -> None:
    families = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    sessions = int(sys.argv[2]) if len(sys.argv) > 2 else 6
    url = fresh_project_database("axolotly_usage_size")
    figures = measure(libpq_conninfo(url), families, sessions)
    print(report(figures, families, get_settings().usage_retention_days))


if __name__ == "__main__":
    main()
