"""The family's own settings: its name and its time zone (the clock of screen time and usage days)."""

from dataclasses import dataclass
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlalchemy.orm import Session

from axolotly.audit import service as audit
from axolotly.errors import Invalid
from axolotly.families.context import FamilyContext, owner_of


@dataclass(frozen=True)
class FamilySettings:
    family_name: str
    time_zone: str


def default_name(email: str) -> str:
    return f"{email.split('@')[0]}'s family"


def valid_time_zone(name: str) -> str:
    """An IANA zone name this server knows ("Europe/Berlin"); refused otherwise (a 4xx, never a 500)."""
    name = name.strip()
    # available_timezones() rules out odd keys zoneinfo would still open (e.g. "posixrules").
    if not name or len(name) > 64 or name not in _zone_names():
        raise Invalid(f"Unknown time zone {name[:64]!r}: use an IANA name such as 'Europe/London'")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise Invalid(f"Unknown time zone {name!r}") from None
    return name


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())  # reads the tz database once per process


def family_zone(db: Session, family_id: int) -> ZoneInfo:
    return ZoneInfo(owner_of(db, family_id).time_zone)


def load_family_settings(db: Session, family_id: int) -> FamilySettings:
    owner = owner_of(db, family_id)
    return FamilySettings(owner.family_name or default_name(owner.email), owner.time_zone)


def update_settings(
    db: Session, family: FamilyContext, family_name: str | None = None, time_zone: str | None = None
) -> FamilySettings:
    """Changes what was sent; every change is in the family's activity trail."""
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
