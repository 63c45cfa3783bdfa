"""Screen time for parents: settings per kid, bonus time, and what each kid watched."""

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Query

from axolotly.accounts.deps import DbSession
from axolotly.errors import Invalid
from axolotly.families import settings as family_settings
from axolotly.families.deps import CurrentFamily, OwnedKid
from axolotly.screen_time import service, usage
from axolotly.screen_time.clock import Today, local_day
from axolotly.screen_time.schemas import (
    BonusBody,
    DayUsageOut,
    ScreenTimeBody,
    ScreenTimeOut,
    TitleUsageOut,
    TodayOut,
    UsageOut,
)

router = APIRouter(prefix="/api/parent/kids/{kid_id}", tags=["screen time"])
MAX_RANGE_DAYS = 366


def screen_time_out(db, kid, status: Today | None = None) -> ScreenTimeOut:
    """`status`: today's answer when the caller has it already (one read of the sessions)."""
    schedule = service.schedule_of(kid)
    status = status or service.today_for(db, kid)
    zone = family_settings.load_family_settings(db, kid.family_id).time_zone
    return ScreenTimeOut(
        **ScreenTimeBody.of(schedule).model_dump(),
        description=service.describe(kid.name, schedule),
        today=TodayOut.of(status, zone, service.today_words(status)),
    )


@router.get("/screen-time", response_model=ScreenTimeOut)
def get_screen_time(kid: OwnedKid, db: DbSession):
    """The kid's limits and bedtimes, in words too, and today's state (time left, bedtime, bonus)."""
    return screen_time_out(db, kid)


@router.put("/screen-time", response_model=ScreenTimeOut)
def set_screen_time(kid: OwnedKid, body: ScreenTimeBody, family: CurrentFamily, db: DbSession):
    service.set_schedule(db, family, kid, body.schedule())
    return screen_time_out(db, kid)


@router.post(
    "/bonus-time",
    response_model=ScreenTimeOut,
    responses={409: {"description": "No daily limit today, or over 24 hours of bonus"}},
)
def grant_bonus_time(kid: OwnedKid, body: BonusBody, family: CurrentFamily, db: DbSession):
    """Extra minutes for today only (the family's day); shown to the launcher as a higher daily limit."""
    return screen_time_out(db, kid, service.grant_bonus(db, family, kid, body.minutes))


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
