"""The offline catalog source: the shipped data file, for demos, tests and air-gapped installs.

The file keeps one title a line and names its genres; TMDB's ids for them are added here (the
movie and TV lists share most names, "Action & Adventure", "Kids" and "Sci-Fi & Fantasy" are TV's).
A title's `certification` is its US one; `certifications` (when the file has them) its other
countries', read like TMDB's (normalised on each country's scale). Where titles stream is kept
for the US only (`watch_providers`): offline, `providers_by_country` stays empty and the launcher
falls back to `providers`. An episode's `runtime` is its show's typical length in minutes, read
like TMDB's, so the demo's "let the episode finish" grace has something to go on.
"""

import json
from functools import lru_cache
from importlib import resources

from axolotly.catalog.providers import registry_ids_for_tmdb
from axolotly.catalog.sources import CatalogEpisode, CatalogTitle, format_rating, parse_date
from axolotly.catalog.tmdb_mapping import normalised_ratings, runtime_minutes
from axolotly.enums import MediaType

GENRE_IDS = {
    "Action": 28,
    "Adventure": 12,
    "Animation": 16,
    "Comedy": 35,
    "Crime": 80,
    "Documentary": 99,
    "Drama": 18,
    "Family": 10751,
    "Fantasy": 14,
    "History": 36,
    "Horror": 27,
    "Music": 10402,
    "Mystery": 9648,
    "Romance": 10749,
    "Science Fiction": 878,
    "Thriller": 53,
    "War": 10752,
    "Western": 37,
    "Action & Adventure": 10759,
    "Kids": 10762,
    "Sci-Fi & Fantasy": 10765,
}


@lru_cache
def _entries() -> tuple[dict, ...]:
    text = (resources.files("axolotly.data") / "offline_catalog.json").read_text(encoding="utf-8")
    return tuple(json.loads(text)["titles"])


def _to_title(entry: dict) -> CatalogTitle:
    certifications, rating_descriptors = _ratings(entry)
    return CatalogTitle(
        tmdb_id=entry["tmdb_id"],
        media_type=MediaType(entry["media_type"]),
        title=entry["title"],
        overview=entry.get("overview"),
        release_date=parse_date(entry.get("release_date")),
        rating=format_rating(entry.get("vote_average")),
        certification=entry.get("certification"),
        genres=[{"id": GENRE_IDS[name], "name": name} for name in entry.get("genres", [])],
        providers=registry_ids_for_tmdb(entry.get("watch_providers", [])),
        poster_path=entry.get("poster_path"),
        backdrop_path=entry.get("backdrop_path"),
        certifications=certifications,
        rating_descriptors=rating_descriptors,
    )


def _ratings(entry: dict) -> tuple[dict[str, str], dict[str, list[str]]]:
    raw = {country: [value] for country, value in (entry.get("certifications") or {}).items() if isinstance(value, str)}
    if entry.get("certification"):
        raw["US"] = [entry["certification"]]  # the file's US rating is `certification`, whatever else it says
    return normalised_ratings(MediaType(entry["media_type"]), raw)


class OfflineCatalog:
    def search(self, query: str, media_type: MediaType | None = None) -> list[CatalogTitle]:
        needle = query.casefold().strip()
        return [
            _to_title(entry)
            for entry in _entries()
            if needle in entry["title"].casefold() and (media_type is None or entry["media_type"] == media_type)
        ]

    def get_title(self, media_type: MediaType, tmdb_id: int) -> CatalogTitle | None:
        for entry in _entries():
            if entry["tmdb_id"] == tmdb_id and entry["media_type"] == media_type:
                return _to_title(entry)
        return None

    def get_episodes(self, tmdb_id: int) -> list[CatalogEpisode]:
        for entry in _entries():
            if entry["tmdb_id"] == tmdb_id and entry["media_type"] == MediaType.TV:
                return [
                    CatalogEpisode(
                        tmdb_episode_id=episode["tmdb_episode_id"],
                        season_number=season["season_number"],
                        episode_number=episode["episode_number"],
                        name=episode.get("name"),
                        overview=episode.get("overview"),
                        air_date=parse_date(episode.get("air_date")),
                        runtime_minutes=runtime_minutes(episode.get("runtime")),  # the episode grace needs it
                    )
                    for season in entry.get("seasons", [])  # most shows ship without episodes
                    for episode in season["episodes"]
                ]
        return []

    def all_titles(self) -> list[CatalogTitle]:
        return [_to_title(entry) for entry in _entries()]
