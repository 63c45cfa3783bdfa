"""TMDB's HTTP API as a CatalogSource (sources.py).

Retries with exponential backoff on 429, 5xx and transport errors (honouring Retry-After), then
raises UpstreamUnavailable, which the API answers with 502.
"""

import time
from typing import Any

import httpx

from axolotly.catalog.providers import registry_ids_for_tmdb
from axolotly.catalog.sources import CatalogEpisode, CatalogSource, CatalogTitle, format_rating, parse_date
from axolotly.config import Settings
from axolotly.enums import MediaType
from axolotly.errors import UpstreamUnavailable

RETRYABLE_STATUS = {429, 500, 502, 503, 504}
MAX_BACKOFF_SECONDS = 8.0


class TmdbClient:
    def __init__(self, settings: Settings, *, http: httpx.Client | None = None,
                 region: str = "US", sleep=time.sleep):
        headers = {"Accept": "application/json"}
        params = {}
        if settings.tmdb_bearer_token:
            headers["Authorization"] = f"Bearer {settings.tmdb_bearer_token}"
        elif settings.tmdb_api_key:
            params["api_key"] = settings.tmdb_api_key
        self._http = http or httpx.Client(
            base_url=settings.tmdb_base_url, headers=headers, params=params,
            timeout=settings.tmdb_timeout_seconds,
        )
        self._max_retries = settings.tmdb_max_retries
        self._region = region
        self._sleep = sleep

    # -- CatalogSource -----------------------------------------------------------------------

    def search(self, query: str, media_type: MediaType | None = None) -> list[CatalogTitle]:
        body = self._get("/search/multi", params={"query": query, "include_adult": "false"})
        results = []
        for item in body.get("results", []):
            kind = item.get("media_type")
            if kind not in (MediaType.MOVIE, MediaType.TV) or (media_type and kind != media_type):
                continue
            results.append(self._title_from(item, MediaType(kind)))
        return results

    def get_title(self, media_type: MediaType, tmdb_id: int) -> CatalogTitle | None:
        extras = "watch/providers,release_dates" if media_type == MediaType.MOVIE else "watch/providers,content_ratings"
        body = self._get(f"/{media_type}/{tmdb_id}", params={"append_to_response": extras}, allow_404=True)
        if body is None:
            return None
        return self._title_from(body, media_type, detailed=True)

    def get_episodes(self, tmdb_id: int) -> list[CatalogEpisode]:
        show = self._get(f"/tv/{tmdb_id}", allow_404=True)
        if show is None:
            return []
        episodes: list[CatalogEpisode] = []
        # Season 0 holds "specials" (trailers, shorts); parents pick from the real seasons.
        for season in show.get("seasons", []):
            number = season.get("season_number")
            if not number:
                continue
            body = self._get(f"/tv/{tmdb_id}/season/{number}", allow_404=True) or {}
            for item in body.get("episodes", []):
                episodes.append(CatalogEpisode(
                    tmdb_episode_id=item["id"],
                    season_number=item.get("season_number", number),
                    episode_number=item["episode_number"],
                    name=item.get("name"),
                    overview=item.get("overview"),
                    air_date=parse_date(item.get("air_date")),
                    thumbnail_path=item.get("still_path"),
                ))
        return episodes

    # -- mapping -----------------------------------------------------------------------------

    def _title_from(self, item: dict[str, Any], media_type: MediaType, detailed: bool = False) -> CatalogTitle:
        return CatalogTitle(
            tmdb_id=item["id"],
            media_type=media_type,
            title=item.get("title") or item.get("name") or "",
            overview=item.get("overview"),
            release_date=parse_date(item.get("release_date") or item.get("first_air_date")),
            rating=format_rating(item.get("vote_average")),
            certification=self._certification(item, media_type) if detailed else None,
            genres=[{"id": g["id"], "name": g["name"]} for g in item.get("genres", [])],
            providers=self._providers(item) if detailed else [],
            poster_path=item.get("poster_path"),
            backdrop_path=item.get("backdrop_path"),
        )

    def _providers(self, item: dict[str, Any]) -> list[str]:
        regions = item.get("watch/providers", {}).get("results", {})
        offers = regions.get(self._region, {})
        ids = [p["provider_id"] for kind in ("flatrate", "free", "ads") for p in offers.get(kind, [])]
        return registry_ids_for_tmdb(ids)

    def _certification(self, item: dict[str, Any], media_type: MediaType) -> str | None:
        if media_type == MediaType.TV:
            for rating in item.get("content_ratings", {}).get("results", []):
                if rating.get("iso_3166_1") == self._region and rating.get("rating"):
                    return rating["rating"][:10]
            return None
        for country in item.get("release_dates", {}).get("results", []):
            if country.get("iso_3166_1") == self._region:
                for release in country.get("release_dates", []):
                    if release.get("certification"):
                        return release["certification"][:10]
        return None

    # -- HTTP --------------------------------------------------------------------------------

    def _get(self, path: str, params: dict | None = None, allow_404: bool = False) -> dict | None:
        for attempt in range(self._max_retries + 1):
            try:
                response = self._http.get(path, params=params)
            except httpx.TransportError as error:
                if attempt == self._max_retries:
                    raise UpstreamUnavailable(f"TMDB is unreachable: {error.__class__.__name__}") from error
                self._sleep(self._backoff(attempt, None))
                continue
            if response.status_code == 404 and allow_404:
                return None
            if response.status_code in RETRYABLE_STATUS and attempt < self._max_retries:
                self._sleep(self._backoff(attempt, response.headers.get("Retry-After")))
                continue
            if response.status_code != 200:
                raise UpstreamUnavailable(f"TMDB answered {response.status_code} for {path}")
            return response.json()
        raise AssertionError("unreachable")

    @staticmethod
    def _backoff(attempt: int, retry_after: str | None) -> float:
        if retry_after and retry_after.isdigit():
            return min(float(retry_after), MAX_BACKOFF_SECONDS)
        return min(0.5 * 2**attempt, MAX_BACKOFF_SECONDS)


def catalog_source(settings: Settings) -> CatalogSource:
    """TMDB when a key is configured, else the shipped offline catalog."""
    if settings.tmdb_enabled:
        return TmdbClient(settings)
    from axolotly.catalog.offline import OfflineCatalog

    return OfflineCatalog()
