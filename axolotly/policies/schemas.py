from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from axolotly.types import RowId


class PolicySet(BaseModel):
    policy: Literal["allow", "deny"]


class BlockedEpisodes(BaseModel):
    episode_ids: list[RowId] = Field(max_length=5000, description="Episode ids of this title to block")


class TitleSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    tmdb_id: int
    title: str
    media_type: str
    poster_path: str | None
    release_date: date | None
    rating: str | None
    certification: str | None
    providers: list[str]
    tags: list[str]


class PolicyOut(BaseModel):
    kid_id: int
    title: TitleSummary
    policy: str
    blocked_episodes: list[int]
    created_at: datetime
    episodes_job_queued: bool = Field(False, description="True when the show's episodes are being loaded")


class EpisodeExplanation(BaseModel):
    episode_id: int
    season_number: int
    episode_number: int
    name: str | None
    visible: bool
    reason: str
    explanation: str


class TitleExplanation(BaseModel):
    kid_id: int
    title_id: int
    visible: bool
    reason: str
    explanation: str
    services: list[str] = Field(description="Launcher groups the title appears under, in family order")
    episodes: list[EpisodeExplanation]
