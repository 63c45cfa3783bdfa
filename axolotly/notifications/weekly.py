"""The weekly summary email (issue 26): per kid, the time watched each day of the family's week
(Monday to Sunday, its local days), the most watched titles and the requests answered; an HTML
bar chart that mail clients render (tables and inline styles: no image, script or CSS class) and
the same in plain text, in the recipient's language, with a one-click unsubscribe link.

When it is sent (every family, Sunday 18:00 in its zone, once): `queue_due_summaries` below, run
every 15 minutes by jobs/weekly_tasks.py, hands it to the outbox (notifications/outbox.py), whose
delivery job renders `summary_mail`.
"""

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_interval
from jinja2 import Environment, FileSystemLoader
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from axolotly.families.context import owner_of
from axolotly.families.kids import list_kids
from axolotly.families.members import parent_names
from axolotly.families.scoping import owned_by
from axolotly.families.settings import family_zone
from axolotly.i18n import (
    DEFAULT_LANGUAGE,
    N_,
    current_language,
    family_language,
    format_moment,
    gettext,
    ngettext,
    use_language,
)
from axolotly.mail import Mail
from axolotly.models import Notification, TimeRequest, Title, TitleRequest, User
from axolotly.notifications import unsubscribe
from axolotly.notifications.outbox import notify
from axolotly.screen_time.clock import day_start
from axolotly.screen_time.service import duration_words
from axolotly.screen_time.usage import days, titles_between

logger = logging.getLogger(__name__)

EVENT = "weekly_summary"
SEND_FROM = time(18, 0)  # on Sunday, the family's clock
SUNDAY = 6
TOP_TITLES = 5
TEXT_BAR_WIDTH = 20  # characters of the plain-text bar of the longest day
MAIL_TEMPLATES = Path(__file__).resolve().parents[1] / "web" / "templates" / "mail"

_templates = Environment(loader=FileSystemLoader(MAIL_TEMPLATES), autoescape=True, extensions=["jinja2.ext.i18n"])
_templates.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]

SUBJECT = N_("Your family's week on Axolotly: %(week)s")
WATCHED = N_("%(name)s watched %(duration)s this week.")
WATCHED_NOTHING = N_("%(name)s watched nothing this week.")
NO_KIDS = N_("There are no kid profiles in your family any more.")
NO_ANSWERS = N_("No requests answered this week.")
MOST_WATCHED = N_("Most watched")
REQUESTS_ANSWERED = N_("Requests answered")
WHY_YOU_GET_IT = N_("You get this email every Sunday evening as a parent of this family on Axolotly.")
UNSUBSCRIBE = N_("Unsubscribe from the weekly summary")
SETTINGS = N_("Notification settings")
# One whole sentence per kind of answer (the day: when it was answered, the family's clock). No
# full stop: each is a line of a list, and a date may end in one of its own ("Mo., 30. Nov.").
# Who answered always follows "by", so the word for a parent whose account is gone takes one case.
ANSWERS = {
    "approved": N_("%(kid)s asked to watch “%(title)s”: allowed by %(parent)s on %(day)s"),
    "declined": N_("%(kid)s asked to watch “%(title)s”: declined by %(parent)s on %(day)s"),
    "granted": N_("%(kid)s asked for more time: granted by %(parent)s on %(day)s (%(duration)s more)"),
    "time_declined": N_("%(kid)s asked for more time: declined by %(parent)s on %(day)s"),
}
A_PARENT = N_("a parent")  # who answered, when their account is gone since
MAX_ANSWERS_PER_KID = 20


@dataclass(frozen=True)
class DayBar:
    label: str  # "Mon 19 Oct", the reader's way
    minutes: int
    duration: str  # "1 h 5 min"
    percent: int  # of the family's longest day this week: the bar's width


@dataclass(frozen=True)
class KidWeek:
    name: str
    total: str  # a sentence
    days: list[DayBar]
    titles: list[tuple[str, str]]  # (name, duration), most watched first
    answers: list[str]  # sentences, in the order they were answered


@dataclass(frozen=True)
class WeekSummary:
    subject: str
    kids: list[KidWeek]
    unsubscribe_url: str
    settings_url: str


def week_words(first: date, last: date) -> str:
    """ "30 Nov – 6 Dec" ("30. Nov. – 6. Dez."): English keeps the pages' day-first house style.
    CLDR's thin spaces around the dash become plain ones: a subject line is read in any font."""
    language = current_language()
    return format_interval(first, last, "MMMd", locale="en_GB" if language == "en" else language).replace("\u2009", " ")


def week_of(notification: Notification) -> tuple[date, date]:
    return date.fromisoformat(notification.facts["week_start"]), date.fromisoformat(notification.facts["week_end"])


