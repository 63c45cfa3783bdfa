"""A parent's "pause now" in screen_time/clock.py: when a pause ends (minutes, or the next HH:MM on
the family's clock, across midnight and DST changes) and what the kid may do meanwhile and after
(a pause, then a bedtime or a spent day). Pure: instants are written out, no clock fixture."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from axolotly.screen_time.clock import Bedtime, DayRules, Schedule, local_day, next_showing, pause_end, today

BERLIN = ZoneInfo("Europe/Berlin")
LONDON = ZoneInfo("Europe/London")
OFF = Schedule()
BEDTIME = DayRules(None, Bedtime(time(19, 30), time(7)))
EVENINGS_OFF = Schedule(True, BEDTIME, BEDTIME)


def at(zone: ZoneInfo, *parts: int, fold: int = 0) -> datetime:
    return datetime(*parts, tzinfo=zone, fold=fold)


# -- when a pause ends ---------------------------------------------------------------------------


def test_a_pause_for_minutes_ends_that_many_minutes_later_on_the_second():
    now = datetime(2026, 11, 25, 12, 0, 5, 678_000, tzinfo=UTC)
    assert pause_end(now, LONDON, minutes=30) == datetime(2026, 11, 25, 12, 30, 5, tzinfo=UTC)
    assert pause_end(now, LONDON, minutes=1440) == datetime(2026, 11, 26, 12, 0, 5, tzinfo=UTC)


def test_a_pause_for_minutes_across_a_dst_change_lasts_real_minutes():
    before_jump = at(BERLIN, 2026, 3, 29, 1, 30)  # at 02:00 the clocks go forward to 03:00
    assert pause_end(before_jump, BERLIN, minutes=60).astimezone(BERLIN) == at(BERLIN, 2026, 3, 29, 3, 30)


@pytest.mark.parametrize(
    "now, until, end",
    [
        (at(LONDON, 2026, 11, 25, 12, 0), time(19, 30), at(LONDON, 2026, 11, 25, 19, 30)),  # later today
        (at(LONDON, 2026, 11, 25, 20, 0), time(19, 30), at(LONDON, 2026, 11, 26, 19, 30)),  # passed: tomorrow
        (at(LONDON, 2026, 11, 25, 23, 0), time(7, 0), at(LONDON, 2026, 11, 26, 7, 0)),  # across midnight
        (at(LONDON, 2026, 11, 25, 12, 0), time(12, 0), at(LONDON, 2026, 11, 26, 12, 0)),  # now: tomorrow's
        # Berlin skips 02:00-03:00 on 2026-03-29: "until 02:30" ends at the jump, 03:00 CEST.
        (at(BERLIN, 2026, 3, 28, 22, 0), time(2, 30), at(BERLIN, 2026, 3, 29, 3, 0)),
        # ... and repeats 02:00-03:00 on 2026-10-25: before the first 02:30, that one; after it, the second.
        (at(BERLIN, 2026, 10, 25, 2, 10), time(2, 30), at(BERLIN, 2026, 10, 25, 2, 30)),
        (at(BERLIN, 2026, 10, 25, 2, 40), time(2, 30), at(BERLIN, 2026, 10, 25, 2, 30, fold=1)),
        # The day after a spring-forward is a whole day: "until 09:00" on the evening before it.
        (at(BERLIN, 2026, 3, 28, 21, 0), time(9, 0), at(BERLIN, 2026, 3, 29, 9, 0)),
    ],
)
def test_a_pause_until_a_time_ends_at_its_next_showing_on_the_family_clock(now, until, end):
    # In UTC: an instant inside a repeated hour never equals one of another zone (PEP 495).
    assert pause_end(now, now.tzinfo, until=until) == end.astimezone(UTC)
    assert pause_end(now, now.tzinfo, until=until) > now


def test_the_second_showing_of_a_repeated_time_is_an_hour_after_the_first():
    first = next_showing(at(BERLIN, 2026, 10, 25, 2, 10), time(2, 30), BERLIN)
    second = next_showing(first, time(2, 30), BERLIN)
    assert second - first == timedelta(hours=1)


@pytest.mark.parametrize("minutes, until", [(None, None), (30, time(19)), (0, None), (1441, None)])
def test_a_pause_is_minutes_or_a_time_never_both_nor_neither_nor_out_of_range(minutes, until):
    with pytest.raises(ValueError):
        pause_end(datetime(2026, 11, 25, 12, tzinfo=UTC), LONDON, minutes, until)


# -- what the kid may do -------------------------------------------------------------------------


def test_a_pause_holds_a_kid_without_limits_until_it_ends():
    now = at(LONDON, 2026, 11, 25, 12, 0)
    end = at(LONDON, 2026, 11, 25, 12, 30)
    paused = today(now, LONDON, OFF, 0, 0, end)
    assert (paused.allowed_now, paused.reason, paused.next_change_at) == (False, "paused", end)
    assert paused.paused_until == end and paused.paused_until.tzinfo == LONDON  # the family's clock
    after = today(end, LONDON, OFF, 0, 0, end)  # an ended pause counts for nothing
    assert (after.allowed_now, after.reason, after.paused_until) == (True, None, None)


def test_a_pause_ending_in_bedtime_lasts_until_the_bedtime_ends():
    now = at(LONDON, 2026, 11, 25, 18, 0)
    status = today(now, LONDON, EVENINGS_OFF, 0, 0, at(LONDON, 2026, 11, 25, 20, 0))
    assert (status.allowed_now, status.reason) == (False, "paused")  # the pause is what stops the kid now
    assert status.next_change_at == at(LONDON, 2026, 11, 26, 7, 0)


def test_a_pause_during_bedtime_that_ends_inside_it_leaves_bedtime_the_reason():
    now = at(LONDON, 2026, 11, 25, 21, 0)
    status = today(now, LONDON, EVENINGS_OFF, 0, 0, at(LONDON, 2026, 11, 25, 21, 30))
    assert (status.allowed_now, status.reason, status.in_bedtime) == (False, "bedtime", True)
    assert status.next_change_at == at(LONDON, 2026, 11, 26, 7, 0)
    assert status.paused_until == at(LONDON, 2026, 11, 25, 21, 30)  # still shown to the parent


def test_a_pause_during_bedtime_that_outlasts_it_is_the_reason_until_it_ends():
    now = at(LONDON, 2026, 11, 26, 6, 0)
    status = today(now, LONDON, EVENINGS_OFF, 0, 0, at(LONDON, 2026, 11, 26, 8, 0))
    assert (status.allowed_now, status.reason, status.next_change_at) == (False, "paused", at(LONDON, 2026, 11, 26, 8))


def test_a_pause_on_a_spent_day_matters_only_past_midnight():
    schedule = Schedule(True, DayRules(60, None), DayRules(60, None))
    now = at(LONDON, 2026, 11, 25, 18, 0)
    tonight = today(now, LONDON, schedule, 3600, 0, at(LONDON, 2026, 11, 25, 19, 0))
    assert (tonight.reason, tonight.next_change_at) == ("limit_reached", at(LONDON, 2026, 11, 26, 0, 0))
    tomorrow = today(now, LONDON, schedule, 3600, 0, at(LONDON, 2026, 11, 26, 9, 0))
    assert (tomorrow.reason, tomorrow.next_change_at) == ("paused", at(LONDON, 2026, 11, 26, 9, 0))


zones = st.sampled_from(
    [
        ZoneInfo(name)
        for name in (
            "UTC",
            "Europe/London",
            "Europe/Berlin",
            "America/New_York",
            "Australia/Lord_Howe",
            "Asia/Kathmandu",
        )
    ]
)
moments = st.datetimes(min_value=datetime(2000, 1, 3), max_value=datetime(2037, 12, 28), timezones=st.just(UTC))
clock_times = st.builds(time, st.integers(0, 23), st.sampled_from([0, 30, 59]))
bedtimes = st.tuples(clock_times, clock_times).filter(lambda ends: ends[0] != ends[1]).map(lambda ends: Bedtime(*ends))
day_rules = st.builds(DayRules, st.none() | st.integers(0, 600), st.none() | bedtimes)
schedules = st.builds(Schedule, st.booleans(), day_rules, day_rules)


def allowed(moment, zone, schedule, now, used, bonus, paused_until) -> bool:
    same_day = local_day(moment, zone) == local_day(now, zone)
    return today(moment, zone, schedule, used if same_day else 0, bonus if same_day else 0, paused_until).allowed_now


@settings(max_examples=200)
@given(zones, moments, schedules, st.integers(0, 12 * 3600), st.integers(0, 60), st.integers(1, 1440))
def test_a_paused_kid_waits_exactly_until_next_change_at(zone, now, schedule, used, bonus, minutes):
    paused_until = pause_end(now, zone, minutes=minutes)
    status = today(now, zone, schedule, used, bonus, paused_until)
    assert not status.allowed_now and status.reason is not None
    assert status.paused_until == paused_until
    change = status.next_change_at
    if change is None:  # no time left on any day within the horizon, once the pause ends
        return
    assert change >= paused_until
    assert allowed(change, zone, schedule, now, used, bonus, paused_until)
    for fraction in (0.25, 0.5, 0.75):
        between = now + (change - now) * fraction
        assert not allowed(between, zone, schedule, now, used, bonus, paused_until)
    assert not allowed(change - timedelta(seconds=1), zone, schedule, now, used, bonus, paused_until)
