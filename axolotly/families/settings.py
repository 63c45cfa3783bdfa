"""The family's own settings: its name, its time zone (the clock of screen time and usage days)
and its country (the rating scales its kids' caps are read on: changing it re-maps them)."""

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from axolotly.audit import service as audit
from axolotly.errors import Conflict, Invalid
from axolotly.families.context import FamilyContext, owner_of
from axolotly.families.scoping import owned_by
from axolotly.i18n import N_
from axolotly.models import KidProfile, User
from axolotly.ratings.scales import KINDS, Kind, Scale, Scales, remap_cap
from axolotly.ratings.service import current_scales

DEFAULT_COUNTRY = "US"
CHANGED_SINCE_PREVIEW = N_("The kids' rules changed since the preview: look again")


class PreviewOutdated(Conflict):
    """The caps' re-mapping at save time is not the one the parent was shown (a co-parent changed
    a cap, the scales were refreshed, a kid came or went): nothing is saved."""


@dataclass(frozen=True)
class FamilySettings:
    family_name: str
    time_zone: str
    country: str


def default_name(email: str) -> str:
    return f"{email.split('@')[0]}'s family"


def valid_time_zone(name: str) -> str:
    """An IANA zone name this server knows ("Europe/Berlin"); refused otherwise (a 4xx, never a 500)."""
    name = name.strip()
    # available_timezones() rules out odd keys zoneinfo would still open (e.g. "posixrules").
    if not name or len(name) > 64 or name not in _zone_names():
        raise Invalid(N_("Unknown time zone %(zone)s: use an IANA name such as 'Europe/London'"), zone=repr(name[:64]))
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise Invalid(N_("Unknown time zone %(zone)s"), zone=repr(name)) from None
    return name


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())  # reads the tz database once per process


def family_zone(db: Session, family_id: int) -> ZoneInfo:
    return ZoneInfo(owner_of(db, family_id).time_zone)


def family_country(db: Session, family_id: int) -> str:
    return owner_of(db, family_id).country


def lock_family(db: Session, family_id: int) -> User:
    """The family's users row, locked (FOR UPDATE) until the transaction ends and read afresh: a
    change of what the kids' caps mean (the country, a kid's caps: families/rules.py) waits for
    another one in flight, then sees what it saved."""
    return db.get_one(User, family_id, with_for_update=True, populate_existing=True)


def load_family_settings(db: Session, family_id: int) -> FamilySettings:
    owner = owner_of(db, family_id)
    return FamilySettings(owner.family_name or default_name(owner.email), owner.time_zone, owner.country)


def update_settings(
    db: Session,
    family: FamilyContext,
    family_name: str | None = None,
    time_zone: str | None = None,
    country: str | None = None,
    expected: str | None = None,
) -> FamilySettings:
    """Changes what was sent; every change is in the family's activity trail. Every value is
    checked before any is written. `expected`: see change_country."""
    if time_zone is not None:
        valid_time_zone(time_zone)
    if country is not None:
        change_country(db, family, valid_country(country, current_scales(db)), expected)
    owner = owner_of(db, family.id)
    if family_name is not None and family_name != owner.family_name:
        owner.family_name = family_name
        audit.record(db, family.id, "family_changed", f"Family name: {family_name}")
    if time_zone is not None:
        time_zone = valid_time_zone(time_zone)
        if time_zone != owner.time_zone:
            owner.time_zone = time_zone
            audit.record(db, family.id, "family_changed", f"Time zone: {time_zone}")
    db.flush()
    return load_family_settings(db, family.id)


# -- the country ---------------------------------------------------------------------------------


def family_countries(scales: Scales) -> tuple[str, ...]:
    """The countries a family may have: an ISO 3166-1 code with a rating scale (not a region such
    as TMDB's "CA-QC": users.country holds two letters)."""
    return tuple(code for code in scales.countries() if re.fullmatch(r"[A-Z]{2}", code))


def valid_country(code: str, scales: Scales) -> str:
    """The code in capitals ("de" -> "DE"); refused, with the codes we know, when no scale has it."""
    wanted = code.strip().upper()
    known = family_countries(scales)
    if wanted not in known:
        raise Invalid(
            N_("Unknown country %(code)s: use an ISO 3166-1 code with a rating system, one of %(known)s"),
            code=repr(code[:10]),
            known=", ".join(known),
        )
    return wanted


def country_name(code: str, language: str) -> str:
    """The country as a reader of `language` names it (Babel: "Deutschland", "Allemagne"); the code if unknown."""
    try:
        return str(Locale.parse(language).territories.get(code, code))
    except (UnknownLocaleError, ValueError):
        return code


def _sort_key(name: str) -> str:
    # Accents aside: "Österreich" sorts with the O's, "États-Unis" with the E's.
    return "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c)).casefold()


def country_choices(scales: Scales, language: str) -> list[tuple[str, str]]:
    """(code, name) of every family country, sorted by name in the reader's language."""
    named = [(code, country_name(code, language)) for code in family_countries(scales)]
    return sorted(named, key=lambda pair: _sort_key(pair[1]))


def guess_country(accept_language: str | None, scales: Scales) -> str:
    """The country a browser's languages suggest: a region when given ("en-GB" -> GB, "fr-CA" ->
    CA), else the language's most likely one ("de" -> DE, "en" -> US: CLDR's likely subtags);
    the first such with a rating scale, by the header's preference; US when none is."""
    known = set(family_countries(scales))
    likely = get_global("likely_subtags")
    for tag in _by_preference(accept_language or ""):
        parts = tag.replace("_", "-").split("-")
        language = parts[0].lower()
        regions = [part.upper() for part in parts[1:] if re.fullmatch(r"[A-Za-z]{2}", part)]
        guessed = str(likely.get(language, "")).split("_")[-1:]
        for region in (*regions, *guessed):
            if region in known:
                return region
    return DEFAULT_COUNTRY


