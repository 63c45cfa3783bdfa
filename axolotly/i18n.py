"""Words in the reader's language: gettext catalogs (axolotly/locale/<lang>/LC_MESSAGES/messages.po)
read by Babel, and the language of the request in a context variable.

Pages, emails and the kid launcher call `gettext`/`ngettext` (templates: `_()` and `ngettext()`,
Jinja2's i18n extension, newstyle: `_("Hello %(name)s", name=kid.name)`); module-level words that
are translated later are marked with `N_` so that `pybabel extract` finds them. The JSON APIs keep
their English `detail` texts: clients may match on them.

Which language a request speaks (web/language.py starts it): the parent's own setting, else the
browser's Accept-Language, else English; the kid launcher speaks its family's language
(`family_language`). The request's choice is one small mutable holder in the context variable:
FastAPI runs each sync dependency and route in a worker thread with a *copy* of the context, so a
value set there would be lost, while a change to the shared holder (the page dependency learning
the parent's setting) reaches the route, its flash messages and the rendered page alike.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, time, timedelta
from functools import cache
from gettext import NullTranslations
from io import BytesIO
from pathlib import Path
from typing import Protocol

from babel import Locale
from babel.core import negotiate_locale
from babel.dates import format_date, format_datetime, format_skeleton, format_timedelta
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

LANGUAGES = ("en", "de", "es", "fr")  # English is the source language: it has no catalog
DEFAULT_LANGUAGE = "en"
LANGUAGE_NAMES = {"en": "English", "de": "Deutsch", "es": "Español", "fr": "Français"}
LOCALE_DIR = Path(__file__).parent / "locale"

# The language a family's country speaks, for a family whose owner chose none (the kid launcher).
# Countries of several languages take the one most of their families read (BE: fr, CH: de, CA: en);
# a country of none of our languages (JP, BR, IT...) leaves it to the browser.
COUNTRY_LANGUAGES = {
    **dict.fromkeys(("DE", "AT", "CH", "LI"), "de"),
    **dict.fromkeys(
        ("ES", "MX", "AR", "CO", "CL", "PE", "VE", "EC", "GT", "CU", "BO", "DO", "HN", "PY", "SV", "NI", "CR"),
        "es",
    ),
    **dict.fromkeys(("PA", "UY", "PR", "GQ"), "es"),
    **dict.fromkeys(("FR", "BE", "LU", "MC", "SN", "CI"), "fr"),
    **dict.fromkeys(("US", "GB", "IE", "AU", "NZ", "CA", "ZA", "IN", "SG"), "en"),
}


class _Speaking:
    """One request's language (see the module's docstring for why it is a mutable holder)."""

    __slots__ = ("language", "browser", "parent_read", "parents_choice")

    def __init__(self, language: str, browser: str | None = None):
        self.language = language
        self.browser = browser  # what Accept-Language asked for, if any of ours
        self.parent_read = False  # the signed-in parent's setting was read (accounts/deps.py)
        self.parents_choice: str | None = None  # ...and it is this language (None: the browser's)


_speaking: ContextVar[_Speaking | None] = ContextVar("axolotly_language", default=None)


class HasLanguage(Protocol):
    """A family's owner as `family_language` reads it (models.User has both)."""

    @property
    def language(self) -> str | None: ...

    @property
    def country(self) -> str: ...


def known(language: str | None) -> str:
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


@cache
def translations(language: str) -> NullTranslations:
    """The catalog of a language, compiled in memory from its .po file (no .mo in the tree)."""
    po_file = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if language == DEFAULT_LANGUAGE or not po_file.exists():
        return NullTranslations()
    with po_file.open("rb") as source:
        catalog = read_po(source, locale=language)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


@cache
def locale(language: str) -> Locale:
    """Babel's locale of a language, for dates, weekdays and numbers."""
    return Locale.parse(known(language))


def current_language() -> str:
    speaking = _speaking.get()
    return speaking.language if speaking else DEFAULT_LANGUAGE


