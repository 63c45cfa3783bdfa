from datetime import datetime

from pydantic import BaseModel, Field

from axolotly.catalog.schemas import TitleSummary
from axolotly.enums import PolicyKind
from axolotly.types import RowId


class PolicySet(BaseModel):
    policy: PolicyKind


class BlockedEpisodes(BaseModel):
    episode_ids: list[RowId] = Field(max_length=5000, description="Episode ids of this title to block")


class PolicyOut(BaseModel):
    kid_id: int
    title: TitleSummary
    policy: PolicyKind
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
