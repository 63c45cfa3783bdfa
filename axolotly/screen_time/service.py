"""Screen time per kid: the parent's settings, bonus time, and today's answer for a kid.

The decision itself is screen_time/clock.py (pure); this module reads and writes the kid's
settings, the family's time zone and the usage rollup, and keeps the activity trail.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from axolotly.audit import service as audit
from axolotly.errors import Conflict
from axolotly.families.context import FamilyContext
from axolotly.families.settings import family_zone
from axolotly.i18n import DEFAULT_LANGUAGE, N_, gettext, ngettext, use_language
from axolotly.models import Episode, KidProfile, usage_sessions
from axolotly.screen_time.clock import (
    Bedtime,
    DayRules,
    Playing,
    Schedule,
    Today,
    day_bounds,
    local_day,
    pause_end,
    today,
    with_grace,
)


def now_utc() -> datetime:
    return datetime.now(UTC)


def _bedtime(start: time | None, end: time | None) -> Bedtime | None:
    return Bedtime(start, end) if start is not None and end is not None else None


def schedule_of(kid: KidProfile) -> Schedule:
    return Schedule(
        kid.screen_time_enabled,
        DayRules(kid.school_day_limit_minutes, _bedtime(kid.school_day_bedtime_start, kid.school_day_bedtime_end)),
        DayRules(kid.weekend_limit_minutes, _bedtime(kid.weekend_bedtime_start, kid.weekend_bedtime_end)),
    )


def set_schedule(
    db: Session, family: FamilyContext, kid: KidProfile, schedule: Schedule, grace_minutes: int | None = None
) -> Schedule:
    """Replaces the kid's screen-time settings, and the episode grace when given (None keeps it);
    a change is written to the activity trail in words. The grace's column fires the kid's
    time-limits notification like the others (migration 0040)."""
    before = (schedule_of(kid), kid.episode_grace_minutes)
    if grace_minutes is not None:
        kid.episode_grace_minutes = grace_minutes
    kid.screen_time_enabled = schedule.enabled
    kid.school_day_limit_minutes = schedule.school_day.limit_minutes
    kid.weekend_limit_minutes = schedule.weekend.limit_minutes
    kid.school_day_bedtime_start, kid.school_day_bedtime_end = _ends(schedule.school_day.bedtime)
    kid.weekend_bedtime_start, kid.weekend_bedtime_end = _ends(schedule.weekend.bedtime)
    db.flush()
    if (schedule, kid.episode_grace_minutes) != before:
        with use_language(DEFAULT_LANGUAGE):  # the activity trail is written in English, like its other lines
            described = describe(kid.name, schedule, kid.episode_grace_minutes)
        audit.record(db, family.id, "screen_time_changed", f"{kid.name}: {described}")
    return schedule


def _ends(bedtime: Bedtime | None) -> tuple[time | None, time | None]:
    return (bedtime.start, bedtime.end) if bedtime else (None, None)


def grant_bonus(
    db: Session, family: FamilyContext, kid: KidProfile, minutes: int, now: datetime | None = None
) -> Today:
    """Extra minutes for today only (in the family's time zone); grants on one day add up."""
    now = now or now_utc()
    zone = family_zone(db, family.id)
    day = local_day(now, zone)
    # Lock the kid's row: two parents granting at once both count.
    db.refresh(kid, with_for_update=True)
    rules = schedule_of(kid)
    if not rules.enabled or rules.rules_for(day).limit_minutes is None:
        raise Conflict(N_("%(kid)s has no daily limit today: bonus time would change nothing"), kid=kid.name)
    granted = (kid.bonus_minutes if kid.bonus_day == day else 0) + minutes
    if granted > 1440:
        raise Conflict(N_("Bonus time for one day cannot exceed 24 hours"))
    kid.bonus_minutes, kid.bonus_day = granted, day
    db.flush()
    audit.record(db, family.id, "bonus_time", f"{kid.name}: {minutes} extra minutes today ({granted} in all)")
    return today_for(db, kid, now)


def pause(
    db: Session,
    family: FamilyContext,
    kid: KidProfile,
    minutes: int | None = None,
    until: time | None = None,
    now: datetime | None = None,
) -> Today:
    """ "Pause now": no screen time for `minutes`, or until the next `until` on the family's clock,
    whatever the limits say (screen time off for the kid included). A new pause replaces one in
    force. The row's trigger tells held launchers at once (migration 0039)."""
    now = now or now_utc()
    zone = family_zone(db, family.id)
    end = pause_end(now, zone, minutes, until)
    kid.paused_until = end
    db.flush()
    local = end.astimezone(zone)
    when = f"{local:%H:%M}" if local.date() == local_day(now, zone) else f"{local:%H:%M} tomorrow"
    lasting = f"for {minutes} minutes, until {when}" if minutes is not None else f"until {when}"
    audit.record(db, family.id, "paused", f"{kid.name}: screen time paused {lasting}")
    return allowed_now(db, kid, now)


def resume(db: Session, family: FamilyContext, kid: KidProfile, now: datetime | None = None) -> Today:
    """Ends the kid's pause now; nothing to do (and nothing written to the trail) when none holds."""
    now = now or now_utc()
    in_force = kid.paused_until is not None and kid.paused_until > now
    if kid.paused_until is not None:  # an ended pause is cleared too: the row says what holds
        kid.paused_until = None
        db.flush()
    if in_force:
        audit.record(db, family.id, "paused", f"{kid.name}: screen time resumed, the pause ended early")
    return allowed_now(db, kid, now)


@dataclass(frozen=True)
class AppToday:
    app_id: str
    name: str
    seconds: int


def watched_today(db: Session, kid_ids: list[int], day: date, zone) -> dict[int, list[AppToday]]:
    """What each kid watched on `day` of the family's zone, per app, most first, from the sessions.

    Enforcement reads the sessions, not the rollup: the rollup's days are those of the zone a
    log arrived in, and "today" must follow the family's zone now (a changed zone too).
    """
    start, end = day_bounds(day, zone)
    columns = usage_sessions.c
    overlap = func.extract("epoch", func.least(columns.ended_at, end) - func.greatest(columns.started_at, start))
    rows = db.execute(
        select(columns.kid_profile_id, columns.app_id, func.max(columns.app_name), func.sum(overlap))
        .where(
            columns.kid_profile_id.in_(kid_ids),
            columns.started_at >= start - timedelta(days=1),  # sessions last a day at most: partition pruning
            columns.started_at < end,
            columns.ended_at > start,
        )
        .group_by(columns.kid_profile_id, columns.app_id)
    )
    watched: dict[int, list[AppToday]] = {kid_id: [] for kid_id in kid_ids}
    for kid_id, app_id, name, seconds in rows:
        watched[kid_id].append(AppToday(app_id, name or f"App {app_id}", round(seconds)))
    for apps in watched.values():
        apps.sort(key=lambda app: (-app.seconds, app.name))
    return watched


def _answer(now: datetime, zone, kid: KidProfile, day: date, apps: list[AppToday]) -> Today:
    bonus = kid.bonus_minutes if kid.bonus_day == day else 0
    return today(now, zone, schedule_of(kid), sum(app.seconds for app in apps), bonus, kid.paused_until)


def today_for(db: Session, kid: KidProfile, now: datetime | None = None) -> Today:
    """What `kid` may do now: limits with today's bonus, bedtime, time used on every device."""
    return today_with_apps(db, kid, now)[0]


def today_with_apps(db: Session, kid: KidProfile, now: datetime | None = None) -> tuple[Today, list[AppToday]]:
    """Today's answer and what the kid watched today, most first (one read of the sessions)."""
    now = now or now_utc()
    zone = family_zone(db, kid.family_id)
    day = local_day(now, zone)
    apps = watched_today(db, [kid.id], day, zone)[kid.id]
    return _answer(now, zone, kid, day, apps), apps


def _limited(kid: KidProfile, day: date) -> bool:
    rules = schedule_of(kid)
    return rules.enabled and rules.rules_for(day).limit_minutes is not None


def family_today(db: Session, kids: list[KidProfile], now: datetime | None = None) -> dict[int, Today]:
    """Whether each of a family's kids may watch now, and until when (the launcher's time limits,
    the kid pages, the home page). The sessions are read only for kids with a daily limit today,
    in one query: without one the answer does not depend on them (their `used_seconds` is 0)."""
    if not kids:
        return {}
    now = now or now_utc()
    zone = family_zone(db, kids[0].family_id)
    day = local_day(now, zone)
    limited = [kid.id for kid in kids if _limited(kid, day)]
    watched = watched_today(db, limited, day, zone) if limited else {}
    return {kid.id: _answer(now, zone, kid, day, watched.get(kid.id, [])) for kid in kids}


def allowed_now(db: Session, kid: KidProfile, now: datetime | None = None) -> Today:
    """One kid's family_today: what a device enforces (time used is read only under a limit)."""
    return family_today(db, [kid], now)[kid.id]


def allowed_now_playing(db: Session, kid: KidProfile, playing: Playing | None, now: datetime | None = None) -> Today:
    """`allowed_now` for a launcher that knows which episode plays (the web launcher): the episode
    the kid opened before their time ran out may finish, within the parent's grace (clock.py)."""
    now = now or now_utc()
    return with_grace(allowed_now(db, kid, now), playing, kid.episode_grace_minutes, now)


def episode_runtime(db: Session, title_id: int, season: int, number: int) -> int | None:
    """TMDB's runtime of a title's episode, in minutes; None when unknown (or no such episode)."""
    return db.scalar(
        select(Episode.runtime_minutes)
        .where(Episode.title_id == title_id, Episode.season_number == season, Episode.episode_number == number)
        .order_by(Episode.runtime_minutes.is_(None), Episode.id)
        .limit(1)
    )


# -- words for parents (in the reader's language) ------------------------------------------------


def duration_words(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return gettext("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": rest}
    return gettext("%(hours)d h") % {"hours": hours} if hours else gettext("%(minutes)d min") % {"minutes": rest}


# One whole sentence per kind of day and rule, so that a translation never glues pieces together.
DAY_SENTENCES = {
    "school_day": {
        "unlimited": N_("On school days %(name)s may watch as long as they like."),
        "unlimited_bedtime": N_(
            "On school days %(name)s may watch as long as they like, not between %(start)s and %(end)s."
        ),
        "none": N_("On school days %(name)s may not watch at all."),
        "limited": N_("On school days %(name)s may watch %(duration)s."),
        "limited_bedtime": N_("On school days %(name)s may watch %(duration)s, not between %(start)s and %(end)s."),
    },
    "weekend": {
        "unlimited": N_("On weekends %(name)s may watch as long as they like."),
        "unlimited_bedtime": N_(
            "On weekends %(name)s may watch as long as they like, not between %(start)s and %(end)s."
        ),
        "none": N_("On weekends %(name)s may not watch at all."),
        "limited": N_("On weekends %(name)s may watch %(duration)s."),
        "limited_bedtime": N_("On weekends %(name)s may watch %(duration)s, not between %(start)s and %(end)s."),
    },
}


def _day_words(name: str, days: str, rules: DayRules) -> str:
    if rules.limit_minutes == 0:
        kind = "none"  # a bedtime changes nothing on a day without watching
    else:
        kind = "unlimited" if rules.limit_minutes is None else "limited"
        kind += "_bedtime" if rules.bedtime else ""
    values = {"name": name, "duration": duration_words(rules.limit_minutes or 0)}
    if rules.bedtime:
        values |= {"start": f"{rules.bedtime.start:%H:%M}", "end": f"{rules.bedtime.end:%H:%M}"}
    return gettext(DAY_SENTENCES[days][kind]) % values


def describe(name: str, schedule: Schedule, grace_minutes: int = 0) -> str:
    """ "On school days Emma may watch 1 h 30 min, not between 19:30 and 07:00. On weekends …",
    and the episode grace when one is set ("When time is up or bedtime comes, …")."""
    if not schedule.enabled:
        return gettext("No screen-time limits for %(name)s.") % {"name": name}
    days = (schedule.school_day, schedule.weekend)
    sentences = [_day_words(name, "school_day", days[0]), _day_words(name, "weekend", days[1])]
    if grace_minutes and any(rules.limit_minutes or rules.bedtime for rules in days):  # else nothing to finish
        sentences.append(grace_words(name, grace_minutes))
    return " ".join(sentences)


def grace_words(name: str, minutes: int) -> str:
    """What the episode grace does, in a parent's words (the settings page says it too)."""
    words = ngettext(
        "When time is up or bedtime comes, an episode %(name)s already started may play to its end, "
        "for at most %(num)d minute more.",
        "When time is up or bedtime comes, an episode %(name)s already started may play to its end, "
        "for at most %(num)d minutes more.",
        minutes,
    )
    return words % {"name": name, "num": minutes}


def today_words(status: Today) -> str:
    """One line for the home page: "45 min left today", "Bedtime until 07:00", "No limits"."""
    if status.paused_until is not None:
        until = {"time": f"{status.paused_until:%H:%M}"}
        if status.paused_until.date() == status.day:
            return gettext("Paused until %(time)s") % until
        return gettext("Paused until tomorrow at %(time)s") % until
    if not status.enabled:
        return gettext("No screen-time limits")
    if status.in_bedtime and status.bedtime:
        return gettext("Bedtime until %(time)s") % {"time": f"{status.bedtime.end:%H:%M}"}
    if status.limit_minutes is None:
        return gettext("No daily limit today")
    if status.budget_spent:
        return gettext("Time's up for today")
    return gettext("%(duration)s left today") % {"duration": duration_words(status.remaining_minutes or 0)}
