"""Watch history: sessions logged by launchers (devices and the web launcher) and their daily rollup.

A session is stored once (its identity is kid, device, app and start: a retried log changes
nothing) and, only when it is new, added to `usage_daily` on each local day it touches, so the
rollup is exactly the sum of the stored sessions. A log names a title only when the app id is a
title of this kid's family (a policy of the kid or the family library): never another family's.
A log that brings today's time to today's limit tells the parents (once per kid and day).
"""

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from axolotly.errors import BadRequest, ServiceUnavailable
from axolotly.families.library_rows import library_rows
from axolotly.families.settings import family_zone
from axolotly.i18n import N_, gettext
from axolotly.models import KidProfile, Title, UsageDay, usage_sessions
from axolotly.notifications.outbox import day_key, notify
from axolotly.screen_time.clock import local_day, split_by_day
from axolotly.screen_time.service import allowed_now, now_utc
from axolotly.types import PG_INT_MAX

logger = logging.getLogger(__name__)

MAX_SECONDS = 24 * 60 * 60
APP_NAME_MAX = 200  # usage_sessions.app_name (a title's name may be longer: cut, never refused)
FUTURE_SLACK = timedelta(minutes=5)  # device clocks drift a little
MAX_AGE = timedelta(days=30)  # a device offline for weeks may still send; older logs are refused


@dataclass(frozen=True)
class UsageLog:
    app_id: str
    app_name: str
    started_at: datetime  # aware
    seconds: int

    @property
    def ended_at(self) -> datetime:
        return self.started_at + timedelta(seconds=self.seconds)


def checked(log: UsageLog, now: datetime | None = None) -> UsageLog:
    """The launcher contract's 400s: negative or over-24-hour durations, times far in the future or past."""
    now = now or now_utc()
    if log.seconds < 0:
        raise BadRequest(N_("Duration must not be negative (endTime before startTime?)"))
    if log.seconds > MAX_SECONDS:
        raise BadRequest(N_("Duration must be at most 24 hours"))
    # The start first: year 9999 plus a duration would not even be a date.
    if log.started_at > now + FUTURE_SLACK or log.ended_at > now + FUTURE_SLACK:
        raise BadRequest(N_("Times must not be in the future"))
    if log.started_at < now - MAX_AGE:
        raise BadRequest(N_("Times must be within the last 30 days"))
    return log


def _family_title(db: Session, kid: KidProfile, app_id: str) -> tuple[int, str] | None:
    if not app_id.isascii() or not app_id.isdigit() or not 0 < int(app_id) <= PG_INT_MAX:
        return None
    title_id = int(app_id)
    in_library = Title.id.in_(select(library_rows(kid.family_id).c.title_id))  # the kid's policies among them
    row = db.execute(select(Title.id, Title.title).where(Title.id == title_id, in_library)).first()
    return (row.id, row.title) if row else None


def _same_session(kid_id: int, device_id: int | None, log: UsageLog):
    columns = usage_sessions.c
    return (
        columns.kid_profile_id == kid_id,
        columns.device_id.is_not_distinct_from(device_id),
        columns.app_id == log.app_id,
        columns.started_at == log.started_at,
    )


def record(db: Session, kid: KidProfile, device_id: int | None, log: UsageLog) -> bool:
    """Stores one watching session; False when nothing changed (a retry of a stored session).

    A session is (kid, device, app, start): re-sent with a longer duration (a launcher reporting
    as it goes), it grows to the longer one; re-sent equal or shorter, it stays as it is.
    """
    log = checked(log)
    title = _family_title(db, kid, log.app_id)
    app_name = (log.app_name or (title[1] if title else ""))[:APP_NAME_MAX]
    title_id = title[0] if title else None
    try:
        stored = db.execute(
            insert(usage_sessions)
            .values(
                kid_profile_id=kid.id,
                device_id=device_id,
                title_id=title_id,
                app_id=log.app_id,
                app_name=app_name,
                started_at=log.started_at,
                ended_at=log.ended_at,
                seconds=log.seconds,
            )
            .on_conflict_do_nothing()
            .returning(usage_sessions.c.kid_profile_id)
        ).first()
    except IntegrityError as error:
        if "no partition" in str(error.orig):  # the job that makes months ahead has not run for weeks
            logger.error("usage_sessions has no partition for %s: is `axolotly worker` running?", log.started_at)
            raise ServiceUnavailable(N_("Watch history cannot be stored right now; try again later"), 600) from None
        raise
    if stored is not None:
        _add_to_rollup(db, kid, log.started_at, log.ended_at, log, title_id, app_name, new_session=True)
        _tell_when_limit_reached(db, kid)
        return True
    earlier = db.execute(
        select(usage_sessions.c.ended_at).where(*_same_session(kid.id, device_id, log)).with_for_update()
    ).scalar_one()
    if log.ended_at <= earlier:
        return False
    db.execute(
        usage_sessions.update()
        .where(*_same_session(kid.id, device_id, log))
        .values(ended_at=log.ended_at, seconds=log.seconds)
    )
    _add_to_rollup(db, kid, earlier, log.ended_at, log, title_id, app_name, new_session=False)
    _tell_when_limit_reached(db, kid)
    return True


