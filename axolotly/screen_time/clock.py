"""Screen-time arithmetic in the family's time zone: days, bedtimes, budgets. Pure: no database.

Everything is decided on UTC instants, so DST days simply have 23 or 25 hours:
- a local day runs from its first instant to the next day's first instant (`day_bounds`);
- a bedtime window belongs to the day on which it starts and may cross midnight (20:00–07:00);
  Friday's window (school-day rules) lasts until Saturday 07:00;
- a wall-clock time that a DST change skips counts from the jump (the clock is past it); one it
  repeats is read the stricter way: a bedtime starts at its first showing and ends at its last;
- a parent's pause holds the kid off until it ends, and then for as long as the rules still do;
- an episode the kid started before their time ran out may play to its end, for at most the
  parent's grace after that moment (`with_grace`; never under a parent's pause).
"""

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

SATURDAY = 5
HORIZON_DAYS = 3  # how far `next_change_at` looks ahead
PAUSE_MAX_MINUTES = 1440
GRACE_MAX_MINUTES = 30  # kid_profiles.episode_grace_minutes (its CHECK)
Reason = Literal["paused", "bedtime", "limit_reached"]


@dataclass(frozen=True)
class Bedtime:
    start: time
    end: time  # earlier than `start`: the window ends on the next day

    def __post_init__(self) -> None:
        if self.start == self.end:
            raise ValueError("A bedtime must start and end at different times")


@dataclass(frozen=True)
class DayRules:
    limit_minutes: int | None = None  # None: no daily limit
    bedtime: Bedtime | None = None


@dataclass(frozen=True)
class Schedule:
    enabled: bool = False
    school_day: DayRules = DayRules()  # Monday to Friday
    weekend: DayRules = DayRules()

    def rules_for(self, day: date) -> DayRules:
        return self.weekend if is_weekend(day) else self.school_day


@dataclass(frozen=True)
class Window:
    start: datetime  # UTC
    end: datetime  # UTC, after start
    bedtime: Bedtime

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


@dataclass(frozen=True)
class Today:
    """What a kid may do now, and until when the answer holds (by the clock alone)."""

    day: date
    enabled: bool
    limit_minutes: int | None  # today's limit including bonus; None = unlimited
    bonus_minutes: int
    used_seconds: int
    bedtime: Bedtime | None  # the window in force now, else today's
    in_bedtime: bool
    allowed_now: bool
    next_change_at: datetime | None  # UTC
    paused_until: datetime | None = None  # a pause in force: its end, on the family's clock
    held_by_pause: bool = False  # the pause, not the rules, keeps the kid off until next_change_at
    finishing_until: datetime | None = None  # the kid may finish the episode that plays until then (grace)

    @property
    def reason(self) -> Reason | None:
        """Why the kid may not watch now: what holds them off until `next_change_at`."""
        if self.held_by_pause:
            return "paused"
        if self.allowed_now:
            return None
        return "bedtime" if self.in_bedtime else "limit_reached"

    @property
    def remaining_minutes(self) -> int | None:
        if self.limit_minutes is None:
            return None
        return max(0, self.limit_minutes * 60 - self.used_seconds) // 60

    @property
    def used_minutes(self) -> int:
        return self.used_seconds // 60

    @property
    def budget_spent(self) -> bool:
        return self.limit_minutes is not None and self.used_seconds >= self.limit_minutes * 60


def is_weekend(day: date) -> bool:
    return day.weekday() >= SATURDAY


