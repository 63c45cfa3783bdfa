from datetime import date

from pydantic import BaseModel, ConfigDict

from axolotly.enums import MediaType
from axolotly.types import RowId


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
    providers: list[str]
    tags: list[str]


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
    genres: list[dict]
    episodes: list[EpisodeOut]
