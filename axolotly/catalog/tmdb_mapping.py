"""TMDB's v3 JSON as the catalog's titles and episodes (sources.py): what to ask and how to read
the answer, shared by the blocking client (jobs) and the async one (requests) in tmdb.py."""

from typing import Any

from axolotly.catalog.providers import registry_ids_for_tmdb
from axolotly.catalog.sources import (
    CatalogEpisode,
    CatalogTitle,
    format_rating,
    parse_date,
)
from axolotly.enums import MediaType

SEARCH_PATH = "/search/multi"


def search_params(query: str) -> dict[str, str]:
    return {"query": query, "include_adult": "false"}


def titles_found(body: dict[str, Any], media_type: MediaType | None, region: str) -> list[CatalogTitle]:
    """Movies and shows of a multi-search (people are left out), of `media_type` when given."""
    results = []
    for item in body.get("results", []):
        kind = item.get("media_type")
        if kind not in (MediaType.MOVIE, MediaType.TV) or (media_type and kind != media_type):
            continue
        results.append(title_from(item, MediaType(kind), region))
    return results


def title_request(media_type: MediaType, tmdb_id: int) -> tuple[str, dict[str, str]]:
    extras = "watch/providers,release_dates" if media_type == MediaType.MOVIE else "watch/providers,content_ratings"
    return f"/{media_type}/{tmdb_id}", {"append_to_response": extras}


def season_numbers(show: dict[str, Any]) -> list[int]:
    # Season 0 holds "specials" (trailers, shorts); parents pick from the real seasons.
    return [season["season_number"] for season in show.get("seasons", []) if season.get("season_number")]


def episodes_of_season(body: dict[str, Any], number: int) -> list[CatalogEpisode]:
    return [
        CatalogEpisode(
            tmdb_episode_id=item["id"],
            season_number=item.get("season_number", number),
            episode_number=item["episode_number"],
            name=item.get("name"),
            overview=item.get("overview"),
            air_date=parse_date(item.get("air_date")),
            thumbnail_path=item.get("still_path"),
        )
        for item in body.get("episodes", [])
    ]


def title_from(item: dict[str, Any], media_type: MediaType, region: str, detailed: bool = False) -> CatalogTitle:
    return CatalogTitle(
        tmdb_id=item["id"],
        media_type=media_type,
        title=item.get("title") or item.get("name") or "",
        overview=item.get("overview"),
        release_date=parse_date(item.get("release_date") or item.get("first_air_date")),
        rating=format_rating(item.get("vote_average")),
        certification=_certification(item, media_type, region) if detailed else None,
        genres=[{"id": g["id"], "name": g["name"]} for g in item.get("genres", [])],
        providers=_providers(item, region) if detailed else [],
        poster_path=item.get("poster_path"),
        backdrop_path=item.get("backdrop_path"),
    )


def _providers(item: dict[str, Any], region: str) -> list[str]:
    offers = item.get("watch/providers", {}).get("results", {}).get(region, {})
    ids = [p["provider_id"] for kind in ("flatrate", "free", "ads") for p in offers.get(kind, [])]
    return registry_ids_for_tmdb(ids)


def _certification(item: dict[str, Any], media_type: MediaType, region: str) -> str | None:
    if media_type == MediaType.TV:
        for rating in item.get("content_ratings", {}).get("results", []):
            if rating.get("iso_3166_1") == region and rating.get("rating"):
                return rating["rating"][:10]
        return None
    for country in item.get("release_dates", {}).get("results", []):
        if country.get("iso_3166_1") == region:
            for release in country.get("release_dates", []):
                if release.get("certification"):
                    return release["certification"][:10]
    return None
