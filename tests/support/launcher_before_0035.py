"""The launcher statement as it was from migration 0018 to 0034, before family countries (issue 25).

The migration tests of 0021, 0027 and 0029 render a family's launcher before and after their
migration and compare: today's statement reads tables of later migrations (`rating_scales`,
`users.country`), so they render with the statement those schemas served. Frozen on purpose.
"""

from typing import Any

from axolotly.catalog.providers import PROVIDERS, VERIFIED_ONLY_IDS
from axolotly.config import get_settings

US_MOVIE_RATINGS = ("G", "PG", "PG-13", "R", "NC-17")
US_TV_RATINGS = ("TV-Y", "TV-Y7", "TV-G", "TV-PG", "TV-14", "TV-MA")
POSTER_BASE = "https://image.tmdb.org/t/p/w500"
BACKDROP_BASE = "https://image.tmdb.org/t/p/w780"

LAUNCHER_SQL = """
WITH registry AS (
    SELECT r.id, r.name, r.package, r.pos
    FROM unnest(%(registry_ids)s::text[], %(registry_names)s::text[], %(registry_packages)s::text[])
         WITH ORDINALITY AS r(id, name, package, pos)
),
selection AS (
    SELECT s.id, s.pos
    FROM streaming_service_selection ss
    CROSS JOIN LATERAL jsonb_array_elements_text(ss.selected_services) WITH ORDINALITY AS s(id, pos)
    WHERE ss.family_id = %(family_id)s
),
kid AS (
    SELECT k.rules_mode, k.max_movie_rating, k.max_tv_rating, k.block_unrated,
           ARRAY(SELECT jsonb_array_elements_text(k.blocked_tags)) AS blocked_tags
    FROM kid_profiles k WHERE k.id = %(kid_id)s
),
allowed AS (
    -- A parent's allow shows the title whatever the rules say.
    SELECT t.id, t.title, t.media_type, t.poster_path, t.backdrop_path, t.certification, t.providers,
           COALESCE(p.blocked_episodes, '[]'::jsonb) AS blocked_episodes  -- NULL, like [], blocks none
    FROM kid_profiles_titles p JOIN titles t ON t.id = p.title_id
    WHERE p.kid_profile_id = %(kid_id)s AND p.policy = 'allow'
    UNION ALL
    -- In rules mode, every library title without a policy for this kid that the rules let through.
    SELECT t.id, t.title, t.media_type, t.poster_path, t.backdrop_path, t.certification, t.providers,
           '[]'::jsonb
    FROM kid k
    JOIN (  -- the family library: titles added by hand, and titles with a policy for another kid
        SELECT f.title_id FROM family_titles f WHERE f.family_id = %(family_id)s
        UNION
        SELECT p.title_id FROM kid_profiles sibling JOIN kid_profiles_titles p ON p.kid_profile_id = sibling.id
        WHERE sibling.family_id = %(family_id)s AND sibling.id <> %(kid_id)s
    ) library ON true
    JOIN titles t ON t.id = library.title_id
    WHERE k.rules_mode = 'rules'
      AND NOT EXISTS (SELECT 1 FROM kid_profiles_titles p WHERE p.kid_profile_id = %(kid_id)s AND p.title_id = t.id)
      AND CASE
            WHEN t.certification = ANY(%(movie_ratings)s::text[]) THEN k.max_movie_rating IS NULL
                 OR array_position(%(movie_ratings)s::text[], t.certification)
                    <= array_position(%(movie_ratings)s::text[], k.max_movie_rating)
            WHEN t.certification = ANY(%(tv_ratings)s::text[]) THEN k.max_tv_rating IS NULL
                 OR array_position(%(tv_ratings)s::text[], t.certification)
                    <= array_position(%(tv_ratings)s::text[], k.max_tv_rating)
            ELSE NOT k.block_unrated
          END
      AND NOT t.tags ?| k.blocked_tags
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
                  AND NOT e.tags ?| (SELECT blocked_tags FROM kid)
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
"""


def launcher_params(family_id: int, kid_id: int) -> dict[str, Any]:
    return {
        "family_id": family_id,
        "kid_id": kid_id,
        "registry_ids": [p.id for p in PROVIDERS],
        "registry_names": [p.name for p in PROVIDERS],
        "registry_packages": [p.package for p in PROVIDERS],
        "poster_base": POSTER_BASE,
        "backdrop_base": BACKDROP_BASE,
        "link_min_families": get_settings().link_min_families,
        "movie_ratings": list(US_MOVIE_RATINGS),
        "tv_ratings": list(US_TV_RATINGS),
        "verified_only": VERIFIED_ONLY_IDS,
    }
