"""The notifications API's shapes: the in-app list, a parent's settings, the admin's deliveries."""

from dataclasses import asdict
from datetime import datetime, time
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, model_validator
from pydantic_core import PydanticCustomError

from axolotly.i18n import N_
from axolotly.notifications.delivery import DeliveryRow
from axolotly.notifications.listing import MAX_PAGE, PAGE_SIZE, NoticeLine
from axolotly.notifications.preferences import Preferences
from axolotly.types import RowId, ascii_number

# The columns are bigint, but ids arrive as the house's ids do (types.py RowId: PostgreSQL integer):
# one rule for every id in a path or query. At 400,000 notices a day that range lasts 14 years;
# docs/notifications.md says so.
NotificationId = RowId
DeliveryId = RowId
PageLimit = Annotated[int, Field(ge=1, le=MAX_PAGE), BeforeValidator(ascii_number)]
EventName = Literal[
    "title_request",
    "pin_locked",
    "device_paired",
    "device_repairing",
    "limit_reached",
    "co_parent_joined",
    "co_parent_left",
    "weekly_summary",
]
ClockTime = Annotated[
    str,
    Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", examples=["21:00"], description="HH:MM (24 h), family's zone"),
]
DEFAULT_PAGE = PAGE_SIZE


def clock(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


class NotificationOut(BaseModel):
    id: int
    event: str
    created_at: datetime
    read: bool
    title: str  # in the caller's language (their account setting, else English)
    text: str
    link: str  # the page that acts on it (a path of the parent pages)
    kid_id: int | None

    @classmethod
    def of(cls, line: NoticeLine) -> "NotificationOut":
        return cls.model_validate(asdict(line))


class NotificationList(BaseModel):
    items: list[NotificationOut]
    unread_count: int
    next_before: int | None = Field(description="The `before` of the next page; null on the last one")


class MarkedRead(BaseModel):
    marked: int  # notifications that were unread
    unread_count: int


class ChannelsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: StrictBool | None = None  # null or missing: unchanged
    in_app: StrictBool | None = None


class ChannelsOut(BaseModel):
    email: bool
    in_app: bool


class QuietHours(BaseModel):
    """Emails wait from `start` until `end` (family's zone); end before start: until the next morning."""

    model_config = ConfigDict(extra="forbid")

    start: ClockTime
    end: ClockTime

    @model_validator(mode="after")
    def _not_empty(self) -> "QuietHours":
        if self.start == self.end:
            raise PydanticCustomError("empty_quiet_hours", N_("Quiet hours must start and end at different times"))
        return self

    def times(self) -> tuple[time, time]:
        return clock(self.start), clock(self.end)


class NotificationSettingsIn(BaseModel):
    """Any of the events (the others stay as they are); `quiet_hours`: null turns them off, left
    out leaves them as they are."""

    model_config = ConfigDict(extra="forbid")

    events: dict[EventName, ChannelsIn] = Field(default_factory=dict)
    quiet_hours: QuietHours | None = None

    def changes(self) -> dict[str, dict[str, bool | None]]:
        return {event: {"email": c.email, "in_app": c.in_app} for event, c in self.events.items()}


class NotificationSettingsOut(BaseModel):
    events: dict[str, ChannelsOut]
    quiet_hours: QuietHours | None

    @classmethod
    def of(cls, preferences: Preferences) -> "NotificationSettingsOut":
        quiet = preferences.quiet_hours
        return cls(
            events={
                event: ChannelsOut(email=channels["email"], in_app=channels["in_app"])
                for event, channels in preferences.events.items()
            },
            quiet_hours=QuietHours(start=f"{quiet[0]:%H:%M}", end=f"{quiet[1]:%H:%M}") if quiet else None,
        )


class DeliveryOut(BaseModel):
    id: int
    notification_id: int
    event: str
    family_id: int
    recipient_email: str
    channel: str
    status: Literal["pending", "sent", "failed"]
    attempts: int
    last_error: str | None  # why the last try failed (or why nothing was sent)
    not_before: datetime
    created_at: datetime
    sent_at: datetime | None

    @classmethod
    def of(cls, row: DeliveryRow) -> "DeliveryOut":
        return cls.model_validate(asdict(row))
