from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict

from axolotly.enums import MediaType
from axolotly.types import RowId


# Output reads stored arrays as they are, never through input rules: a row written by an older
# backend or by hand (providers as TMDB numbers, genres as plain names) must not turn a list into
# a 500. The database guarantees an array (migration 0029); its items are taken as they come.
def _names(stored: list[Any]) -> list[str]:
    """Text items as they are, numbers spelled out; null and objects name nothing."""
    return [str(item) for item in stored if isinstance(item, str | int | float) and not isinstance(item, bool)]


def _genres(stored: list[Any]) -> list[dict]:
    """TMDB's genre objects as they are; a plain name (an older backend's) as {"name": ...}."""
    return [item if isinstance(item, dict) else {"name": item} for item in stored if isinstance(item, dict | str)]


def _descriptors(stored: Any) -> dict[str, list[str]]:
    """Per country, the text items of its list as they are; a country whose value is no list, or
    holds no text, has none (the column is an object by its CHECK, but its values are anyone's)."""
    if not isinstance(stored, dict):
        return {}
    found = {
        country: [item for item in items if isinstance(item, str)]
        for country, items in stored.items()
        if isinstance(items, list)
    }
    return {country: items for country, items in found.items() if items}


StoredNames = Annotated[list[str], BeforeValidator(_names)]
StoredGenres = Annotated[list[dict], BeforeValidator(_genres)]
StoredDescriptors = Annotated[dict[str, list[str]], BeforeValidator(_descriptors)]


class TitleSummary(BaseModel):
    """A title as every list shows it (catalog, policies, reports)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    tmdb_id: int
    title: str
    media_type: MediaType
    poster_path: str | None
    release_date: date | None
    rating: str | None
    certification: str | None
    providers: StoredNames  # registry ids (an older row may hold names no registry knows)
    tags: StoredNames


class SearchResult(BaseModel):
    tmdb_id: int
    media_type: MediaType
    title: str
    overview: str | None
    release_date: date | None
    rating: str | None
    poster_path: str | None
    title_id: int | None  # set when the title is already in our catalog


class ImportTitle(BaseModel):
    tmdb_id: RowId
    media_type: MediaType


class EpisodeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    season_number: int
    episode_number: int
    name: str | None
    overview: str | None
    air_date: date | None


class TitleDetail(TitleSummary):
    overview: str | None
    backdrop_path: str | None
    genres: StoredGenres  # [{"id": 16, "name": "Animation"}]
    episodes: list[EpisodeOut]
    # Per country, the content descriptors of its certification ({"US": ["L", "V"]}); additive.
    rating_descriptors: StoredDescriptors = {}
