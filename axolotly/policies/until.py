"""Allows that end by themselves (issue 27): "until Sunday 20:00", "for 3 days", "today only".

An allow's end is `kid_profiles_titles.allowed_until`. Past it the title is decided by the rules
alone, at once and without a write: the launcher's statement reads `allowed_until > at`, its ETag
names the last allow that ended (launcher/reads.py), pages read the policy through
evaluate.py's `in_force`. A periodic job (jobs/allow_tasks.py, `end_allows` here) later deletes
the ended rows, keeps their titles in the family library, and writes the activity trail.

Times are the callers' clock (`now`), as the launcher's: an injected clock, pinned in tests.
"""

from collections import defaultdict
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from axolotly.audit import service as audit
from axolotly.enums import PolicyKind
from axolotly.errors import Invalid
from axolotly.families.library import keep_in_library
from axolotly.i18n import N_
from axolotly.models import KidProfile, KidProfileTitle, Title, User

# How far ahead an allow may end: a year (beyond that, "for good" says what a parent means).
MAX_AHEAD = timedelta(days=365)
FOR_GOOD, TODAY, THREE_DAYS, UNTIL = "", "today", "3days", "until"
# The choices a parent reads, in this order (pages: a select beside each allow).
CHOICES = {
    FOR_GOOD: N_("For good"),
    TODAY: N_("Today only"),
    THREE_DAYS: N_("For 3 days"),
    UNTIL: N_("Until…"),
}
END_BATCH = 200


def checked_until(until: datetime | None, now: datetime, policy: str = PolicyKind.ALLOW) -> datetime | None:
    """`until` as stored (UTC), or an Invalid a parent can act on: only an allow ends, at a
    moment given with its offset, in the future and at most MAX_AHEAD away."""
    if until is None:
        return None
    if policy != PolicyKind.ALLOW:
        raise Invalid(N_("Only an allow can end by itself: a deny is for good"))
    if until.tzinfo is None or until.utcoffset() is None:
        raise Invalid(N_("Give the end with its offset from UTC, e.g. 2026-12-06T20:00:00+01:00"))
    if until <= now:
        raise Invalid(N_("The end of an allow must be in the future"))
    if until > now + MAX_AHEAD:
        raise Invalid(N_("An allow can end at most a year from now"))
    return until.astimezone(UTC)


def until_of_choice(choice: str, local_text: str, zone: str, now: datetime) -> datetime | None:
    """The end a parent chose on a page, checked (checked_until): "For good" (None), "Today only"
    (midnight tonight on the family's clock), "For 3 days" (this time in three days), or "Until…"
    a date and time typed on the family's clock (`local_text`, "2026-12-06T20:00" as a
    datetime-local field sends it)."""
    family_zone = ZoneInfo(zone)
    if choice == FOR_GOOD:
        return None
    if choice == TODAY:
        tomorrow = now.astimezone(family_zone).date() + timedelta(days=1)
        return checked_until(datetime.combine(tomorrow, time(0), family_zone), now)
    if choice == THREE_DAYS:  # the same time on the family's clock three days on (a DST change between)
        wall_clock = now.astimezone(family_zone).replace(tzinfo=None) + timedelta(days=3)
        return checked_until(wall_clock.replace(tzinfo=family_zone), now)
    if choice != UNTIL:
        raise Invalid(N_("Choose how long the allow lasts"))
    moment = on_family_clock(local_text, zone)
    if moment is None:
        raise Invalid(N_("Give a date and a time for the end of the allow"))
    return checked_until(moment, now)


def on_family_clock(local_text: str, zone: str) -> datetime | None:
    """A date and time as a datetime-local field sends it ("2026-12-06T20:00"), read on the
    family's clock; None for anything else (a page sends the wall clock, never an offset).
    fold=0: a wall-clock time that happens twice (clocks going back) is its first occurrence."""
    try:
        local = datetime.fromisoformat(local_text.strip())
    except ValueError:
        return None
    return local.replace(tzinfo=ZoneInfo(zone)) if local.tzinfo is None else None


def in_trail_words(moment: datetime, zone: str) -> str:
    """An end as the activity trail stores it (English words, like every summary): "Sun 06 Dec 20:00"."""
    return moment.astimezone(ZoneInfo(zone)).strftime("%a %d %b %H:%M")


def local_input_value(moment: datetime | None, zone: str) -> str:
    """An end as a datetime-local field shows it on the family's clock ("2026-12-06T20:00")."""
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M") if moment else ""


def allow_clock(db: Session, kid_id: int, now: datetime) -> tuple[str | None, datetime | None]:
    """(the last end of the kid's allows that has come, as the launcher's ETag names it; the next
    end to come): what a page that shows the kid's launcher needs to know it changed and when it
    will. Two reads of the partial index (kid_profile_id, allowed_until)."""
    ended = db.scalar(
        select(func.trim_scale(func.extract("epoch", func.max(KidProfileTitle.allowed_until)))).where(
            KidProfileTitle.kid_profile_id == kid_id, KidProfileTitle.allowed_until <= now
        )
    )
    next_end = db.scalar(
        select(func.min(KidProfileTitle.allowed_until)).where(
            KidProfileTitle.kid_profile_id == kid_id, KidProfileTitle.allowed_until > now
        )
    )
    return (str(ended) if ended is not None else None), next_end


def end_allows(db: Session, now: datetime, batch: int = END_BATCH) -> int:
    """Deletes up to `batch` allows whose end has come by `now` (rows a parent is changing right
    now are skipped, and the DELETE checks the end again: a re-allow wins), keeps their titles in
    the family library (as removing a policy does) and writes one trail line per ended allow.
    Returns how many ended."""
    rows = db.execute(
        select(KidProfileTitle.id, KidProfile.family_id, KidProfile.name, Title.title, User.time_zone)
        .join(KidProfile, KidProfile.id == KidProfileTitle.kid_profile_id)
        .join(Title, Title.id == KidProfileTitle.title_id)
        .join(User, User.id == KidProfile.family_id)
        .where(KidProfileTitle.allowed_until <= now)
        .order_by(KidProfileTitle.allowed_until)
        .limit(batch)
        .with_for_update(of=KidProfileTitle, skip_locked=True)
    ).all()
    by_family: dict[int, list[int]] = defaultdict(list)
    for row in rows:
        by_family[row.family_id].append(row.id)
    for family_id, ids in by_family.items():
        keep_in_library(db, family_id, select(KidProfileTitle).where(KidProfileTitle.id.in_(ids)))
    ended = {
        row.id: row.allowed_until
        for row in db.execute(
            delete(KidProfileTitle)
            .where(KidProfileTitle.id.in_([row.id for row in rows]), KidProfileTitle.allowed_until <= now)
            .returning(KidProfileTitle.id, KidProfileTitle.allowed_until)
        )
    }
    for row in rows:
        if row.id in ended:
            when = in_trail_words(ended[row.id], row.time_zone)
            summary = f"“{row.title}” is no longer allowed for {row.name}: the allow until {when} ended"
            audit.record(db, row.family_id, "allow_ended", summary)
    return len(ended)
