"""Migration 0018 keeps every existing launcher identical.

A database is built at revision 0017 with families, kids (with and without an age), titles with
certifications and tags (episodes tagged too), allows, denies, blocked episodes, a selection, a
verified link and a device; each kid's launcher is rendered there by the launcher statement as it
was at 0017 (frozen below). After `upgrade head`, the statement of today renders the very same
JSON for every kid, every kid is in `allow_list` mode with the default rules, the library holds
exactly the titles with a policy (through the policies alone since 0025), and no launcher version
moved (devices keep their 304s).
"""

import psycopg
import pytest

from axolotly.db import migrate
from axolotly.launcher.query import LAUNCHER_SQL, launcher_params
from tests.support.pg import libpq_url, recreate_database

# axolotly/launcher/query.py's statement at revision 0017 (commit 55fa0ab), verbatim.
LAUNCHER_SQL_0017 = """
WITH registry AS (
    SELECT r.id, r.name, r.package, r.pos
    FROM unnest(%(registry_ids)s::text[], %(registry_names)s::text[], %(registry_packages)s::text[]) WITH ORDINALITY AS r(id, name, package, pos)
),
selection AS (
    SELECT s.id, s.pos
    FROM streaming_service_selection ss
    CROSS JOIN LATERAL jsonb_array_elements_text(ss.selected_services) WITH ORDINALITY AS s(id, pos)
    WHERE ss.family_id = %(family_id)s
),
allowed AS (
    SELECT t.id, t.title, t.media_type, t.poster_path, t.backdrop_path, t.certification, t.providers,
           p.blocked_episodes
    FROM kid_profiles_titles p JOIN titles t ON t.id = p.title_id
    WHERE p.kid_profile_id = %(kid_id)s AND p.policy = 'allow'
),
placed AS (
    SELECT a.*, r.id AS service, r.name AS service_name, r.package,
           CASE WHEN EXISTS (SELECT 1 FROM selection) THEN sel.pos ELSE r.pos END AS group_pos
    FROM allowed a
    JOIN registry r ON a.providers ? r.id
    LEFT JOIN selection sel ON sel.id = r.id
    WHERE sel.id IS NOT NULL OR NOT EXISTS (SELECT 1 FROM selection)
),
items AS (
    SELECT pl.service, pl.service_name, pl.package, pl.group_pos, pl.title, pl.id,
        json_build_object(
            'id', pl.id::text,
            'appName', pl.title,
            'packageName', pl.package,
            'iconUrl', COALESCE(%(poster_base)s::text || NULLIF(pl.poster_path, ''), ''),
            'coverArt', COALESCE(%(backdrop_base)s::text || NULLIF(pl.backdrop_path, ''), ''),
            'isEnabled', true,
            'ageRating', COALESCE(NULLIF(pl.certification, ''), 'All'),
            'mediaType', CASE pl.media_type WHEN 'tv' THEN 'TV' ELSE 'MOVIE' END,
            'deepLink', '',
            'episodes', COALESCE((
                SELECT json_agg(json_build_object(
                    'id', 's' || e.season_number || 'e' || e.episode_number,
                    'name', COALESCE(NULLIF(btrim(e.name), ''), 'Episode ' || e.episode_number),
                    'deepLink', COALESCE((
                        SELECT l.url FROM episode_links l
                        WHERE l.episode_id = e.id AND l.platform = pl.service
                          AND (l.verified OR (l.reported_count >= %(link_min_families)s
                                              AND l.platform <> ALL(%(verified_only)s::text[])))
                        ORDER BY l.verified DESC, l.reported_count DESC, l.created_at, l.id
                        LIMIT 1), '')
                ) ORDER BY e.season_number, e.episode_number, e.id)
                FROM episodes e
                WHERE e.title_id = pl.id AND NOT pl.blocked_episodes @> to_jsonb(e.id)
            ), '[]'::json)
        ) AS item
    FROM placed pl
),
groups AS (
    SELECT group_pos, json_build_object(
        'id', service, 'name', service_name, 'package', package, 'packageName', package, 'count', count(*),
        'content', json_agg(item ORDER BY title, id)) AS payload
    FROM items
    GROUP BY service, service_name, package, group_pos
)
SELECT (SELECT launcher_version FROM kid_profiles WHERE id = %(kid_id)s) AS version,
       COALESCE(json_agg(payload ORDER BY group_pos), '[]'::json)::text AS body
FROM groups
"""  # noqa: E501 (verbatim)

BCRYPT = "$2b$04$" + "a" * 53


@pytest.fixture(scope="module")
def at_0017(database_url):
    url = recreate_database(database_url, "axolotly_migration_0018_scratch")
    migrate.upgrade(url, "0017")
    return url


def one(conn, sql: str, *params) -> int:
    return conn.execute(sql, params).fetchone()[0]


