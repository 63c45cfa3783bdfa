"""Screen time pages: every kid's day at a glance (the menu's "Screen time"), one settings form per
kid (limits, bedtimes, bonus, "Pause now") and the watch history."""

from datetime import timedelta

from fastapi import APIRouter, Request

from axolotly.accounts.deps import DbSession
from axolotly.errors import Invalid
from axolotly.families import kids as family_kids
from axolotly.families.deps import WebFamily, WebOwnedKid
from axolotly.i18n import N_, gettext, ngettext
from axolotly.screen_time import service, time_requests, usage
from axolotly.screen_time.clock import GRACE_MAX_MINUTES, local_day
from axolotly.screen_time.schemas import (
    BONUS_CHOICES,
    GRACE_CHOICES,
    LIMIT_MAX,
    LIMIT_MIN,
    LIMIT_STEP,
    PAUSE_CHOICES,
    PAUSE_LENGTH,
    BonusBody,
    PauseBody,
    ScreenTimeBody,
)
from axolotly.types import FormText
from axolotly.web.forms import validated
from axolotly.web.session import CsrfChecked
from axolotly.web.templating import page_zone, redirect, render, same_site_path
from axolotly.web.usage_chart import bar_chart

router = APIRouter(include_in_schema=False)
HISTORY_DAYS = 14


def _page(kid_id: int) -> str:
    return f"/family/kids/{kid_id}/screen-time"


@router.get("/family/screen-time")
def overview_page(request: Request, family: WebFamily, db: DbSession):
    """Each kid's rules in words and what is left of today, with the way to change them."""
    kids = family_kids.list_kids(db, family.id)
    today = service.family_today(db, kids)
    # "Today" only where there are limits or a pause: otherwise it repeats "No screen-time limits for Sofia."
    rows = [
        (
            kid,
            service.describe(kid.name, service.schedule_of(kid), kid.episode_grace_minutes),
            service.today_words(today[kid.id]) if today[kid.id].enabled or today[kid.id].paused_until else None,
        )
        for kid in kids
    ]
    return render(
        request,
        "screen_time_overview.html",
        user=family.user,
        rows=rows,
        waiting=time_requests.count_open(db, family.id),
    )


@router.get("/family/kids/{kid_id}/screen-time")
def screen_time_page(kid: WebOwnedKid, request: Request, family: WebFamily, db: DbSession):
    schedule = service.schedule_of(kid)
    status = service.today_for(db, kid)
    return render(
        request,
        "screen_time.html",
        user=family.user,
        kid=kid,
        settings=ScreenTimeBody.of(schedule, kid.episode_grace_minutes),
        described=service.describe(kid.name, schedule, kid.episode_grace_minutes),
        today=status,
        today_words=service.today_words(status),
        time_zone=page_zone(request).key,
        limit_rule=(LIMIT_MIN, LIMIT_MAX, LIMIT_STEP),
        bonus_choices=BONUS_CHOICES,
        pause_choices=pause_choices(),
        # A grace set through the API to another number stays a choice: saving the form keeps it.
        grace_choices=sorted({*GRACE_CHOICES, kid.episode_grace_minutes}),
    )


# The form's refusals, one whole sentence per kind of day.
HALF_BEDTIME = {
    "school_day": N_("Bedtime on school days: give both a start and an end, or leave both empty"),
    "weekend": N_("Bedtime on weekends: give both a start and an end, or leave both empty"),
}
NOT_GRACE = N_("Let the episode finish: off, or a number of minutes up to %(max)s")
NOT_MINUTES = {
    "school_day": N_("Limit on school days: a number of minutes (%(min)s to %(max)s), or empty for no limit"),
    "weekend": N_("Limit on weekends: a number of minutes (%(min)s to %(max)s), or empty for no limit"),
}


def _bedtime(start: str, end: str, days: str) -> dict | None:
    start, end = start.strip()[:5], end.strip()[:5]  # <input type=time> may send seconds
    if not start and not end:
        return None
    if not start or not end:
        raise Invalid(gettext(HALF_BEDTIME[days]))
    return {"start": start, "end": end}


def _grace(value: str) -> int | None:
    value = value.strip()
    if not value:
        return None  # a form without the choice keeps the kid's grace
    if not (value.isascii() and value.isdigit() and len(value) <= 2 and int(value) <= GRACE_MAX_MINUTES):
        raise Invalid(gettext(NOT_GRACE) % {"max": GRACE_MAX_MINUTES})
    return int(value)


