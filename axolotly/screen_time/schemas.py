from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt, model_validator
from pydantic_core import PydanticCustomError

from axolotly.i18n import N_
from axolotly.screen_time.clock import GRACE_MAX_MINUTES, PAUSE_MAX_MINUTES, Bedtime, DayRules, Reason, Schedule, Today
from axolotly.screen_time.usage import UsageLog
from axolotly.types import Text

CLOCK_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
ClockTime = Annotated[
    str,
    Field(
        pattern=CLOCK_PATTERN,
        examples=["19:30"],
        description="Local time in the family's time zone, HH:MM (24 h)",
    ),
]
# One rule for the API and the page's form (screen_time.html takes its min, max and step from here).
LIMIT_MIN, LIMIT_MAX, LIMIT_STEP = 0, 1440, 1
Minutes = Annotated[
    int,
    Field(ge=LIMIT_MIN, le=LIMIT_MAX, multiple_of=LIMIT_STEP, description="Minutes a day; 0 = no watching that day"),
]
BONUS_CHOICES = (15, 30, 60)  # the bonus buttons, on the screen-time page and for a kid's request
GRACE_CHOICES = (0, 10, 15, 20, 30)  # "Let the episode finish" on the screen-time page (0: off)
GraceMinutes = Annotated[
    StrictInt,  # a number of minutes: not true, not "10"
    Field(
        ge=0,
        le=GRACE_MAX_MINUTES,
        description="Let the episode finish: minutes an episode that started before the day's limit or bedtime "
        "may play on past it, to its end (0: off)",
    ),
]


