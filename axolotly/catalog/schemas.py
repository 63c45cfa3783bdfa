from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict

from axolotly.policies.schemas import TitleSummary
from axolotly.types import RowId


class SearchResult(BaseModel):
    tmdb_id: int
    media_type: str
    title: str
    overview: str | None
    release_date: date | None
    rating: str | None
    poster_path: str | None
    title_id: int | None  # set when the title is already in our catalog


class ImportTitle(BaseModel):
    tmdb_id: RowId
    media_type: Literal["movie", "tv"]


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