def local_day(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


def _readings(day: date, clock: time, zone: ZoneInfo) -> tuple[datetime, datetime, bool]:
    """The UTC instants a wall-clock time may mean (two in a DST overlap), and whether a gap skips it."""
    wall = datetime.combine(day, clock)
    first, second = (wall.replace(tzinfo=zone, fold=fold).astimezone(UTC) for fold in (0, 1))
    skipped = first.astimezone(zone).replace(tzinfo=None) != wall
    return first, second, skipped


def _jump_past(day: date, clock: time, zone: ZoneInfo) -> datetime:
    """The first instant whose wall clock reads `clock` or later, for a time a DST gap skips."""
    wall = datetime.combine(day, clock)
    first, second, _ = _readings(day, clock, zone)
    before, after = min(first, second), max(first, second)  # local clock: before < wall <= after
    while after - before > timedelta(seconds=1):
        middle = before + (after - before) / 2
        if middle.astimezone(zone).replace(tzinfo=None) >= wall:
            after = middle
        else:
            before = middle
    return after.replace(microsecond=0)  # transitions fall on whole seconds: this is the jump itself


def earliest(day: date, clock: time, zone: ZoneInfo) -> datetime:
    """When the clock first shows `clock` on `day` (a skipped time: when the clock jumps past it)."""
    first, second, skipped = _readings(day, clock, zone)
    return _jump_past(day, clock, zone) if skipped else min(first, second)


def latest(day: date, clock: time, zone: ZoneInfo) -> datetime:
    """When the clock last shows `clock` on `day` (a repeated time: its second showing)."""
    first, second, skipped = _readings(day, clock, zone)
    return _jump_past(day, clock, zone) if skipped else max(first, second)


def day_start(day: date, zone: ZoneInfo) -> datetime:
    """The first UTC instant whose local date is `day`: midnight, or the jump of a gap at midnight
    (a day a zone skipped altogether, like Pacific/Apia's 2011-12-30, lasts no time at all)."""
    return earliest(day, time(0), zone)


def day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    return day_start(day, zone), day_start(day + timedelta(days=1), zone)


def window_of(day: date, bedtime: Bedtime, zone: ZoneInfo) -> Window:
    """The bedtime window that starts on `day` (ending the next day when it crosses midnight)."""
    end_day = day + timedelta(days=1) if bedtime.end < bedtime.start else day
    return Window(earliest(day, bedtime.start, zone), latest(end_day, bedtime.end, zone), bedtime)


def windows_around(moment: datetime, schedule: Schedule, zone: ZoneInfo, days_ahead: int = 0) -> list[Window]:
    """Bedtime windows starting from the day before `moment`'s day to `days_ahead` days after it."""
    today = local_day(moment, zone)
    windows = []
    for offset in range(-1, days_ahead + 1):
        day = today + timedelta(days=offset)
        bedtime = schedule.rules_for(day).bedtime
        if bedtime is not None:
            windows.append(window_of(day, bedtime, zone))
    return windows


def active_window(moment: datetime, schedule: Schedule, zone: ZoneInfo) -> Window | None:
    if not schedule.enabled:
        return None
    return next((window for window in windows_around(moment, schedule, zone) if window.contains(moment)), None)


def split_by_day(start: datetime, end: datetime, zone: ZoneInfo) -> list[tuple[date, int]]:
    """Whole seconds of [start, end) on each local day it touches (a session across midnight counts
    on both); rounded cumulatively, so the parts always add up to the session's seconds."""
    parts = []
    day, cursor, counted = local_day(start, zone), start, 0
    while cursor < end:
        chunk_end = min(end, day_start(day + timedelta(days=1), zone))
        through = round((chunk_end - start).total_seconds())
        parts.append((day, through - counted))
        cursor, day, counted = chunk_end, day + timedelta(days=1), through
    return parts


def today(
    now: datetime,
    zone: ZoneInfo,
    schedule: Schedule,
    used_seconds: int,
    bonus_minutes: int,
    paused_until: datetime | None = None,
) -> Today:
    """Today's answer for a kid who has watched `used_seconds` today and has `bonus_minutes` granted
    today, paused by a parent until `paused_until` (a pause that has ended counts for nothing)."""
    day = local_day(now, zone)
    if not schedule.enabled:
        status = Today(day, False, None, 0, used_seconds, None, False, True, None)
        return _with_pause(status, now, zone, schedule, paused_until, lambda moment: True)
    rules = schedule.rules_for(day)
    limit = None if rules.limit_minutes is None else rules.limit_minutes + bonus_minutes
    window = active_window(now, schedule, zone)

    def allowed_at(moment: datetime) -> bool:
        moment_day = local_day(moment, zone)
        if active_window(moment, schedule, zone) is not None:
            return False
        if moment_day == day:
            return limit is None or used_seconds < limit * 60
        later_limit = schedule.rules_for(moment_day).limit_minutes
        return later_limit is None or later_limit > 0  # a new day starts with nothing used

    allowed = allowed_at(now)
    status = Today(
        day,
        True,
        limit,
        bonus_minutes if limit is not None else 0,
        used_seconds,
        window.bedtime if window else rules.bedtime,
        window is not None,
        allowed,
        _next_change(now, zone, schedule, allowed, allowed_at),
    )
    return _with_pause(status, now, zone, schedule, paused_until, allowed_at)


def _with_pause(
    status: Today,
    now: datetime,
    zone: ZoneInfo,
    schedule: Schedule,
    paused_until: datetime | None,
    allowed_at: Callable[[datetime], bool],
) -> Today:
    """The answer under a parent's pause: no watching until it ends, and on from there while the
    rules say no (a pause ending in bedtime lasts until the bedtime ends). A pause that ends
    inside a bedtime or a spent day which would hold the kid off anyway changes nothing the kid
    sees: the rules stay the reason and their end the next change."""
    if paused_until is None or paused_until <= now:
        return status
    paused_until = paused_until.astimezone(UTC)  # UTC arithmetic: a zone's own is by the wall clock
    if allowed_at(paused_until):
        back: datetime | None = paused_until
    else:
        back = _next_change(paused_until, zone, schedule, False, allowed_at)
    ruled_until = status.next_change_at  # when not allowed: when the rules alone let the kid back
    held = status.allowed_now or (ruled_until is not None and (back is None or back > ruled_until))
    return replace(
        status,
        allowed_now=False,
        next_change_at=back if held else ruled_until,
        paused_until=paused_until.astimezone(zone),
        held_by_pause=held,
    )


def next_showing(now: datetime, clock_time: time, zone: ZoneInfo) -> datetime:
    """The next moment after `now` the family's clock shows `clock_time`: later today, else
    tomorrow. A time a DST gap skips: the jump past it; one the clocks repeat: its next showing."""
    day = local_day(now, zone)
    later_today = sorted(
        moment for moment in {earliest(day, clock_time, zone), latest(day, clock_time, zone)} if moment > now
    )
    return later_today[0] if later_today else earliest(day + timedelta(days=1), clock_time, zone)


def pause_end(now: datetime, zone: ZoneInfo, minutes: int | None = None, until: time | None = None) -> datetime:
    """When a pause asked now ends: after `minutes` (1 to 1440), or at the next `until` on the
    family's clock. Whole seconds: the pause ends on the second the parent is shown."""
    if until is not None and minutes is None:
        return next_showing(now, until, zone)
    if minutes is not None and until is None and 1 <= minutes <= PAUSE_MAX_MINUTES:
        return (now.astimezone(UTC) + timedelta(minutes=minutes)).replace(microsecond=0)  # real minutes, DST or not
    raise ValueError("a pause lasts 1 to 1440 minutes, or until a time: one of the two")


def _next_change(
    now: datetime, zone: ZoneInfo, schedule: Schedule, allowed: bool, allowed_at: Callable[[datetime], bool]
) -> datetime | None:
    """The first moment after `now` at which the answer flips by the clock alone (no more watching)."""
    today_ = local_day(now, zone)
    candidates = {day_start(today_ + timedelta(days=offset), zone) for offset in range(1, HORIZON_DAYS + 1)}
    for window in windows_around(now, schedule, zone, days_ahead=HORIZON_DAYS):
        candidates.update((window.start, window.end))
    for moment in sorted(candidate for candidate in candidates if candidate > now):
        if allowed_at(moment) != allowed:
            return moment
    return None


@dataclass(frozen=True)
class Playing:
    """An episode the kid opened, as the server's clock saw it start."""

    started_at: datetime
    runs_out_at: datetime | None  # when the kid's time was to run out, as the rules said at the start
    runtime_minutes: int | None  # the episode's (TMDB's); None: unknown


def runs_out_at(status: Today, now: datetime) -> datetime | None:
    """When a kid who starts watching at `now` and watches on must stop by the rules: `now` when
    they may not watch; else the earlier of the clock's next change (a bedtime, a day without
    watching) and the end of today's budget. None: nothing stops them. Watching on another device
    at the same time spends the budget sooner; `with_grace` stays within its bounds even then."""
    if not status.allowed_now:
        return now
    ends = [status.next_change_at] if status.next_change_at is not None else []
    if status.limit_minutes is not None:
        ends.append(now + timedelta(seconds=status.limit_minutes * 60 - status.used_seconds))
    return min(ends, default=None)


def may_finish(
    started_at: datetime,
    runtime_minutes: int | None,
    runs_out: datetime | None,
    grace_minutes: int,
    now: datetime,
) -> datetime | None:
    """Until when an episode that started at `started_at` may play on at `now`, the kid's time
    running out at `runs_out`: to the episode's end, at most `grace_minutes` past `runs_out`.
    None: no grace. None too for an episode started once the time had run out, with the grace
    off, or when its runtime is unknown (the server could not tell whether it still plays)."""
    if grace_minutes <= 0 or runtime_minutes is None or runs_out is None or started_at >= runs_out:
        return None
    end = min(started_at + timedelta(minutes=runtime_minutes), runs_out + timedelta(minutes=grace_minutes))
    return end if started_at <= now < end else None


def with_grace(status: Today, playing: Playing | None, grace_minutes: int, now: datetime) -> Today:
    """The answer for a launcher that knows what plays: while the kid may finish the episode, it
    allows watching until then (`finishing_until`, also the next change). Only the day's limit and
    bedtime are softened: a parent's pause in force never is."""
    if status.allowed_now or status.paused_until is not None or playing is None:
        return status
    until = may_finish(playing.started_at, playing.runtime_minutes, playing.runs_out_at, grace_minutes, now)
    if until is None:
        return status
    return replace(status, allowed_now=True, next_change_at=until, finishing_until=until)