def _by_preference(header: str) -> list[str]:
    """The header's language tags, most wanted first ("de-DE,de;q=0.9,en;q=0.5"); q=0 ones left out."""
    weighted = []
    for index, item in enumerate(header[:500].split(",")):
        tag, _, params = item.strip().partition(";")
        match = re.search(r"q=([0-9.]+)", params)
        try:
            weight = float(match.group(1)) if match else 1.0
        except ValueError:
            weight = 0.0
        if tag and tag != "*" and weight > 0:
            weighted.append((-weight, index, tag.strip()))
    return [tag for _, _, tag in sorted(weighted)]


@dataclass(frozen=True)
class CapChange:
    kind: Kind
    before: str | None  # None: no cap
    after: str | None


@dataclass(frozen=True)
class KidCaps:
    kid: KidProfile
    changes: tuple[CapChange, CapChange]  # movie, then TV


def _remapped(scales: Scales, kind: Kind, old: str, new: str, cap: str | None) -> str | None:
    to_scale = scales.scale(kind, new)
    if cap is None or to_scale is None:  # no such scale there: nothing to cap TV with (e.g. Japan)
        return None
    return remap_cap(scales.scale(kind, old) or Scale(old, kind, ()), to_scale, cap)


def country_preview(db: Session, family_id: int, country: str) -> list[KidCaps]:
    """What a switch to `country` makes of each kid's caps: the nearest rating by minimum age
    (ratings/scales.py remap_cap). Nothing is written."""
    old, scales = owner_of(db, family_id).country, current_scales(db)
    country = valid_country(country, scales)
    previews = []
    for kid in _kids_now(db, family_id):
        caps = {"movie": kid.max_movie_rating, "tv": kid.max_tv_rating}
        if country == old:
            changes = tuple(CapChange(kind, caps[kind], caps[kind]) for kind in KINDS)
        else:
            changes = tuple(
                CapChange(kind, caps[kind], _remapped(scales, kind, old, country, caps[kind])) for kind in KINDS
            )
        previews.append(KidCaps(kid, (changes[0], changes[1])))
    return previews


def _kids_now(db: Session, family_id: int) -> list[KidProfile]:
    # Read afresh: a kid the session loaded before the family's lock may hold caps changed since.
    statement = owned_by(select(KidProfile), KidProfile, family_id).order_by(KidProfile.id)
    return list(db.scalars(statement.execution_options(populate_existing=True)))


ShownCaps = tuple[int, str | None, str | None, str | None, str | None]  # kid id, movie from/to, TV from/to


def mapping_digest(shown: Iterable[ShownCaps]) -> str:
    """A short fingerprint of a re-mapping as shown, whatever order the kids came in."""
    text = json.dumps(sorted(shown, key=lambda row: row[0]))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def preview_digest(previews: Sequence[KidCaps]) -> str:
    """The fingerprint of a preview: the page's confirm form posts it back (change_country)."""
    shown = []
    for preview in previews:
        movie, tv = preview.changes
        shown.append((preview.kid.id, movie.before, movie.after, tv.before, tv.after))
    return mapping_digest(shown)


def change_country(db: Session, family: FamilyContext, country: str, expected: str | None = None) -> FamilySettings:
    """Moves the family to `country`: each kid's caps become that country's nearest ratings,
    every kid's launcher is rebuilt (titles are judged and grouped by the new country), and the
    activity trail says what changed. The same country again changes nothing.

    The family's row is locked first, so two switches, or a switch and a kid's new caps, follow
    one another. `expected`: the digest of the re-mapping the parent was shown (preview_digest);
    when the one computed now differs, PreviewOutdated (409) and nothing is written. None: saved
    with whatever re-mapping holds now (the API without `expected`)."""
    owner = lock_family(db, family.id)
    country = valid_country(country, current_scales(db))
    if country == owner.country:
        return load_family_settings(db, family.id)
    previews = country_preview(db, family.id, country)
    if expected is not None and preview_digest(previews) != expected:
        raise PreviewOutdated(CHANGED_SINCE_PREVIEW)
    old, owner.country = owner.country, country
    for preview in previews:
        movie, tv = preview.changes
        preview.kid.max_movie_rating, preview.kid.max_tv_rating = movie.after, tv.after
    db.flush()
    # Every kid, not only those whose caps moved: the country itself changes what a launcher shows.
    db.execute(
        owned_by(update(KidProfile), KidProfile, family.id).values(
            launcher_version=func.nextval("launcher_version_seq")
        )
    )
    audit.record(db, family.id, "family_changed", _country_summary(old, country, previews))
    return load_family_settings(db, family.id)


def _country_summary(old: str, new: str, previews: list[KidCaps]) -> str:
    """ "Country: US -> DE; Emma: movies PG-13 -> 12, TV TV-14 -> 12" (the trail keeps English words)."""
    words = {"movie": "movies", "tv": "TV"}
    parts = [f"Country: {old} -> {new}"]
    for preview in previews:
        moved = [
            f"{words[change.kind]} {change.before or 'no limit'} -> {change.after or 'no limit'}"
            for change in preview.changes
            if change.before != change.after
        ]
        if moved:
            parts.append(f"{preview.kid.name}: {', '.join(moved)}")
    return "; ".join(parts)