def _answer_values(row, zone: ZoneInfo, kid_names: dict[int, str], parents: dict[int, str]) -> dict[str, str]:
    return {
        "kid": kid_names.get(row.kid_profile_id, ""),
        "parent": parents.get(row.answered_by) or gettext(A_PARENT),
        "day": format_moment(row.answered_at.astimezone(zone).date(), "day"),
    }


def answered_in_week(
    db: Session, family_id: int, first: date, last: date, zone: ZoneInfo, kid_names: dict[int, str]
) -> dict[int, list[str]]:
    """Per kid, the title and time requests answered from `first` to `last` (local days), as
    sentences in the order they were answered. A time request closed because the kid asked again
    the next day was answered by nobody: it is left out."""
    start, end = day_start(first, zone), day_start(last + timedelta(days=1), zone)
    requests = db.execute(
        owned_by(
            select(TitleRequest, Title.title).join(Title, Title.id == TitleRequest.title_id), TitleRequest, family_id
        ).where(TitleRequest.status != "open", TitleRequest.answered_at >= start, TitleRequest.answered_at < end)
    ).all()
    times = db.scalars(
        owned_by(select(TimeRequest), TimeRequest, family_id).where(
            TimeRequest.status != "open",
            TimeRequest.answered_by.is_not(None),
            TimeRequest.answered_at >= start,
            TimeRequest.answered_at < end,
        )
    ).all()
    answerers = {row.answered_by for row in (*(request for request, _ in requests), *times)}
    parents = parent_names(db, {user_id for user_id in answerers if user_id is not None})
    answered: list[tuple[datetime, int, str]] = []
    for request, title in requests:
        values = _answer_values(request, zone, kid_names, parents) | {"title": title}
        answered.append((request.answered_at, request.kid_profile_id, gettext(ANSWERS[request.status]) % values))
    for time_request in times:
        values = _answer_values(time_request, zone, kid_names, parents)
        values["duration"] = duration_words(time_request.minutes or 0)  # (a declined one's sentence has none)
        kind = "granted" if time_request.status == "granted" else "time_declined"
        answered.append((time_request.answered_at, time_request.kid_profile_id, gettext(ANSWERS[kind]) % values))
    by_kid: dict[int, list[str]] = {}
    for _, kid_id, sentence in sorted(answered, key=lambda answer: answer[0]):
        by_kid.setdefault(kid_id, []).append(sentence)
    return {kid_id: _capped(sentences) for kid_id, sentences in by_kid.items()}


def _capped(sentences: list[str]) -> list[str]:
    if len(sentences) <= MAX_ANSWERS_PER_KID:
        return sentences
    more = len(sentences) - MAX_ANSWERS_PER_KID
    return [
        *sentences[:MAX_ANSWERS_PER_KID],
        ngettext("…and %(num)d more answer", "…and %(num)d more answers", more) % {"num": more},
    ]


def _bar_percent(minutes: int, longest: int) -> int:
    """The bar's width; a day with a minute or more always shows a sliver."""
    return max(1, round(100 * minutes / longest)) if minutes and longest else 0