def current_locale() -> Locale:
    return locale(current_language())


def parents_choice() -> tuple[bool, str | None]:
    """(whether this request read the signed-in parent's setting, that setting): the page then
    remembers it in a cookie (web/language.py) for the pages that read no account (log-in, errors)."""
    speaking = _speaking.get()
    return (speaking.parent_read, speaking.parents_choice) if speaking else (False, None)


def start_request(remembered: str | None, browser: str | None) -> None:
    """A fresh holder for a new request (web/language.py): the parent's choice as a cookie
    remembered it, else the browser's, else English; nothing of another request carries over."""
    browser = browser if browser in LANGUAGES else None
    _speaking.set(_Speaking(remembered if remembered in LANGUAGES else browser or DEFAULT_LANGUAGE, browser))


def speak_parents_choice(language: str | None) -> None:
    """The signed-in parent's own setting (`users.language`; None: the browser's) for the rest of
    the request: its route, its flash message and its page."""
    speaking = _speaking.get()
    if speaking is None:
        speaking = _Speaking(DEFAULT_LANGUAGE)
        _speaking.set(speaking)
    speaking.parent_read, speaking.parents_choice = True, language if language in LANGUAGES else None
    speaking.language = speaking.parents_choice or speaking.browser or DEFAULT_LANGUAGE


def set_language(language: str | None) -> None:
    """For the rest of this request: words in `language` (None or unknown: unchanged). The kid
    launcher's pages: `set_language(family_language(owner))`."""
    if language not in LANGUAGES:
        return
    speaking = _speaking.get()
    if speaking is None:
        _speaking.set(_Speaking(language))
    else:
        speaking.language = language


@contextmanager
def use_language(language: str | None) -> Iterator[None]:
    """Words in `language` inside the block (an email to a parent in theirs), then as before."""
    token = _speaking.set(_Speaking(known(language)))
    try:
        yield
    finally:
        _speaking.reset(token)


def negotiate(accept_language: str | None) -> str | None:
    """The best of our languages for an Accept-Language header ("de-AT,de;q=0.9,en;q=0.8" -> "de"),
    None when it names none of them."""
    if not accept_language:
        return None
    preferred: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")[:20]):  # a header is short; never loop long
        tag, _, quality = part.partition(";")
        weight = 1.0
        if quality.strip().startswith("q="):
            try:
                weight = float(quality.strip()[2:])
            except ValueError:
                continue
        if tag.strip() and weight > 0:
            # Babel matches "de-AT" to "de" only through its aliases; the primary tag is enough for us.
            preferred.append((-weight, position, tag.strip().split("-")[0].split("_")[0].lower()))
    return negotiate_locale([tag for _, _, tag in sorted(preferred)], LANGUAGES)


def country_language(country: str | None) -> str | None:
    return COUNTRY_LANGUAGES.get((country or "").upper())


def family_language(owner: HasLanguage, fallback: str | None = None) -> str:
    """The language a family's kid launcher speaks: the owner's own setting, else the language of
    the family's country, else `fallback` (by default the browser's Accept-Language), else English."""
    speaking = _speaking.get()
    browser = fallback or (speaking.browser if speaking else None)
    return owner.language or country_language(owner.country) or known(browser)


