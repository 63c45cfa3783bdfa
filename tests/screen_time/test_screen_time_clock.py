"""Screen-time arithmetic (screen_time/clock.py) over time zones, DST changes, midnight-crossing
bedtimes and day boundaries: properties checked by hypothesis, and the DST days named."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from axolotly.screen_time.clock import (
    Bedtime,
    DayRules,
    Schedule,
    active_window,
    day_bounds,
    is_weekend,
    local_day,
    split_by_day,
    today,
)

UTC = UTC
ZONES = [
    ZoneInfo(name)
    for name in (
        "UTC",
        "Europe/London",
        "Europe/Berlin",
        "America/New_York",
        "America/Los_Angeles",
        "America/Sao_Paulo",
        "Australia/Sydney",
        "Australia/Lord_Howe",
        "Asia/Kolkata",
        "Asia/Kathmandu",
        "Pacific/Auckland",
        "America/Santiago",
        "Asia/Tehran",
        "Africa/Casablanca",
        "Pacific/Chatham",
    )
]
zones = st.sampled_from(ZONES)
# 2000-2037: every zone above has its rules in the tz database without a skipped calendar day.
moments = st.datetimes(min_value=datetime(2000, 1, 3), max_value=datetime(2037, 12, 28), timezones=st.just(UTC))
clock_times = st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45, 59]))
bedtimes = st.tuples(clock_times, clock_times).filter(lambda ends: ends[0] != ends[1]).map(lambda ends: Bedtime(*ends))
limits = st.none() | st.integers(0, 600)
day_rules = st.builds(DayRules, limits, st.none() | bedtimes)
schedules = st.builds(Schedule, st.just(True), day_rules, day_rules)


def hours(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 3600


# -- days ----------------------------------------------------------------------------------------


def test_dst_days_are_23_or_25_hours_long():
    london, new_york, sydney = ZoneInfo("Europe/London"), ZoneInfo("America/New_York"), ZoneInfo("Australia/Sydney")
    assert hours(*day_bounds(date(2026, 3, 29), london)) == 23  # clocks go forward
    assert hours(*day_bounds(date(2026, 10, 25), london)) == 25  # clocks go back
    assert hours(*day_bounds(date(2026, 3, 28), london)) == 24
    assert hours(*day_bounds(date(2026, 3, 8), new_york)) == 23
    assert hours(*day_bounds(date(2026, 11, 1), new_york)) == 25
    assert hours(*day_bounds(date(2026, 4, 5), sydney)) == 25  # southern autumn
    assert hours(*day_bounds(date(2026, 10, 4), sydney)) == 23


def test_a_day_whose_midnight_a_dst_gap_skips_starts_at_the_jump():
    # Santiago moves its clocks at midnight: 2026-09-06 has no 00:00, it begins at 01:00 (UTC-3).
    santiago = ZoneInfo("America/Santiago")
    start, end = day_bounds(date(2026, 9, 6), santiago)
    assert start.astimezone(santiago).time() == time(1, 0)
    assert hours(start, end) == 23


@given(zones, moments)
def test_every_instant_lies_in_exactly_its_local_day(zone, moment):
    day = local_day(moment, zone)
    start, end = day_bounds(day, zone)
    assert start <= moment < end
    assert day_bounds(day + timedelta(days=1), zone)[0] == end  # days tile the time line
    assert 22 <= hours(start, end) <= 26


@given(zones, moments, st.integers(0, 3 * 24 * 3600))
def test_a_session_split_by_day_keeps_every_second(zone, start, seconds):
    end = start + timedelta(seconds=seconds)
    parts = split_by_day(start, end, zone)
    assert sum(part for _, part in parts) == seconds
    assert [day for day, _ in parts] == [local_day(start, zone) + timedelta(days=n) for n in range(len(parts))]
    for day, part in parts:
        first, last = day_bounds(day, zone)
        assert 0 <= part <= (last - first).total_seconds()


def test_a_session_across_midnight_counts_on_both_days():
    berlin = ZoneInfo("Europe/Berlin")
    start = datetime(2026, 11, 27, 23, 30, tzinfo=berlin)
    assert split_by_day(start, start + timedelta(hours=1), berlin) == [
        (date(2026, 11, 27), 1800),
        (date(2026, 11, 28), 1800),
    ]


# -- bedtime -------------------------------------------------------------------------------------


def naive_in_bedtime(local: datetime, schedule: Schedule) -> bool:
    """The rule as a parent says it, on the wall clock (right wherever no DST change is near)."""
    clock, day = local.time(), local.date()
    tonight = schedule.rules_for(day).bedtime
    last_night = schedule.rules_for(day - timedelta(days=1)).bedtime
    if tonight and (tonight.start <= clock < tonight.end if tonight.start < tonight.end else clock >= tonight.start):
        return True
    return bool(last_night and last_night.end < last_night.start and clock < last_night.end)


def steady_offset(moment: datetime, zone: ZoneInfo) -> bool:
    offsets = {(moment + timedelta(hours=h)).astimezone(zone).utcoffset() for h in range(-50, 51, 1)}
    return len(offsets) == 1


@given(zones, moments, schedules)
def test_bedtime_is_the_wall_clock_rule_away_from_dst_changes(zone, moment, schedule):
    assume(steady_offset(moment, zone))
    assert (active_window(moment, schedule, zone) is not None) == naive_in_bedtime(moment.astimezone(zone), schedule)


@given(zones, moments, schedules)
def test_bedtime_windows_are_never_empty_even_on_dst_days(zone, moment, schedule):
    window = active_window(moment, schedule, zone)
    if window is not None:
        assert window.start <= moment < window.end
        assert window.start < window.end


def test_friday_night_follows_school_day_rules_until_saturday_morning():
    zone = ZoneInfo("Europe/London")
    schedule = Schedule(True, DayRules(None, Bedtime(time(20), time(7))), DayRules(None, Bedtime(time(21), time(9))))
    friday_late = datetime(2026, 11, 27, 22, 0, tzinfo=zone)
    saturday_early = datetime(2026, 11, 28, 7, 30, tzinfo=zone)  # Friday's window ended at 07:00
    saturday_night = datetime(2026, 11, 28, 20, 30, tzinfo=zone)  # the weekend's starts at 21:00
    sunday_early = datetime(2026, 11, 29, 8, 30, tzinfo=zone)  # Saturday's window lasts until 09:00
    assert is_weekend(saturday_early.date()) and not is_weekend(friday_late.date())
    assert active_window(friday_late, schedule, zone).bedtime == Bedtime(time(20), time(7))
    assert active_window(saturday_early, schedule, zone) is None
    assert active_window(saturday_night, schedule, zone) is None
    assert active_window(sunday_early, schedule, zone).bedtime == Bedtime(time(21), time(9))


def test_a_bedtime_in_the_skipped_hour_starts_at_its_earliest_reading():
    london = ZoneInfo("Europe/London")
    schedule = Schedule(
        True, DayRules(None, Bedtime(time(1, 30), time(6))), DayRules(None, Bedtime(time(1, 30), time(6)))
    )
    # 2026-03-29: 01:00 GMT jumps to 02:00 BST. 01:30 never shows on a clock; bedtime holds from the jump.
    assert active_window(datetime(2026, 3, 29, 1, 0, tzinfo=UTC), schedule, london) is not None
    assert active_window(datetime(2026, 3, 29, 0, 59, tzinfo=UTC), schedule, london) is None


# -- today's answer ------------------------------------------------------------------------------

used_seconds = st.integers(0, 12 * 3600)
bonuses = st.integers(0, 120)


@given(zones, moments, schedules, used_seconds, bonuses)
def test_allowed_now_is_no_bedtime_and_budget_left(zone, now, schedule, used, bonus):
    status = today(now, zone, schedule, used, bonus)
    rules = schedule.rules_for(local_day(now, zone))
    limit = None if rules.limit_minutes is None else rules.limit_minutes + bonus
    assert status.limit_minutes == limit
    assert status.in_bedtime == (active_window(now, schedule, zone) is not None)
    assert status.allowed_now == (not status.in_bedtime and (limit is None or used < limit * 60))
    if limit is not None:
        assert status.remaining_minutes == max(0, limit * 60 - used) // 60


def answer_at(moment, zone, schedule, now, used, bonus) -> bool:
    same_day = local_day(moment, zone) == local_day(now, zone)
    return today(moment, zone, schedule, used if same_day else 0, bonus if same_day else 0).allowed_now


@settings(max_examples=200)
@given(zones, moments, schedules, used_seconds, bonuses)
def test_next_change_is_the_first_flip_of_the_answer(zone, now, schedule, used, bonus):
    status = today(now, zone, schedule, used, bonus)
    change = status.next_change_at
    if change is None:
        return
    assert change > now
    assert answer_at(change, zone, schedule, now, used, bonus) != status.allowed_now
    for fraction in (0.25, 0.5, 0.75):
        between = now + (change - now) * fraction
        assert answer_at(between, zone, schedule, now, used, bonus) == status.allowed_now
    assert answer_at(change - timedelta(seconds=1), zone, schedule, now, used, bonus) == status.allowed_now


def test_time_is_up_until_bedtime_ends_then_a_new_day_begins():
    zone = ZoneInfo("America/New_York")
    rules = DayRules(60, Bedtime(time(20), time(7)))
    schedule = Schedule(True, rules, rules)
    afternoon = datetime(2026, 11, 25, 16, 0, tzinfo=zone)
    spent = today(afternoon, zone, schedule, 3600, 0)
    assert not spent.allowed_now and spent.remaining_minutes == 0
    # Budget spent, and at midnight bedtime still holds: the answer changes at 07:00 tomorrow.
    assert spent.next_change_at == datetime(2026, 11, 26, 7, 0, tzinfo=zone)
    with_bonus = today(afternoon, zone, schedule, 3600, 30)
    assert with_bonus.allowed_now and with_bonus.limit_minutes == 90 and with_bonus.remaining_minutes == 30
    assert with_bonus.next_change_at == datetime(2026, 11, 25, 20, 0, tzinfo=zone)


def test_a_disabled_schedule_allows_everything():
    zone = ZoneInfo("UTC")
    schedule = Schedule(False, DayRules(0, Bedtime(time(0), time(23, 59))), DayRules(0, None))
    status = today(datetime(2026, 11, 25, 12, tzinfo=UTC), zone, schedule, 10_000, 0)
    assert status.allowed_now and status.limit_minutes is None and status.next_change_at is None