def summary(db: Session, family_id: int, first: date, last: date, recipient_id: int) -> WeekSummary:
    """The week's figures and words, in the current language."""
    zone = family_zone(db, family_id)
    kids = list_kids(db, family_id)
    history = {kid.id: days(db, kid, first, last) for kid in kids}
    answers = answered_in_week(db, family_id, first, last, zone, {kid.id: kid.name for kid in kids})
    longest = max((day.minutes for week in history.values() for day in week), default=0)
    weeks = []
    for kid in kids:
        week = history[kid.id]
        seconds = sum(day.seconds for day in week)
        total = (
            gettext(WATCHED) % {"name": kid.name, "duration": duration_words(seconds // 60)}
            if seconds >= 60
            else gettext(WATCHED_NOTHING) % {"name": kid.name}
        )
        bars = [
            DayBar(
                format_moment(day.day, "day"),
                day.minutes,
                duration_words(day.minutes),
                _bar_percent(day.minutes, longest),
            )
            for day in week
        ]
        titles = [(title.name, duration_words(title.minutes)) for title in titles_between(week)[:TOP_TITLES]]
        weeks.append(KidWeek(kid.name, total, bars, titles, answers.get(kid.id, [])))
    return WeekSummary(
        gettext(SUBJECT) % {"week": week_words(first, last)},
        weeks,
        unsubscribe.unsubscribe_url(recipient_id, EVENT),
        unsubscribe.settings_url(),
    )


def plain_text(week: WeekSummary) -> str:
    lines = [week.subject, ""]
    if not week.kids:
        lines += [gettext(NO_KIDS), ""]
    for kid in week.kids:
        lines += [kid.name, "=" * len(kid.name), kid.total, ""]
        label_width = max(len(day.label) for day in kid.days)
        duration_width = max(len(day.duration) for day in kid.days)
        for day in kid.days:
            bar = "█" * round(TEXT_BAR_WIDTH * day.percent / 100)
            lines.append(f"{day.label.ljust(label_width)}  {day.duration.rjust(duration_width)}  {bar}".rstrip())
        lines.append("")
        if kid.titles:
            lines += [
                gettext(MOST_WATCHED) + ":",
                *(f"{n}. {name}: {duration}" for n, (name, duration) in enumerate(kid.titles, 1)),
                "",
            ]
        lines += [
            gettext(REQUESTS_ANSWERED) + ":",
            *(f"- {answer}" for answer in kid.answers or [gettext(NO_ANSWERS)]),
            "",
        ]
    lines += [
        "-- ",
        gettext(WHY_YOU_GET_IT),
        f"{gettext(UNSUBSCRIBE)}: {week.unsubscribe_url}",
        f"{gettext(SETTINGS)}: {week.settings_url}",
    ]
    return "\n".join(lines) + "\n"


def summary_mail(db: Session, notification: Notification, recipient: User) -> Mail:
    """The weekly summary of `notification.facts["week_start"]`'s week for this parent, in their language."""
    first, last = week_of(notification)
    owner = owner_of(db, notification.family_id)
    # As the outbox's other mails (notifications/delivery.py): the parent's own language, else the family's.
    with use_language(recipient.language or family_language(owner, DEFAULT_LANGUAGE)):
        week = summary(db, notification.family_id, first, last, recipient.id)
        html = _templates.get_template("weekly_summary.html").render(week=week, language=current_language())
        return Mail(
            recipient.email, week.subject, plain_text(week), html, unsubscribe.mail_headers(week.unsubscribe_url)
        )


# -- when: Sunday 18:00 on each family's clock, once ---------------------------------------------

# One lock for every run: two workers (or a retried run beside a late one) take turns, batch by
# batch, and each batch reads afresh which families are still waiting.
RUN_LOCK = 0x77_65_65_6B  # "week"
ZONES = text("SELECT DISTINCT time_zone FROM users WHERE role = 'parent'")
# Families (owners with a kid) in a zone whose Sunday evening it is and whose parents have no
# summary of that Sunday yet (the outbox writes one per parent told; any one of them says the
# family's is done). After `after`, so one run never meets a family twice.
DUE_FAMILIES = text("""
    SELECT u.id AS family_id, due.sunday
    FROM unnest(CAST(:zones AS text[]), CAST(:sundays AS date[])) AS due(zone, sunday)
    JOIN users u ON u.time_zone = due.zone
    WHERE u.role = 'parent' AND u.id > :after
      AND NOT EXISTS (SELECT 1 FROM family_members m WHERE m.user_id = u.id)
      AND EXISTS (SELECT 1 FROM kid_profiles k WHERE k.family_id = u.id)
      AND NOT EXISTS (
          SELECT 1 FROM notifications n
          WHERE n.family_id = u.id AND n.event = :event AND n.dedupe_key = to_char(due.sunday, 'YYYY-MM-DD')
      )
    ORDER BY u.id
    LIMIT :limit
""")


def sunday_evening(now: datetime, zone_name: str) -> date | None:
    """The zone's Sunday when it is 18:00 or later on a Sunday there, else None. Wall-clock time:
    a DST change that morning moves when in UTC, never whether."""
    try:
        local = now.astimezone(ZoneInfo(zone_name))
    except (ZoneInfoNotFoundError, ValueError):
        logger.warning("weekly summary: unknown time zone %r skipped", zone_name)
        return None
    return local.date() if local.weekday() == SUNDAY and local.time() >= SEND_FROM else None


def queue_due_summaries(db: Session, now: datetime, limit: int, after: int = 0) -> list[int]:
    """Hands the outbox the summary of every family due now (at most `limit`, ids after `after`),
    in the caller's transaction; the ids of the families, in order.

    A family with no kid gets none: there is nothing to sum up, and an account that never added a
    kid would otherwise be mailed every week about nothing.
    """
    db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": RUN_LOCK})
    due = {zone: sunday for zone in db.scalars(ZONES) if (sunday := sunday_evening(now.astimezone(UTC), zone))}
    if not due:
        return []
    rows = db.execute(
        DUE_FAMILIES,
        {"zones": list(due), "sundays": list(due.values()), "event": EVENT, "after": after, "limit": limit},
    ).all()
    for family_id, sunday in rows:
        facts = {"week_start": (sunday - timedelta(days=6)).isoformat(), "week_end": sunday.isoformat()}
        notify(db, family_id, EVENT, dedupe_key=sunday.isoformat(), facts=facts)
    return [family_id for family_id, _ in rows]
