"""The kid's launcher, built by PostgreSQL as JSON text in one statement (run by service.py).

Same rules as policies/evaluate.py (a property test holds them together): titles the kid is
allowed (one policy per kid and title, so "allow" means not denied) and, for a kid in `rules`
mode, the family library's titles (families/library_rows.py) without a policy for the kid that the
kid's rules let through, ratings read in the family's country (rating_scales); on the family's
selected services in selection order, or on each title's own providers in the family's country
(its US/any-country list when none is known there) when nothing is selected; a title appears
under every such service; blocked episodes, and episodes tagged with a
tag the kid's rules block, are left out. An allow whose end has come by `%(at)s` (the time the
caller read the kid's ETag, launcher/reads.py) is no policy at all: the rules decide, and its
title counts in the family library as the expiry job will keep it there (policies/until.py). No string is ever null (the
Kotlin client's fields are non-null): the fallbacks are those of the launcher contract.
"""

from datetime import UTC, datetime
from typing import Any

from axolotly.catalog.providers import PROVIDERS, VERIFIED_ONLY_IDS
from axolotly.config import get_settings

POSTER_BASE = "https://image.tmdb.org/t/p/w500"
BACKDROP_BASE = "https://image.tmdb.org/t/p/w780"

# Family scoping: this statement states its family filter itself (`family_id = %(family_id)s`, on the
# selection and the library; the owner's row, `u.id = %(family_id)s`, for the country), the one
# exception to families/scoping.py that tests/test_scoping.py allows: it is raw SQL on the hot
# path, not a statement owned_by could narrow.
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
    -- The family's country is its owner's (the family id is the owner's users.id): the scales the
    -- caps are ratings of, and where titles stream. Each cap's place on its scale, read once.
    SELECT k.rules_mode, k.block_unrated, u.country,
           ARRAY(SELECT jsonb_array_elements_text(k.blocked_tags)) AS blocked_tags,
           k.max_movie_rating, movie_cap.position AS movie_cap_position,
           k.max_tv_rating, tv_cap.position AS tv_cap_position,
           -- The highest age a cap lets through (ratings/scales.py Scale.age_up_to): some scales'
           -- ages are not in order (US TV-G, 0, sits above TV-Y7, 7). NULL: no classification.
           CASE WHEN movie_cap.min_age IS NOT NULL THEN (
               SELECT max(s.min_age) FROM rating_scales s
               WHERE s.kind = 'movie' AND s.country = u.country AND s.position <= movie_cap.position
           ) END AS movie_cap_age,
           CASE WHEN tv_cap.min_age IS NOT NULL THEN (
               SELECT max(s.min_age) FROM rating_scales s
               WHERE s.kind = 'tv' AND s.country = u.country AND s.position <= tv_cap.position
           ) END AS tv_cap_age,
           -- A country that rates one kind only (Ireland and Japan have no TV scale) caps the other
           -- kind with the cap it has, by age (policies/evaluate.py Rules.capping_kind).
           EXISTS (SELECT 1 FROM rating_scales s WHERE s.kind = 'movie' AND s.country = u.country) AS has_movie_scale,
           EXISTS (SELECT 1 FROM rating_scales s WHERE s.kind = 'tv' AND s.country = u.country) AS has_tv_scale
    FROM kid_profiles k
    JOIN users u ON u.id = %(family_id)s
    LEFT JOIN rating_scales movie_cap
           ON movie_cap.kind = 'movie' AND movie_cap.country = u.country AND movie_cap.rating = k.max_movie_rating
    LEFT JOIN rating_scales tv_cap
           ON tv_cap.kind = 'tv' AND tv_cap.country = u.country AND tv_cap.rating = k.max_tv_rating
    WHERE k.id = %(kid_id)s
),
candidates AS (
    -- A parent's allow shows the title whatever the rules say.
    SELECT t.id, false AS by_rules, COALESCE(p.blocked_episodes, '[]'::jsonb) AS blocked_episodes  -- NULL blocks none
    FROM kid_profiles_titles p JOIN titles t ON t.id = p.title_id
    WHERE p.kid_profile_id = %(kid_id)s AND p.policy = 'allow'
      AND (p.allowed_until IS NULL OR p.allowed_until > %(at)s)
    UNION ALL
    -- In rules mode, every library title without a policy for this kid and without a blocked tag.
    SELECT t.id, true, '[]'::jsonb
    FROM kid k
    JOIN (  -- the family library: titles added by hand, titles with a policy for another kid, and
            -- this kid's ended allows (the job that removes them keeps their titles here)
        SELECT f.title_id FROM family_titles f WHERE f.family_id = %(family_id)s
        UNION
        SELECT p.title_id FROM kid_profiles sibling JOIN kid_profiles_titles p ON p.kid_profile_id = sibling.id
        WHERE sibling.family_id = %(family_id)s AND (sibling.id <> %(kid_id)s OR p.allowed_until <= %(at)s)
    ) library ON true
    JOIN titles t ON t.id = library.title_id
    WHERE k.rules_mode = 'rules'
      AND NOT EXISTS (SELECT 1 FROM kid_profiles_titles p WHERE p.kid_profile_id = %(kid_id)s AND p.title_id = t.id
                      AND (p.allowed_until IS NULL OR p.allowed_until > %(at)s))
      AND NOT t.tags ?| k.blocked_tags
),
rated AS (
    -- The rating that decides (policies/evaluate.py rating_reading): the title's certification on
    -- the family country's scale of its kind, else the strictest elsewhere by minimum age (ties:
    -- the first country by code); the spec's `certification` is the US one when no US entry is kept.
    SELECT t.id, t.title, t.media_type, t.poster_path, t.backdrop_path, t.certification, c.by_rules,
           c.blocked_episodes,
           -- Where it streams in the family's country; a title TMDB lists other regions for and not
           -- this one streams nowhere here; only titles without any regions (offline) use the spec's list.
           CASE WHEN jsonb_typeof(t.providers_by_country -> k.country) = 'array'
                THEN t.providers_by_country -> k.country
                WHEN t.providers_by_country = '{}'::jsonb THEN t.providers
                ELSE '[]'::jsonb END AS providers,
           CASE WHEN t.media_type = 'tv' THEN 'tv' ELSE 'movie' END AS kind,
           r.country = k.country AS at_home, r.rating, r.country AS rating_country, r.position, r.min_age
    FROM candidates c
    JOIN titles t ON t.id = c.id
    CROSS JOIN kid k
    LEFT JOIN LATERAL (
        SELECT s.country, s.rating, s.position, s.min_age
        FROM jsonb_each(
            CASE WHEN jsonb_typeof(t.certifications -> 'US') = 'string' OR NULLIF(t.certification, '') IS NULL
                 THEN t.certifications
                 ELSE t.certifications || jsonb_build_object('US', t.certification) END
        ) cert
        JOIN rating_scales s ON s.kind = CASE WHEN t.media_type = 'tv' THEN 'tv' ELSE 'movie' END
                            AND s.country = cert.key AND s.rating = cert.value #>> '{}'
        WHERE jsonb_typeof(cert.value) = 'string' AND s.min_age IS NOT NULL
        ORDER BY s.country = k.country DESC, s.min_age DESC, s.country
        LIMIT 1
    ) r ON true
),
allowed AS (
    SELECT a.* FROM rated a CROSS JOIN kid k
    CROSS JOIN LATERAL (
        SELECT CASE WHEN a.kind = 'tv' AND (k.has_tv_scale OR NOT k.has_movie_scale) THEN 'tv'
                    WHEN a.kind = 'movie' AND NOT k.has_movie_scale AND k.has_tv_scale THEN 'tv'
                    ELSE 'movie' END AS kind
    ) capping
    WHERE NOT a.by_rules OR CASE
        WHEN a.rating IS NULL THEN NOT k.block_unrated
        WHEN (CASE capping.kind WHEN 'tv' THEN k.max_tv_rating ELSE k.max_movie_rating END) IS NULL THEN true
        WHEN a.at_home AND capping.kind = 'tv' THEN a.position <= k.tv_cap_position AND k.tv_cap_age IS NOT NULL
        WHEN a.at_home THEN a.position <= k.movie_cap_position AND k.movie_cap_age IS NOT NULL
        WHEN capping.kind = 'tv' THEN a.min_age <= k.tv_cap_age
        ELSE a.min_age <= k.movie_cap_age
    END
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
            -- The rating in the family's country ("12A"), else the one that decided with its country
            -- ("DE 16"), else the spec's certification or "All" as before.
            'ageRating', CASE WHEN pl.at_home THEN pl.rating
                              WHEN pl.rating IS NOT NULL THEN pl.rating_country || ' ' || pl.rating
                              ELSE COALESCE(NULLIF(pl.certification, ''), 'All') END,
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


def launcher_params(family_id: int, kid_id: int, at: datetime | None = None) -> dict[str, Any]:
    """`at`: the launcher as of then (the allows that have ended by then are gone); now by default."""
    return {
        "family_id": family_id,
        "kid_id": kid_id,
        "at": at or datetime.now(UTC),
        "registry_ids": [p.id for p in PROVIDERS],
        "registry_names": [p.name for p in PROVIDERS],
        "registry_packages": [p.package for p in PROVIDERS],
        "poster_base": POSTER_BASE,
        "backdrop_base": BACKDROP_BASE,
        # Device-reported links are untrusted: verified ones, or those enough families agree on.
        "link_min_families": get_settings().link_min_families,
        "verified_only": VERIFIED_ONLY_IDS,
    }
