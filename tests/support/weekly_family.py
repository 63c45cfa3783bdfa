"""A family for the weekly summary's tests: an owner (Anna), a co-parent (Ben) and kids, in a zone."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from axolotly.models import FamilyMember, KidProfile, User
from tests.support.factories import make_family, make_kid


@dataclass
class WeeklyFamily:
    owner: User
    co_parent: User | None
    kids: list[KidProfile]

    @property
    def parents(self) -> list[User]:
        return [self.owner, *([self.co_parent] if self.co_parent else [])]


def weekly_family(
    db, zone: str = "Europe/Berlin", kids: tuple[str, ...] = ("Emma", "Leo"), co_parent: bool = True
) -> WeeklyFamily:
    owner = make_family(db)
    owner.time_zone, owner.display_name = zone, "Anna"
    second = None
    if co_parent:
        second = make_family(db)
        second.display_name = "Ben"
        db.add(FamilyMember(family_id=owner.id, user_id=second.id))
    db.flush()
    return WeeklyFamily(owner, second, [make_kid(db, owner, name) for name in kids])


def local(day: date, clock: time, zone: str) -> datetime:
    """The UTC instant of a wall-clock time on a day in a zone."""
    return datetime.combine(day, clock, ZoneInfo(zone)).astimezone(UTC)