def clock(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


class BedtimeBody(BaseModel):
    start: ClockTime
    end: ClockTime  # earlier than start: the window ends the next morning

    @model_validator(mode="after")
    def _not_empty(self) -> "BedtimeBody":
        if self.start == self.end:
            raise PydanticCustomError("empty_bedtime", N_("A bedtime must start and end at different times"))
        return self

    def bedtime(self) -> Bedtime:
        return Bedtime(clock(self.start), clock(self.end))

    @classmethod
    def of(cls, bedtime: Bedtime | None) -> "BedtimeBody | None":
        return cls(start=f"{bedtime.start:%H:%M}", end=f"{bedtime.end:%H:%M}") if bedtime else None


class ScreenTimeBody(BaseModel):
    """The kid's whole screen-time settings (PUT replaces them): null = no limit / no bedtime.
    `episode_grace_minutes` left out (or null) keeps the kid's grace: a client that does not know
    it never turns it off."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool
    school_day_limit_minutes: Minutes | None = None
    weekend_limit_minutes: Minutes | None = None
    school_day_bedtime: BedtimeBody | None = None
    weekend_bedtime: BedtimeBody | None = None
    episode_grace_minutes: GraceMinutes | None = None

    def schedule(self) -> Schedule:
        return Schedule(
            self.enabled,
            DayRules(
                self.school_day_limit_minutes, self.school_day_bedtime.bedtime() if self.school_day_bedtime else None
            ),
            DayRules(self.weekend_limit_minutes, self.weekend_bedtime.bedtime() if self.weekend_bedtime else None),
        )

    @classmethod
    def of(cls, schedule: Schedule, grace_minutes: int | None = None) -> "ScreenTimeBody":
        return cls(
            enabled=schedule.enabled,
            school_day_limit_minutes=schedule.school_day.limit_minutes,
            weekend_limit_minutes=schedule.weekend.limit_minutes,
            school_day_bedtime=BedtimeBody.of(schedule.school_day.bedtime),
            weekend_bedtime=BedtimeBody.of(schedule.weekend.bedtime),
            episode_grace_minutes=grace_minutes,
        )


class TodayOut(BaseModel):
    day: date
    time_zone: str
    limit_minutes: int | None  # with today's bonus
    bonus_minutes: int
    used_minutes: int
    remaining_minutes: int | None
    in_bedtime: bool
    allowed_now: bool
    next_change_at: datetime | None
    paused_until: datetime | None  # a parent's pause in force, with the family's offset
    reason: Reason | None  # why not allowed now: "paused", "bedtime", "limit_reached"
    summary: str

    @classmethod
    def of(cls, status: Today, time_zone: str, summary: str) -> "TodayOut":
        return cls(
            paused_until=status.paused_until,
            reason=status.reason,
            day=status.day,
            time_zone=time_zone,
            limit_minutes=status.limit_minutes,
            bonus_minutes=status.bonus_minutes,
            used_minutes=status.used_minutes,
            remaining_minutes=status.remaining_minutes,
            in_bedtime=status.in_bedtime,
            allowed_now=status.allowed_now,
            next_change_at=status.next_change_at,
            summary=summary,
        )


class ScreenTimeOut(ScreenTimeBody):
    episode_grace_minutes: int  # always told: 0 when off
    description: str  # the settings in words, as the pages show them
    today: TodayOut


class BonusBody(BaseModel):
    minutes: int = Field(ge=1, le=720, description="Extra minutes for today only")


PAUSE_CHOICES = (15, 30, 60)  # the pages' "Pause now" buttons, in minutes (besides "until a time")
PAUSE_LENGTH = N_("Pause for some minutes or until a time: give one of the two")


class PauseBody(BaseModel):
    """ "Pause now": for `minutes`, or `until` a time on the family's clock (the next one: later
    today, else tomorrow). Exactly one of the two."""

    # Published as exactly one of the two (the validator below is the check).
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "oneOf": [
                {
                    "required": ["minutes"],
                    "properties": {
                        "minutes": {"type": "integer", "minimum": 1, "maximum": PAUSE_MAX_MINUTES},
                        "until": {"type": "null"},
                    },
                },
                {
                    "required": ["until"],
                    "properties": {
                        "minutes": {"type": "null"},
                        "until": {"type": "string", "pattern": CLOCK_PATTERN},
                    },
                },
            ],
            "examples": [{"minutes": 30}, {"until": "19:30"}],
        },
    )

    minutes: int | None = Field(None, ge=1, le=PAUSE_MAX_MINUTES, description="Pause for this many minutes")
    until: ClockTime | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> "PauseBody":
        if (self.minutes is None) == (self.until is None):
            raise PydanticCustomError("pause_length", PAUSE_LENGTH)
        return self

    def until_time(self) -> time | None:
        return clock(self.until) if self.until is not None else None


class PauseOut(BaseModel):
    kid_id: int
    time_zone: str
    paused_until: datetime | None  # with the family's offset; null: not paused
    allowed_now: bool
    next_change_at: datetime | None  # when the kid may watch again (the pause's end, or later)
    reason: Reason | None
    summary: str  # "Paused until 19:30"

    @classmethod
    def of(cls, kid_id: int, status: Today, time_zone: str, summary: str) -> "PauseOut":
        return cls(
            kid_id=kid_id,
            time_zone=time_zone,
            paused_until=status.paused_until,
            allowed_now=status.allowed_now,
            next_change_at=status.next_change_at,
            reason=status.reason,
            summary=summary,
        )


class TitleUsageOut(BaseModel):
    app_id: str
    title_id: int | None
    name: str
    minutes: int
    seconds: int
    sessions: int


class DayUsageOut(BaseModel):
    day: date
    minutes: int
    sessions: int
    titles: list[TitleUsageOut]


class UsageOut(BaseModel):
    kid_id: int
    time_zone: str
    days: list[DayUsageOut]


# -- the launcher's side (launcher contract, "Screen time and usage") -----------------------------

AppId = Annotated[str | int, Field(description="The title id of /api/apps (or any app id)")]
_APP_ID_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {"type": "string", "maxLength": 64, "pattern": "^[^\\u0000]*\\S[^\\u0000]*$"},
        {"type": "integer", "minimum": -(10**62), "maximum": 10**63 - 1},
    ]
}


def _app_id(value: str | int | None) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    if not text or len(text) > 64 or "\x00" in text:
        raise PydanticCustomError("bad_app_id", "app id must be 1 to 64 characters")
    return text


def _aware(moment: datetime) -> datetime:
    # A time without a zone is read as UTC (the contract's examples all end in "Z").
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _whole_seconds(value: float) -> int:
    if value != value or abs(value) > 10**9:  # NaN or absurd: not a duration
        raise PydanticCustomError("bad_duration", "duration is not a number of seconds")
    return round(value)


class UsageLogBody(BaseModel):
    """Either body of the contract: {appId, appName, startTime, endTime, durationMinutes} or
    {app_id, duration_seconds, timestamp}. With both endTime and durationMinutes, endTime decides
    (durationMinutes is a rounded figure). In the short body `timestamp` is when the launcher sent
    the log, after the kid stopped watching (contract 2.1): the session ends there."""

    # The two bodies, published (the validator below is the check). Times within the last 30 days,
    # a session of at most 24 hours (screen_time/usage.py), are the server's clock's to judge.
    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {
                    "required": ["appId", "startTime"],
                    "properties": {"appId": _APP_ID_SCHEMA},
                    "anyOf": [
                        {"required": ["endTime"], "properties": {"endTime": {"type": "string", "format": "date-time"}}},
                        {
                            "required": ["durationMinutes"],
                            "properties": {
                                "endTime": {"type": "null"},
                                "durationMinutes": {"type": "number", "minimum": 0, "maximum": 1440},
                            },
                        },
                    ],
                },
                {
                    "required": ["app_id", "timestamp", "duration_seconds"],
                    "properties": {
                        "appId": {"type": "null"},
                        "startTime": {"type": "null"},
                        "app_id": _APP_ID_SCHEMA,
                        "timestamp": {"type": "string", "format": "date-time"},
                        "duration_seconds": {"type": "number", "minimum": 0, "maximum": 86400},
                    },
                },
            ]
        }
    )

    appId: AppId | None = None
    appName: Annotated[Text, Field(max_length=200)] | None = None
    startTime: datetime | None = None
    endTime: datetime | None = None
    durationMinutes: float | None = None
    app_id: AppId | None = None
    duration_seconds: float | None = None
    timestamp: datetime | None = None

    @model_validator(mode="after")
    def _one_whole_body(self) -> "UsageLogBody":
        self.log()  # raises on a missing or contradictory field
        return self

    def log(self) -> UsageLog:
        app_id = _app_id(self.appId if self.appId is not None else self.app_id)
        if app_id is None:
            raise PydanticCustomError("missing_app_id", "appId is required (or app_id)")
        start, seconds = self._start_and_seconds()
        return UsageLog(app_id, (self.appName or "").strip(), start, seconds)

    def _start_and_seconds(self) -> tuple[datetime, int]:
        if self.startTime is not None:
            start = _aware(self.startTime)
            if self.endTime is not None:
                return start, _whole_seconds((_aware(self.endTime) - start).total_seconds())
            if self.durationMinutes is not None:
                return start, _whole_seconds(self.durationMinutes * 60)
            raise PydanticCustomError("missing_end", "endTime is required (or durationMinutes)")
        if self.timestamp is not None:
            if self.duration_seconds is None:
                raise PydanticCustomError("missing_duration", "duration_seconds is required")
            seconds = _whole_seconds(self.duration_seconds)
            try:
                return _aware(self.timestamp) - timedelta(seconds=seconds), seconds
            except OverflowError:  # e.g. year 1 minus an hour: not a date
                raise PydanticCustomError("bad_timestamp", "timestamp is out of range") from None
        raise PydanticCustomError("missing_start", "startTime is required (or timestamp)")


class UsageLogged(BaseModel):
    success: bool = True
    message: str = "Usage logged successfully"


class TimeLimits(BaseModel):
    dailyLimitMinutes: int | None
    bedtimeStart: str | None
    bedtimeEnd: str | None
    scheduleEnabled: bool
    # Extensions (clients ignore unknown keys): what the server decides, so every launcher agrees.
    timeZone: str
    allowedNow: bool
    nextChangeAt: str | None
    reason: str | None  # "paused" | "bedtime" | "limit_reached" | null
    episodeGraceMinutes: int  # an episode started before the limit or bedtime may finish within it; 0: off


class Stats(BaseModel):
    totalAppsEnabled: int
    timeUsedToday: int
    timeRemainingToday: int | None
    mostUsedApp: str | None