def populate(conn) -> dict[str, int]:
    """Two families as 0017 knew them; returns the ids by name."""
    ids: dict[str, int] = {}
    for name in ("A", "B"):
        ids[name] = one(
            conn,
            "INSERT INTO users (email, password_hash, family_name) VALUES (%s, 'x', %s) RETURNING id",
            f"{name.lower()}@example.com",
            name,
        )
    conn.execute(
        "INSERT INTO streaming_service_selection (family_id, selected_services) VALUES (%s, %s)",
        (ids["A"], '["disney_plus", "netflix"]'),
    )
    for kid, family, age in (("Emma", "A", 8), ("Leo", "A", 3), ("Mia", "A", None), ("Zoe", "B", 15)):
        ids[kid] = one(
            conn,
            "INSERT INTO kid_profiles (family_id, name, pin_hash, age) VALUES (%s, %s, %s, %s) RETURNING id",
            ids[family],
            kid,
            BCRYPT,
            age,
        )
    titles = (  # name, media type, certification, providers, tags
        ("Bluey", "tv", "TV-Y", '["disney_plus"]', '["made_for_kids"]'),
        ("Moana", "movie", "PG", '["disney_plus", "netflix"]', '["mild_peril", "rated_pg"]'),
        ("Scary Film", "movie", "R", '["netflix"]', '["scary_scenes", "rated_mature"]'),
        ("Unrated Show", "tv", None, '["netflix"]', "[]"),
        ("Hulu Only", "tv", "TV-14", '["hulu"]', '["peril"]'),
        ("Nobody's", "movie", "G", '["netflix"]', "[]"),
    )
    for n, (name, media_type, certification, providers, tags) in enumerate(titles):
        ids[name] = one(
            conn,
            "INSERT INTO titles (tmdb_id, title, media_type, certification, providers, tags, poster_path) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING id",
            900_000 + n,
            name,
            media_type,
            certification,
            providers,
            tags,
            f"/p{n}.jpg",
        )
    for show in ("Bluey", "Unrated Show", "Hulu Only"):
        for number in (1, 2, 3):
            ids[f"{show} {number}"] = one(
                conn,
                "INSERT INTO episodes (tmdb_episode_id, title_id, season_number, episode_number, name, tags) "
                "VALUES (%s, %s, 1, %s, %s, %s) RETURNING id",
                ids[show] * 10 + number,
                ids[show],
                number,
                f"{show} {number}",
                '["scary_scenes"]' if number == 3 else "[]",
            )
    conn.execute(
        "INSERT INTO episode_links (episode_id, platform, url, verified) VALUES (%s, 'disney_plus', %s, true)",
        (ids["Bluey 1"], "https://www.disneyplus.com/video/bluey-1"),
    )
    policies = (  # kid, title, policy, blocked episodes
        ("Emma", "Bluey", "allow", [ids["Bluey 2"]]),
        ("Emma", "Moana", "allow", []),
        ("Emma", "Scary Film", "allow", []),
        ("Emma", "Unrated Show", "allow", []),
        ("Emma", "Hulu Only", "deny", []),
        ("Leo", "Bluey", "allow", []),
        ("Leo", "Moana", "deny", []),
        ("Zoe", "Hulu Only", "allow", []),
        ("Zoe", "Bluey", "allow", [ids["Bluey 3"]]),
    )
    for kid, title, policy, blocked in policies:
        conn.execute(
            "INSERT INTO kid_profiles_titles (kid_profile_id, title_id, policy, blocked_episodes) "
            "VALUES (%s, %s, %s, %s)",
            (ids[kid], ids[title], policy, str(blocked)),
        )
    conn.execute(
        "INSERT INTO devices (device_id, family_id, kid_profile_id, api_key_digest) VALUES (%s, %s, %s, %s)",
        ("device-emma", ids["A"], ids["Emma"], "0" * 64),
    )
    return ids


KIDS = (("Emma", "A"), ("Leo", "A"), ("Mia", "A"), ("Zoe", "B"))


def launchers(conn, sql: str, ids: dict[str, int]) -> dict[str, tuple[int, str]]:
    """kid -> (launcher_version, /api/apps JSON text)."""
    return {kid: tuple(conn.execute(sql, launcher_params(ids[family], ids[kid])).fetchone()) for kid, family in KIDS}


def test_upgrade_to_0018_keeps_every_launcher_identical(at_0017):
    with psycopg.connect(libpq_url(at_0017), autocommit=True) as conn:
        ids = populate(conn)
        before = launchers(conn, LAUNCHER_SQL_0017, ids)
    migrate.upgrade(at_0017)
    with psycopg.connect(libpq_url(at_0017), autocommit=True) as conn:
        after = launchers(conn, LAUNCHER_SQL, ids)
        rules = conn.execute(
            "SELECT name, rules_mode, max_movie_rating, max_tv_rating, block_unrated, blocked_tags "
            "FROM kid_profiles ORDER BY name"
        ).fetchall()
        # The library since 0025: titles added by hand, and titles with a policy (no second row for those).
        library = set(
            conn.execute(
                "SELECT family_id, title_id FROM family_titles UNION SELECT k.family_id, p.title_id "
                "FROM kid_profiles_titles p JOIN kid_profiles k ON k.id = p.kid_profile_id"
            ).fetchall()
        )
        added_by_hand = conn.execute("SELECT count(*) FROM family_titles").fetchone()[0]
    assert after == before
    assert "Bluey 1" in before["Emma"][1] and "Bluey 2" not in before["Emma"][1] and "Scary Film" in before["Emma"][1]
    assert "Unrated Show 3" in before["Emma"][1] and "bluey-1" in before["Emma"][1] and before["Mia"][1] == "[]"
    assert rules == [(name, "allow_list", None, None, True, []) for name in ("Emma", "Leo", "Mia", "Zoe")]
    assert library == {(ids["A"], ids[t]) for t in ("Bluey", "Moana", "Scary Film", "Unrated Show", "Hulu Only")} | {
        (ids["B"], ids["Hulu Only"]),
        (ids["B"], ids["Bluey"]),
    }
    assert added_by_hand == 0
