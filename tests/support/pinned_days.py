"""Fixed instants for the tests whose answer depends on the date or the time of day (time is a
fixture: see `clock` in conftest.py), so the suite gives the same answers on any day it runs.

Each instant is noon on the family's clock, hours away from midnight and from the bedtimes the
tests set, so a test may step an hour or two either way and stay on the same local day:
- a school day: Wednesday in London (a zone with DST, on a day without a change);
- a weekend day: Saturday in New York;
- the day Berlin's clocks go forward: Sunday 2026-03-29, a local day of 23 hours.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import time_machine


@dataclass(frozen=True)
class PinnedDay:
    name: str
    noon: datetime  # UTC: noon on this day in `zone`
    zone: str


SCHOOL_DAY = PinnedDay("school-day", datetime(2026, 11, 25, 12, tzinfo=UTC), "Europe/London")
WEEKEND_DAY = PinnedDay("weekend", datetime(2026, 12, 5, 17, tzinfo=UTC), "America/New_York")
DST_CHANGE_DAY = PinnedDay("dst-change", datetime(2026, 3, 29, 10, tzinfo=UTC), "Europe/Berlin")
EVERY_KIND_OF_DAY = (SCHOOL_DAY, WEEKEND_DAY, DST_CHANGE_DAY)


@dataclass(frozen=True)
class Clock:
    """The test's pinned clock: it stands still unless the test moves it (`shift`)."""

    day: PinnedDay
    traveller: time_machine.Traveller

    @property
    def now(self) -> datetime:
        return datetime.now(UTC)

    @property
    def zone(self) -> str:
        return self.day.zone

    @property
    def local_now(self) -> datetime:
        return self.now.astimezone(ZoneInfo(self.zone))

    @property
    def today(self) -> date:
        return self.local_now.date()

    @property
    def is_weekend(self) -> bool:
        return self.today.weekday() >= 5

    def at(self, wall_clock: time, day: date | None = None) -> datetime:
        """The UTC instant of a wall-clock time today (or on `day`) in the family's zone."""
        return datetime.combine(day or self.today, wall_clock, ZoneInfo(self.zone)).astimezone(UTC)

    def shift(self, delta: timedelta) -> None:
        self.traveller.shift(delta)


def iso(moment: datetime) -> str:
    """As launchers send times: UTC with a "Z"."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