def _minutes(value: str, days: str) -> int | None:
    value = value.strip()
    if not value:
        return None  # no limit
    if not value.isascii() or not value.isdigit():
        raise Invalid(gettext(NOT_MINUTES[days]) % {"min": LIMIT_MIN, "max": LIMIT_MAX})
    return int(value)


@router.post("/family/kids/{kid_id}/screen-time", dependencies=[CsrfChecked])
def save_screen_time(
    kid: WebOwnedKid,
    family: WebFamily,
    db: DbSession,
    enabled: FormText = "",
    school_day_limit: FormText = "",
    weekend_limit: FormText = "",
    school_day_bedtime_start: FormText = "",
    school_day_bedtime_end: FormText = "",
    weekend_bedtime_start: FormText = "",
    weekend_bedtime_end: FormText = "",
    episode_grace: FormText = "",
):
    body = validated(
        ScreenTimeBody,
        enabled=bool(enabled),
        school_day_limit_minutes=_minutes(school_day_limit, "school_day"),
        weekend_limit_minutes=_minutes(weekend_limit, "weekend"),
        school_day_bedtime=_bedtime(school_day_bedtime_start, school_day_bedtime_end, "school_day"),
        weekend_bedtime=_bedtime(weekend_bedtime_start, weekend_bedtime_end, "weekend"),
        episode_grace_minutes=_grace(episode_grace),
    )
    schedule = service.set_schedule(db, family, kid, body.schedule(), body.episode_grace_minutes)
    return redirect(_page(kid.id), service.describe(kid.name, schedule, kid.episode_grace_minutes))


@router.post("/family/kids/{kid_id}/bonus-time", dependencies=[CsrfChecked])
def grant_bonus(kid: WebOwnedKid, family: WebFamily, db: DbSession, minutes: FormText):
    body = validated(BonusBody, minutes=minutes)
    status = service.grant_bonus(db, family, kid, body.minutes)
    return redirect(_page(kid.id), bonus_words(kid.name, body.minutes, service.today_words(status)))


def bonus_words(kid_name: str, minutes: int, today_words: str) -> str:
    """After a grant: the bonus and what the kid has left now ("Emma has 30 extra minutes today: …")."""
    granted = ngettext(
        "%(name)s has %(num)d extra minute today: %(left)s",
        "%(name)s has %(num)d extra minutes today: %(left)s",
        minutes,
    )
    return granted % {"name": kid_name, "num": minutes, "left": today_words}


def pause_choices() -> list[tuple[int, str]]:
    """The "Pause now" buttons (home page and the kid's screen-time page): minutes and their words."""
    return [(minutes, service.duration_words(minutes)) for minutes in PAUSE_CHOICES]


@router.post("/family/kids/{kid_id}/pause", dependencies=[CsrfChecked])
def pause(
    kid: WebOwnedKid, request: Request, family: WebFamily, db: DbSession, minutes: FormText = "", until: FormText = ""
):
    """ "Pause now" from the home page or the kid's page (back to whichever it was): one of the
    minute buttons, or the time form."""
    minutes, until = minutes.strip(), until.strip()[:5]  # <input type=time> may send seconds
    if bool(minutes) == bool(until):
        raise Invalid(gettext(PAUSE_LENGTH))
    body = validated(PauseBody, minutes=minutes or None, until=until or None)
    status = service.pause(db, family, kid, body.minutes, body.until_time())
    words = gettext("%(name)s: %(state)s") % {"name": kid.name, "state": service.today_words(status)}
    return redirect(same_site_path(request, _page(kid.id)), words)


@router.post("/family/kids/{kid_id}/resume", dependencies=[CsrfChecked])
def resume(kid: WebOwnedKid, request: Request, family: WebFamily, db: DbSession):
    """Ends the pause now; the limits and bedtime still hold (the message says what is left)."""
    status = service.resume(db, family, kid)
    words = gettext("Pause ended. %(name)s: %(state)s") % {"name": kid.name, "state": service.today_words(status)}
    return redirect(same_site_path(request, _page(kid.id)), words)


@router.get("/family/kids/{kid_id}/history")
def history_page(kid: WebOwnedKid, request: Request, family: WebFamily, db: DbSession):
    zone = page_zone(request)  # the family's, put there by WebFamily
    last = local_day(service.now_utc(), zone)
    days = usage.days(db, kid, last - timedelta(days=HISTORY_DAYS - 1), last)
    return render(
        request,
        "watch_history.html",
        user=family.user,
        kid=kid,
        days=days,
        time_zone=zone.key,
        chart=bar_chart(
            [(day.day, day.minutes) for day in days], gettext("Minutes %(name)s watched each day") % {"name": kid.name}
        ),
        titles=usage.titles_between(days),
        duration_words=service.duration_words,
    )
