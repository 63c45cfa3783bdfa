from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from axolotly.enums import ReportStatus
from axolotly.types import RowId, Text

ISSUE_TYPES = (
    "inappropriate_content",
    "wrong_age_rating",
    "wrong_episode_data",
    "broken_link",
    "not_on_service",
    "other",
)
IssueType = Literal[
    "inappropriate_content", "wrong_age_rating", "wrong_episode_data", "broken_link", "not_on_service", "other"
]


class ReportCreate(BaseModel):
    title_id: RowId
    issue_type: IssueType
    description: Text = Field("", max_length=2000)


class ReportOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title_id: int
    issue_type: str
    description: str | None
    status: ReportStatus
    created_at: datetime
    resolved_at: datetime | None


class AdminReportOut(ReportOut):
    family_id: int


class GroupedReportOut(AdminReportOut):
    family: str  # the family's name
    family_email: str


class ReportGroupOut(BaseModel):
    """The reports of one title and issue (newest first); `pending` counts those still open."""

    title_id: int
    title: str
    issue_type: str
    pending: int
    reports: list[GroupedReportOut]


class ReportGroupClose(BaseModel):
    title_id: RowId
    issue_type: Text = Field(min_length=1, max_length=100)


class ReportGroupClosed(BaseModel):
    closed: int
