"""TMDB's v3 JSON as the catalog's titles and episodes (sources.py): what to ask and how to read
the answer, shared by the blocking client (jobs) and the async one (requests) in tmdb.py.

A title's one request appends its certifications (movies: `release_dates`, shows:
`content_ratings`) and its `watch/providers`, each for every country TMDB has: they are read
into per-country certifications (and the content descriptors that came with them) and services;
the spec's `certification` and `providers` stay the `region`'s (US).
"""

import re
from typing import Any

from axolotly.catalog.providers import registry_ids_for_offers
from axolotly.catalog.sources import (
    CatalogEpisode,
    CatalogTitle,
    format_rating,
    parse_date,
)
from axolotly.enums import MediaType
from axolotly.ratings.scales import kind_of, normalise

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
            runtime_minutes=runtime_minutes(item.get("runtime")),
        )
        for item in body.get("episodes", [])
    ]


RUNTIME_MAX_MINUTES = 1440  # episodes.runtime_minutes (its CHECK)


def runtime_minutes(value: Any) -> int | None:
    """TMDB's `runtime` of an episode in whole minutes; None when it is missing, 0 (TMDB's way of
    saying unknown), or no sensible number of minutes."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= RUNTIME_MAX_MINUTES:
        return None  # NaN and infinity fail the comparison too
    return round(value) or None


def title_from(item: dict[str, Any], media_type: MediaType, region: str, detailed: bool = False) -> CatalogTitle:
    """A title as TMDB describes it; `detailed` (a title's own request, not a search hit) also
    reads its certifications and where it streams, per country."""
    raw_certifications = _raw_certifications(item, media_type) if detailed else {}
    certifications, rating_descriptors = normalised_ratings(media_type, raw_certifications)
    providers_by_country = _providers_by_country(item) if detailed else {}
    return CatalogTitle(
        tmdb_id=item["id"],
        media_type=media_type,
        title=item.get("title") or item.get("name") or "",
        overview=item.get("overview"),
        release_date=parse_date(item.get("release_date") or item.get("first_air_date")),
        rating=format_rating(item.get("vote_average")),
        certification=next(iter(raw_certifications.get(region, [])), "")[:10] or None,
        genres=[{"id": g["id"], "name": g["name"]} for g in item.get("genres", [])],
        providers=_providers(item, providers_by_country, region) if detailed else [],
        poster_path=item.get("poster_path"),
        backdrop_path=item.get("backdrop_path"),
        certifications=certifications,
        providers_by_country=providers_by_country,
        rating_descriptors=rating_descriptors,
    )


# TMDB's release types, the one whose certification a country's rating is read from first:
# theatrical (3), limited theatrical (2), digital (4), physical (5), TV (6), premiere (1). The
# cinema rating is the one a country's board gives the film itself; a premiere is often rated
# before cuts (or not at all). Types TMDB may add later come last.
RELEASE_TYPE_PREFERENCE = (3, 2, 4, 5, 6, 1)
COUNTRY_CODE = re.compile(r"^[A-Z]{2}$")
# Offers a family's subscription (or no payment) covers; rentals and purchases are not "on" a service.
INCLUDED_OFFERS = ("flatrate", "free", "ads")


def _release_rank(release: dict[str, Any]) -> int:
    kind = release.get("type")
    return RELEASE_TYPE_PREFERENCE.index(kind) if kind in RELEASE_TYPE_PREFERENCE else len(RELEASE_TYPE_PREFERENCE)


def _movie_certifications(item: dict[str, Any]) -> dict[str, list[str]]:
    """Per country, the non-empty certifications of its releases, the preferred release type first."""
    found: dict[str, list[str]] = {}
    for country in item.get("release_dates", {}).get("results", []):
        releases = [r for r in country.get("release_dates", []) if isinstance(r, dict)]
        ranked = sorted(releases, key=_release_rank)  # stable: TMDB's order among equals
        certifications = [r["certification"].strip() for r in ranked if isinstance(r.get("certification"), str)]
        if isinstance(country.get("iso_3166_1"), str) and any(certifications):
            found[country["iso_3166_1"]] = [c for c in certifications if c]
    return found


def _show_certifications(item: dict[str, Any]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for rating in item.get("content_ratings", {}).get("results", []):
        country, value = rating.get("iso_3166_1"), rating.get("rating")
        if isinstance(country, str) and isinstance(value, str) and value.strip():
            found.setdefault(country, []).append(value.strip())
    return found


def _raw_certifications(item: dict[str, Any], media_type: MediaType) -> dict[str, list[str]]:
    """Per country, TMDB's certifications as written, the one to prefer first."""
    return _show_certifications(item) if media_type == MediaType.TV else _movie_certifications(item)


def normalised_ratings(media_type: MediaType, raw: dict[str, list[str]]) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Per country, the first of its certifications that is a rating of its scale of the title's
    kind, in that scale's spelling, and the content descriptors that came with it, where some did
    ("TV-PG-LV" is TV-PG, with ["L", "V"]). Countries with no such rating are left out of both
    (unrated there: a value off the scale is no rating the family's rules can compare)."""
    kind = kind_of(media_type)
    certifications: dict[str, str] = {}
    descriptors: dict[str, list[str]] = {}
    for country, values in sorted(raw.items()):
        rated = [(rating, found) for rating, found in (normalise(kind, country, value) for value in values) if rating]
        if not rated:
            continue
        certifications[country], its_descriptors = rated[0]
        if its_descriptors:
            descriptors[country] = list(its_descriptors)
    return certifications, descriptors


def _providers_by_country(item: dict[str, Any]) -> dict[str, list[str]]:
    """Per region TMDB lists, the registry's services the title streams on there (regions with
    none the registry knows are left out)."""
    found = {}
    for country, offers in sorted(item.get("watch/providers", {}).get("results", {}).items()):
        if not COUNTRY_CODE.match(country) or not isinstance(offers, dict):
            continue
        included = [offer for kind in INCLUDED_OFFERS for offer in offers.get(kind) or []]
        if ids := registry_ids_for_offers(included, country):
            found[country] = ids
    return found


def _providers(item: dict[str, Any], by_country: dict[str, list[str]], region: str) -> list[str]:
    """The spec's `providers`: the region's (US) services when TMDB lists the region, else every
    region's, so a title seen only elsewhere still has its services."""
    if region in item.get("watch/providers", {}).get("results", {}):
        return by_country.get(region, [])
    return list(dict.fromkeys(service for services in by_country.values() for service in services))
