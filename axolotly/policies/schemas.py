from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, Field

from axolotly.catalog.schemas import TitleSummary
from axolotly.enums import PolicyKind
from axolotly.types import RowId


def _moment_text(value: object) -> object:
    """The text of ISO 8601 (or a datetime), never a number of seconds read as a moment."""
    if not isinstance(value, (str, datetime)):
        raise ValueError("give a date and time as ISO 8601 text with its offset, e.g. 2026-12-06T20:00:00+01:00")
    return value


MomentText = Annotated[datetime, BeforeValidator(_moment_text)]


class PolicySet(BaseModel):
    policy: PolicyKind
    until: MomentText | None = Field(
        None,
        description="An allow that ends by itself at this instant (ISO 8601 with its offset, in the future, "
        "at most a year ahead); absent or null: for good",
    )


class BlockedEpisodes(BaseModel):
    episode_ids: list[RowId] = Field(max_length=5000, description="Episode ids of this title to block")


class PolicyOut(BaseModel):
    kid_id: int
    title: TitleSummary
    policy: PolicyKind
    blocked_episodes: list[int]
    created_at: datetime
    until: datetime | None = Field(None, description="When the allow ends by itself; null: for good")
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