def gettext(message: str) -> str:
    return translations(current_language()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    return translations(current_language()).ngettext(singular, plural, count)


def N_(message: str) -> str:  # noqa: N802 - gettext's conventional name for "translate later"
    """Marks words for the catalog without translating them now (module-level labels)."""
    return message


# -- dates, times, weekdays, numbers and durations in the reader's locale (Babel) ----------------

# Named formats: (English pattern, date skeleton, time skeleton). English keeps the pages' house
# style (day, month, year, 24-hour clock); the other languages take their own order, words and
# punctuation from CLDR ("15. Jan. 2026, 13:00", "15 ene 2026, 13:00", "15 janv. 2026 13:00").
MOMENT_FORMATS = {
    "medium": ("dd MMM y, HH:mm", "yMMMd", "Hm"),
    "seconds": ("dd MMM y HH:mm:ss", "yMMMd", "Hms"),
    "short": ("dd MMM HH:mm", "MMMd", "Hm"),
    "time": ("HH:mm", "", "Hm"),
    "clock_seconds": ("HH:mm:ss", "", "Hms"),  # "on Emma's tablet since 19:02:03"
    "date": ("dd MMM y", "yMMMd", ""),
    "day": ("EEE dd MMM", "MMMEd", ""),
    "full_date": ("EEEE dd MMMM y", "full", ""),  # in mails: "Thursday 15 January 2026"
}
# The strftime formats the templates used before, read as the named format that replaced them.
STRFTIME_FORMATS = {
    "%d %b %Y, %H:%M": "medium",
    "%d %b %Y %H:%M": "medium",
    "%d %b %Y %H:%M:%S": "seconds",
    "%d %b %H:%M": "short",
    "%H:%M": "time",
    "%d %b %Y": "date",
    "%a %d %b": "day",
}


def format_moment(moment: datetime | date | time, name: str = "medium") -> str:
    """A moment as the reader's locale writes it, in a named format of MOMENT_FORMATS (or one of
    the strftime formats it replaced). The moment is shown as given: convert it to its zone first."""
    english, date_skeleton, time_skeleton = MOMENT_FORMATS[STRFTIME_FORMATS.get(name, name)]
    language = current_language()
    if language == DEFAULT_LANGUAGE:
        return format_datetime(_as_datetime(moment), english, locale=language)
    shown = _as_datetime(moment)
    day = _format_day(shown, date_skeleton, language) if date_skeleton and not isinstance(moment, time) else ""
    has_clock = isinstance(moment, (datetime, time))
    clock = format_skeleton(time_skeleton, shown, locale=language) if time_skeleton and has_clock else ""
    if day and clock:
        return str(locale(language).datetime_formats["medium"]).format(clock, day)
    return day or clock


def _format_day(moment: datetime, skeleton: str, language: str) -> str:
    if skeleton == "full":  # CLDR's full date ("Donnerstag, 15. Januar 2026") is no skeleton
        return format_date(moment, "full", locale=language)
    return format_skeleton(skeleton, moment, locale=language)


def _as_datetime(moment: datetime | date | time) -> datetime:
    if isinstance(moment, datetime):
        return moment
    if isinstance(moment, time):
        return datetime.combine(date(2000, 1, 1), moment)  # only its clock is shown
    return datetime.combine(moment, time())


def format_weekday(day: date | int, width: str = "wide") -> str:
    """A weekday's name ("Montag", "lunes"; `day`: a date, or 0 for Monday ... 6 for Sunday);
    `width`: "wide" or "abbreviated"."""
    index = day.weekday() if isinstance(day, date) else day
    return str(current_locale().days["format"][width][index])


def format_time(moment: datetime | time) -> str:
    """A clock time ("21:03"), as the locale writes a 24-hour clock."""
    return format_moment(moment, "time")


def format_ago(delta: timedelta) -> str:
    """How long ago (a negative delta) or how far ahead: "2 hours ago", "vor 2 Stunden"."""
    return format_timedelta(delta, add_direction=True, locale=current_locale())


def format_number(value: float, decimals: int | None = None) -> str:
    """A number with the locale's separators ("1,234.5", "1.234,5", "1 234,5"); `decimals`: exactly
    that many digits after the decimal sign."""
    pattern = None if decimals is None else "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=current_locale())


def format_minutes(minutes: int) -> str:
    """ "1 minute", "2 minutes" ("1 Minute", "2 Minuten"): the plural the reader's language takes."""
    return ngettext("%(num)d minute", "%(num)d minutes", minutes) % {"num": minutes}
