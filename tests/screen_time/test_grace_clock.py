"""The episode grace as a pure rule (screen_time/clock.py: `runs_out_at`, `may_finish`,
`with_grace`): an episode that started before the kid's time ran out may play to its end, at most
the grace past that moment; none for an episode started later, with the grace off, with the
runtime unknown, or under a parent's pause. At fixed instants (a school day in London, bedtime
across midnight, Berlin's DST day), plus properties over any instants."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from axolotly.screen_time.clock import (
    Bedtime,
    DayRules,
    Playing,
    Schedule,
    may_finish,
    runs_out_at,
    today,
    with_grace,
)
from tests.support.pinned_days import DST_CHANGE_DAY, SCHOOL_DAY

LONDON = ZoneInfo(SCHOOL_DAY.zone)
BERLIN = ZoneInfo(DST_CHANGE_DAY.zone)
NOON = SCHOOL_DAY.noon  # Wednesday 2026-11-25 12:00 in London (UTC+0)
MINUTE = timedelta(minutes=1)


def at(zone: ZoneInfo, day: tuple[int, int, int], hour: int, minute: int = 0) -> datetime:
    return datetime(*day, hour, minute, tzinfo=zone).astimezone(UTC)


def limited(minutes: int) -> Schedule:
    return Schedule(True, DayRules(minutes), DayRules(minutes))


def bedtime(start: time, end: time) -> Schedule:
    rules = DayRules(None, Bedtime(start, end))
    return Schedule(True, rules, rules)


# -- may_finish: the rule itself ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("started", "runtime", "grace", "now", "until"),
    [
        # Runs out at NOON; the episode started 10 minutes before it.
        (-10, 22, 15, +5, +12),  # to its end: 22 minutes after its start
        (-10, 22, 15, +11, +12),
        (-10, 22, 15, +12, None),  # its end: time's up
        (-10, 45, 15, +5, +15),  # a long episode: the grace is the cap
        (-10, 45, 15, +15, None),
        (-10, 22, 0, +1, None),  # grace off
        (-10, None, 15, +1, None),  # runtime unknown: the server cannot tell it still plays
        (0, 22, 15, +1, None),  # started as time ran out: no grace
        (+1, 22, 15, +2, None),  # started after it
        (-30, 22, 15, +1, None),  # ended before time ran out
        (-10, 22, 30, -20, None),  # before the episode started
    ],
)
def test_an_episode_may_finish_within_the_grace(started, runtime, grace, now, until):
    answer = may_finish(NOON + started * MINUTE, runtime, NOON, grace, NOON + now * MINUTE)
    assert answer == (None if until is None else NOON + until * MINUTE)


def test_nothing_to_finish_when_time_never_runs_out():
    assert may_finish(NOON, 22, None, 15, NOON + MINUTE) is None


# -- runs_out_at: when a kid's time was to run out, seen at the episode's start -------------------


def test_time_runs_out_when_the_days_budget_is_spent():
    status = today(NOON, LONDON, limited(60), used_seconds=50 * 60, bonus_minutes=0)
    assert runs_out_at(status, NOON) == NOON + 10 * MINUTE


def test_time_runs_out_at_bedtime_when_it_comes_before_the_budget():
    schedule = Schedule(True, DayRules(600, Bedtime(time(12, 20), time(7))), DayRules(600))
    status = today(NOON, LONDON, schedule, used_seconds=0, bonus_minutes=0)
    assert runs_out_at(status, NOON) == NOON + 20 * MINUTE


def test_time_has_run_out_already_for_a_kid_who_may_not_watch():
    status = today(NOON, LONDON, limited(30), used_seconds=40 * 60, bonus_minutes=0)
    assert runs_out_at(status, NOON) == NOON


def test_time_never_runs_out_without_limits():
    status = today(NOON, LONDON, Schedule(), used_seconds=10_000, bonus_minutes=0)
    assert runs_out_at(status, NOON) is None


# -- with_grace: the answer for a launcher that knows what plays -----------------------------------


def test_the_limit_reached_mid_episode_lets_it_finish_then_not():
    schedule = limited(60)
    start = NOON
    playing = Playing(start, runs_out_at(today(start, LONDON, schedule, 50 * 60, 0), start), 22)
    five_past = start + 15 * MINUTE  # the limit came at 12:10
    status = today(five_past, LONDON, schedule, 65 * 60, 0)
    assert not status.allowed_now and status.reason == "limit_reached"
    finishing = with_grace(status, playing, 15, five_past)
    assert finishing.allowed_now and finishing.reason is None
    assert finishing.finishing_until == finishing.next_change_at == start + 22 * MINUTE
    at_end = start + 22 * MINUTE
    assert not with_grace(today(at_end, LONDON, schedule, 72 * 60, 0), playing, 15, at_end).allowed_now
    assert not with_grace(status, playing, 0, five_past).allowed_now  # grace off: time's up at the limit


def test_bedtime_across_midnight_lets_the_episode_finish_into_the_next_day():
    schedule = bedtime(time(23, 50), time(7))
    start = at(LONDON, (2026, 11, 25), 23, 40)
    playing = Playing(start, runs_out_at(today(start, LONDON, schedule, 0, 0), start), 22)
    assert playing.runs_out_at == at(LONDON, (2026, 11, 25), 23, 50)
    after_midnight = at(LONDON, (2026, 11, 26), 0, 1)
    status = today(after_midnight, LONDON, schedule, 0, 0)
    assert status.in_bedtime and not status.allowed_now  # the bedtime of the day before
    finishing = with_grace(status, playing, 30, after_midnight)
    assert finishing.finishing_until == at(LONDON, (2026, 11, 26), 0, 2)  # 22 minutes after 23:40
    end = at(LONDON, (2026, 11, 26), 0, 2)
    assert not with_grace(today(end, LONDON, schedule, 0, 0), playing, 30, end).allowed_now


def test_on_a_dst_day_the_episode_runs_real_minutes_not_wall_clock_ones():
    """Berlin, 2026-03-29: 02:00 jumps to 03:00. Bedtime from 01:50; an episode started at 01:45
    with 22 minutes ends at 03:07 on the wall (00:45Z + 22 min), not at 02:07."""
    day = (2026, 3, 29)
    schedule = bedtime(time(1, 50), time(7))
    start = at(BERLIN, day, 1, 45)
    playing = Playing(start, runs_out_at(today(start, BERLIN, schedule, 0, 0), start), 22)
    assert playing.runs_out_at == at(BERLIN, day, 1, 50)
    moment = at(BERLIN, day, 3, 5)
    finishing = with_grace(today(moment, BERLIN, schedule, 0, 0), playing, 30, moment)
    assert finishing.finishing_until is not None
    assert finishing.finishing_until.astimezone(BERLIN).time() == time(3, 7)
    end = at(BERLIN, day, 3, 7)
    assert not with_grace(today(end, BERLIN, schedule, 0, 0), playing, 30, end).allowed_now


def test_an_episode_started_after_the_limit_gets_no_grace():
    schedule = limited(30)
    start = NOON
    status_then = today(start, LONDON, schedule, 31 * 60, 0)
    playing = Playing(start, runs_out_at(status_then, start), 22)
    later = start + 5 * MINUTE
    assert with_grace(today(later, LONDON, schedule, 36 * 60, 0), playing, 30, later).allowed_now is False


def test_a_parents_pause_is_never_softened():
    schedule = limited(60)
    playing = Playing(NOON, NOON + 10 * MINUTE, 22)
    moment = NOON + 5 * MINUTE
    paused = today(moment, LONDON, schedule, 55 * 60, 0, paused_until=moment + 30 * MINUTE)
    assert with_grace(paused, playing, 30, moment) == paused
    spent_and_paused = today(moment + 10 * MINUTE, LONDON, schedule, 70 * 60, 0, paused_until=moment + 30 * MINUTE)
    assert with_grace(spent_and_paused, playing, 30, moment + 10 * MINUTE) == spent_and_paused


def test_an_allowed_kid_or_no_episode_leaves_the_answer_as_it_is():
    status = today(NOON, LONDON, limited(60), 0, 0)
    assert with_grace(status, Playing(NOON, NOON, 22), 30, NOON) == status
    spent = today(NOON, LONDON, limited(60), 61 * 60, 0)
    assert with_grace(spent, None, 30, NOON) == spent


# -- properties ------------------------------------------------------------------------------------

instants = st.integers(-600, 600).map(lambda minutes: NOON + minutes * MINUTE)


@given(
    started=instants,
    runs_out=instants,
    runtime=st.none() | st.integers(0, 300),
    grace=st.integers(0, 30),
    now=instants,
)
def test_the_grace_never_outlasts_the_episode_nor_the_parents_minutes(started, runs_out, runtime, grace, now):
    until = may_finish(started, runtime, runs_out, grace, now)
    if until is None:
        return
    assert runtime is not None and grace > 0 and started < runs_out
    assert started <= now < until
    assert until <= started + timedelta(minutes=runtime)
    assert until <= runs_out + timedelta(minutes=grace)
