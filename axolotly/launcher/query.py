"""The kid's launcher, built by PostgreSQL as JSON text in one statement.

Same rules as policies/evaluate.py (a property test holds them together): titles the kid is
allowed (one policy per kid and title, so "allow" means not denied), on the family's selected
services in selection order, or on each title's own providers when nothing is selected; a title
appears under every such service; blocked episodes are left out. No string is ever null (the
Kotlin client's fields are non-null): the fallbacks are those of the launcher contract.
"""

import gzip
from collections import OrderedDict
from dataclasses import dataclass
from threading import Lock

from axolotly.catalog.providers import PROVIDERS, VERIFIED_ONLY_IDS
from axolotly.config import get_settings
from axolotly.launcher.reads import LauncherReads

POSTER_BASE = "https://image.tmdb.org/t/p/w500"
BACKDROP_BASE = "https://image.tmdb.org/t/p/w780"

LAUNCHER_SQL = """
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
"""


@dataclass(frozen=True)
class RenderedLauncher:
    """One kid's launcher at one version, encoded once: plain JSON and gzip (OkHttp asks for it)."""

    json: bytes
    gzip: bytes

    @classmethod
    def of(cls, text: str) -> "RenderedLauncher":
        body = text.encode()
        return cls(body, gzip.compress(body, compresslevel=6, mtime=0))


class RenderedLaunchers:
    """Per-process cache of rendered launchers keyed by (kid, launcher_version).

    Safe because database triggers bump launcher_version on every change that can alter a kid's
    launcher (migration 0012): a new version is a new key, so a stale body is never served.
    """

    def __init__(self, max_entries: int = 512):
        self.max_entries = max_entries
        self._bodies: OrderedDict[tuple[int, int], RenderedLauncher] = OrderedDict()
        self._lock = Lock()

    def get(self, key: tuple[int, int]) -> RenderedLauncher | None:
        with self._lock:
            body = self._bodies.get(key)
            if body is not None:
                self._bodies.move_to_end(key)
            return body

    def put(self, key: tuple[int, int], body: RenderedLauncher) -> None:
        with self._lock:
            self._bodies[key] = body
            self._bodies.move_to_end(key)
            while len(self._bodies) > self.max_entries:
                self._bodies.popitem(last=False)


rendered_launchers = RenderedLaunchers()


async def cached_launcher(reads: LauncherReads, family_id: int, kid_id: int, version: int) -> RenderedLauncher:
    """The kid's launcher at `version` (the primary's, from the device lookup).

    Built on a read replica when one is healthy; a replica that has not replayed `version` yet is
    not trusted, and the primary builds it. Only a body of exactly `version` is cached.
    """
    key = (kid_id, version)
    rendered = rendered_launchers.get(key)
    if rendered is not None:
        return rendered
    params = launcher_params(family_id, kid_id)
    row = await reads.fetch_one_replica(LAUNCHER_SQL, params)
    if row.version != version:
        row = await reads.fetch_one(LAUNCHER_SQL, params)
    rendered = RenderedLauncher.of(row.body)
    if row.version == version:
        rendered_launchers.put(key, rendered)
    return rendered


def launcher_params(family_id: int, kid_id: int) -> dict:
    return {
        "family_id": family_id, "kid_id": kid_id,
        "registry_ids": [p.id for p in PROVIDERS],
        "registry_names": [p.name for p in PROVIDERS],
        "registry_packages": [p.package for p in PROVIDERS],
        "poster_base": POSTER_BASE, "backdrop_base": BACKDROP_BASE,
        # Device-reported links are untrusted: verified ones, or those enough families agree on.
        "link_min_families": get_settings().link_min_families,
        "verified_only": VERIFIED_ONLY_IDS,
    }
