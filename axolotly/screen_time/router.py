"""Screen time for parents: settings per kid, bonus time, and what each kid watched."""

from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from axolotly.accounts.deps import DbSession
from axolotly.errors import Invalid
from axolotly.families import settings as family_settings
from axolotly.families.deps import CurrentFamily, OwnedKid
from axolotly.screen_time import service, time_requests, usage
from axolotly.screen_time.clock import Today, local_day
from axolotly.screen_time.schemas import (
    BonusBody,
    DayUsageOut,
    PauseBody,
    PauseOut,
    ScreenTimeBody,
    ScreenTimeOut,
    TitleUsageOut,
    TodayOut,
    UsageOut,
)
from axolotly.types import RowId

router = APIRouter(prefix="/api/parent/kids/{kid_id}", tags=["screen time"])
time_requests_router = APIRouter(prefix="/api/parent/time-requests", tags=["screen time"])
MAX_RANGE_DAYS = 366


def screen_time_out(db, kid, status: Today | None = None) -> ScreenTimeOut:
    """`status`: today's answer when the caller has it already (one read of the sessions)."""
    schedule = service.schedule_of(kid)
    status = status or service.today_for(db, kid)
    zone = family_settings.load_family_settings(db, kid.family_id).time_zone
    return ScreenTimeOut(
        **ScreenTimeBody.of(schedule, kid.episode_grace_minutes).model_dump(),
        description=service.describe(kid.name, schedule, kid.episode_grace_minutes),
        today=TodayOut.of(status, zone, service.today_words(status)),
    )


@router.get("/screen-time", response_model=ScreenTimeOut)
def get_screen_time(kid: OwnedKid, db: DbSession):
    """The kid's limits, bedtimes and episode grace, in words too, and today's state (time left,
    bedtime, bonus)."""
    return screen_time_out(db, kid)


@router.put("/screen-time", response_model=ScreenTimeOut)
def set_screen_time(kid: OwnedKid, body: ScreenTimeBody, family: CurrentFamily, db: DbSession):
    """Replaces the settings. `episode_grace_minutes` (0 to 30; left out: unchanged) lets an episode
    that started before the day's limit or bedtime play to its end, at most that long past it."""
    service.set_schedule(db, family, kid, body.schedule(), body.episode_grace_minutes)
    return screen_time_out(db, kid)


@router.post(
    "/bonus-time",
    response_model=ScreenTimeOut,
    responses={409: {"description": "No daily limit today, or over 24 hours of bonus"}},
)
def grant_bonus_time(kid: OwnedKid, body: BonusBody, family: CurrentFamily, db: DbSession):
    """Extra minutes for today only (the family's day); shown to the launcher as a higher daily limit."""
    return screen_time_out(db, kid, service.grant_bonus(db, family, kid, body.minutes))


def pause_out(db, kid, status: Today) -> PauseOut:
    zone = family_settings.load_family_settings(db, kid.family_id).time_zone
    return PauseOut.of(kid.id, status, zone, service.today_words(status))


@router.post(
    "/pause",
    response_model=PauseOut,
    responses={404: {"description": "Not this family's kid"}, 422: {"description": "Not exactly one of the two"}},
)
def pause(kid: OwnedKid, body: PauseBody, family: CurrentFamily, db: DbSession) -> PauseOut:
    """ "Pause now": no screen time for `minutes` (1 to 1440) or `until` "HH:MM" on the family's
    clock (later today, else tomorrow), whatever the limits say; a new pause replaces the last.
    Launchers are told at once; `/api/time-limits` answers `allowedNow: false, reason: "paused"`."""
    return pause_out(db, kid, service.pause(db, family, kid, body.minutes, body.until_time()))


@router.delete("/pause", response_model=PauseOut, responses={404: {"description": "Not this family's kid"}})
def resume(kid: OwnedKid, family: CurrentFamily, db: DbSession) -> PauseOut:
    """Ends the pause now (the limits and bedtime still hold); the same answer when none holds."""
    return pause_out(db, kid, service.resume(db, family, kid))


@router.get("/usage", response_model=UsageOut, responses={422: {"description": "A bad or too long date range"}})
def kid_usage(
    kid: OwnedKid,
    db: DbSession,
    first: Annotated[date | None, Query(alias="from", description="First day (default: 6 days ago)")] = None,
    last: Annotated[date | None, Query(alias="to", description="Last day (default: today)")] = None,
):
    """Per day of the family's time zone: minutes and sessions per title."""
    zone = family_settings.family_zone(db, kid.family_id)
    last = last or local_day(service.now_utc(), zone)
    try:
        first = first or last - timedelta(days=6)
    except OverflowError:  # ?to=0001-01-03: there is no week before it
        raise Invalid("'to' is too early to count a week back from; give 'from' too") from None
    if first > last:
        raise Invalid("'from' must not be after 'to'")
    if (last - first).days >= MAX_RANGE_DAYS:
        raise Invalid(f"At most {MAX_RANGE_DAYS} days at a time")
    history = usage.days(db, kid, first, last)
    return UsageOut(
        kid_id=kid.id,
        time_zone=zone.key,
        days=[
            DayUsageOut(
                day=day.day,
                minutes=day.minutes,
                sessions=day.sessions,
                titles=[
                    TitleUsageOut(
                        app_id=t.app_id,
                        title_id=t.title_id,
                        name=t.name,
                        minutes=t.minutes,
                        seconds=t.seconds,
                        sessions=t.sessions,
                    )
                    for t in day.titles
                ],
            )
            for day in history
        ],
    )


# -- kids' requests for more time (screen_time/time_requests.py) -----------------------------------


class TimeRequestOut(BaseModel):
    id: int
    kid_id: int
    kid_name: str
    day: date  # the family's day the kid asked on; a grant is bonus time for that day
    status: Literal["open", "granted", "declined"]
    minutes: int | None  # granted
    created_at: datetime
    answered_at: datetime | None

    @classmethod
    def of(cls, view: time_requests.TimeRequestView) -> "TimeRequestOut":
        request = view.request
        return cls(
            id=request.id,
            kid_id=request.kid_profile_id,
            kid_name=view.kid_name,
            day=request.day,
            status=request.status,  # type: ignore[arg-type]  # a CHECK holds it to the three states
            minutes=request.minutes,
            created_at=request.created_at,
            answered_at=request.answered_at,
        )


@time_requests_router.get("", response_model=list[TimeRequestOut])
def list_time_requests(family: CurrentFamily, db: DbSession) -> list[TimeRequestOut]:
    """Today's open requests for more screen time, oldest first."""
    return [TimeRequestOut.of(view) for view in time_requests.open_requests(db, family.id)]


ANSWERED: dict[int | str, dict[str, Any]] = {
    404: {"description": "Not this family's request"},
    409: {"description": "Already answered, or not today's"},
}


@time_requests_router.post("/{request_id}/grant", response_model=TimeRequestOut, responses=ANSWERED)
def grant_time_request(request_id: RowId, body: BonusBody, family: CurrentFamily, db: DbSession) -> TimeRequestOut:
    """Yes: `minutes` of bonus time for today (the same bonus as `POST /api/parent/kids/{id}/bonus-time`)."""
    return TimeRequestOut.of(time_requests.answer(db, family, request_id, body.minutes)[0])


@time_requests_router.post("/{request_id}/decline", response_model=TimeRequestOut, responses=ANSWERED)
def decline_time_request(request_id: RowId, family: CurrentFamily, db: DbSession) -> TimeRequestOut:
    """Not today: the kid's screen says so, and they cannot ask again today."""
    return TimeRequestOut.of(time_requests.answer(db, family, request_id, None)[0])