def _tell_when_limit_reached(db: Session, kid: KidProfile) -> None:
    """Once the time used today reaches today's limit (bonus included), every parent is told, once
    per kid and day (the notice's dedupe key; a later bonus used up says nothing new). A day whose
    limit is 0 has no watching to reach it with: nothing is said. Reads the sessions only when the
    kid has a limit today (screen_time/service.py)."""
    status = allowed_now(db, kid)
    if not status.enabled or not status.limit_minutes or not status.budget_spent:
        return
    notify(
        db,
        kid.family_id,
        "limit_reached",
        kid_id=kid.id,
        facts={"kid": kid.name, "minutes": status.limit_minutes, "day": status.day.isoformat()},
        dedupe_key=day_key(kid.id, status.day),
    )


def _add_to_rollup(
    db: Session,
    kid: KidProfile,
    start: datetime,
    end: datetime,
    log: UsageLog,
    title_id: int | None,
    app_name: str,
    new_session: bool,
) -> None:
    """Adds [start, end) of a session to the kid's days (a new session counts once, on its first day)."""
    zone = family_zone(db, kid.family_id)
    parts = split_by_day(start, end, zone) or [(local_day(start, zone), 0)]
    for index, (day, seconds) in enumerate(parts):
        sessions = 1 if new_session and index == 0 else 0
        statement = insert(UsageDay).values(
            kid_profile_id=kid.id,
            day=day,
            app_id=log.app_id,
            title_id=title_id,
            app_name=app_name,
            seconds=seconds,
            sessions=sessions,
        )
        db.execute(
            statement.on_conflict_do_update(
                index_elements=[UsageDay.kid_profile_id, UsageDay.day, UsageDay.app_id],
                set_={
                    "seconds": UsageDay.seconds + statement.excluded.seconds,
                    "sessions": UsageDay.sessions + statement.excluded.sessions,
                    "title_id": func.coalesce(statement.excluded.title_id, UsageDay.title_id),
                    "app_name": func.coalesce(func.nullif(statement.excluded.app_name, ""), UsageDay.app_name),
                },
            )
        )


# -- reading -----------------------------------------------------------------------------------


@dataclass
class TitleUsage:
    app_id: str
    title_id: int | None
    name: str
    seconds: int
    sessions: int

    @property
    def minutes(self) -> int:
        return self.seconds // 60


@dataclass
class DayUsage:
    day: date
    titles: list[TitleUsage] = field(default_factory=list)

    @property
    def seconds(self) -> int:
        return sum(title.seconds for title in self.titles)

    @property
    def minutes(self) -> int:
        return self.seconds // 60

    @property
    def sessions(self) -> int:
        return sum(title.sessions for title in self.titles)


def _name(row) -> str:
    return row.title or row.app_name or gettext("App %(id)s") % {"id": row.app_id}


def days(db: Session, kid: KidProfile, first: date, last: date) -> list[DayUsage]:
    """Every day from `first` to `last` (empty days too, for a chart), titles by minutes watched."""
    rows = db.execute(
        select(
            UsageDay.day,
            UsageDay.app_id,
            UsageDay.title_id,
            UsageDay.app_name,
            UsageDay.seconds,
            UsageDay.sessions,
            Title.title,
        )
        .outerjoin(Title, Title.id == UsageDay.title_id)
        .where(UsageDay.kid_profile_id == kid.id, UsageDay.day.between(first, last))
        .order_by(UsageDay.day, UsageDay.seconds.desc(), UsageDay.app_id)
    )
    by_day = {
        first + timedelta(days=offset): DayUsage(first + timedelta(days=offset))
        for offset in range((last - first).days + 1)
    }
    for row in rows:
        by_day[row.day].titles.append(TitleUsage(row.app_id, row.title_id, _name(row), row.seconds, row.sessions))
    return list(by_day.values())


def titles_between(history: list[DayUsage]) -> list[TitleUsage]:
    """The titles watched over these days, most watched first."""
    totals: dict[str, TitleUsage] = {}
    for day in history:
        for title in day.titles:
            total = totals.setdefault(title.app_id, TitleUsage(title.app_id, title.title_id, title.name, 0, 0))
            total.seconds += title.seconds
            total.sessions += title.sessions
    return sorted(totals.values(), key=lambda title: (-title.seconds, title.name))
