"""What the catalog needs from a source of titles: TMDB online (tmdb.py), the shipped file offline
(offline.py); jobs ask it blocking (CatalogSource), requests awaited (AsyncCatalogSource). "Source",
not "provider": a provider is a streaming service (providers.py)."""

from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from axolotly.enums import MediaType


@dataclass(frozen=True)
class CatalogTitle:
    tmdb_id: int
    media_type: MediaType
    title: str
    overview: str | None = None
    release_date: date | None = None
    rating: str | None = None  # TMDB's vote average out of 10, e.g. "7.6"
    certification: str | None = None  # e.g. "TV-Y", "PG"
    genres: list[dict] = field(default_factory=list)  # [{"id": 16, "name": "Animation"}]
    providers: list[str] = field(default_factory=list)  # registry ids, see providers.py
    poster_path: str | None = None
    backdrop_path: str | None = None
    # Per country: the certification on that country's scale of the title's kind, normalised
    # ({"GB": "12A", "DE": "12"}), and the registry ids it streams on there ({"GB": ["netflix"]}).
    certifications: dict[str, str] = field(default_factory=dict)
    providers_by_country: dict[str, list[str]] = field(default_factory=dict)
    # Per country, the content descriptors that came with its certification, only where there are
    # some ({"US": ["L", "V"]}: TMDB's "TV-PG-LV" is TV-PG in `certifications`, L and V here).
    rating_descriptors: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class CatalogEpisode:
    tmdb_episode_id: int
    season_number: int
    episode_number: int
    name: str | None = None
    overview: str | None = None
    air_date: date | None = None
    thumbnail_path: str | None = None
    runtime_minutes: int | None = None  # None: unknown (the episode grace needs it)


class CatalogSource(Protocol):
    def search(self, query: str, media_type: MediaType | None = None) -> list[CatalogTitle]: ...

    def get_title(self, media_type: MediaType, tmdb_id: int) -> CatalogTitle | None: ...

    def get_episodes(self, tmdb_id: int) -> list[CatalogEpisode]: ...


class AsyncCatalogSource(Protocol):
    """What requests ask a source, awaited: a slow source must hold no thread (tmdb.py)."""

    async def search(self, query: str, media_type: MediaType | None = None) -> list[CatalogTitle]: ...

    async def get_title(self, media_type: MediaType, tmdb_id: int) -> CatalogTitle | None: ...


class AwaitableSource:
    """A source that answers at once (the offline file, in memory) behind the awaited interface."""

    def __init__(self, source: CatalogSource):
        self.source = source

    async def search(self, query: str, media_type: MediaType | None = None) -> list[CatalogTitle]:
        return self.source.search(query, media_type)

    async def get_title(self, media_type: MediaType, tmdb_id: int) -> CatalogTitle | None:
        return self.source.get_title(media_type, tmdb_id)


def parse_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def format_rating(vote_average: float | None) -> str | None:
    return None if vote_average is None else f"{float(vote_average):.1f}"
