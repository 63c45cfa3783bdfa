"""The outbox: a notice is written in its event's transaction (all of it, or none of it), once per
parent of the family, by their preferences, held through their quiet hours (email only)."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from axolotly.models import FamilyMember, Notification, NotificationDelivery, User
from axolotly.notifications import listing
from axolotly.notifications.outbox import notify, quiet_until
from tests.support.factories import make_family, make_kid
from tests.support.pinned_days import DST_CHANGE_DAY, SCHOOL_DAY

JOB = "axolotly:deliver_notification"


def co_parent_of(db, owner: User) -> User:
    co_parent = make_family(db)
    db.add(FamilyMember(family_id=owner.id, user_id=co_parent.id))
    db.flush()
    return co_parent


def jobs_of(db, delivery_ids) -> list:
    return db.execute(
        text(
            "SELECT (args->>'delivery_id')::bigint AS delivery_id, scheduled_at, lock FROM procrastinate_jobs "
            "WHERE task_name = :task AND (args->>'delivery_id')::bigint = ANY(:ids) ORDER BY id"
        ),
        {"task": JOB, "ids": list(delivery_ids)},
    ).all()


def deliveries(db, notification_ids) -> list[NotificationDelivery]:
    return list(
        db.scalars(
            select(NotificationDelivery)
            .where(NotificationDelivery.notification_id.in_(notification_ids))
            .order_by(NotificationDelivery.id)
        )
    )


def test_a_rolled_back_event_leaves_no_notice_no_delivery_and_no_job_a_committed_one_all_three(engine, committed):
    with Session(engine) as db:
        with db.begin():
            owner = make_family(db)
            committed.append((User, owner.id))
            kid = make_kid(db, owner, "Emma")
            owner_id, kid_id = owner.id, kid.id
        with db.begin():
            jobs_before = db.scalar(text("SELECT count(*) FROM procrastinate_jobs WHERE task_name = :t"), {"t": JOB})
        transaction = db.begin()
        rolled_back = notify(db, owner_id, "title_request", kid_id=kid_id, facts={"kid": "Emma", "title": "Bluey"})
        assert len(rolled_back) == 1
        transaction.rollback()
        with db.begin():
            assert (
                db.scalar(select(func.count()).select_from(Notification).where(Notification.id.in_(rolled_back))) == 0
            )
            assert deliveries(db, rolled_back) == []
            jobs = db.scalar(text("SELECT count(*) FROM procrastinate_jobs WHERE task_name = :t"), {"t": JOB})
            assert jobs == jobs_before

        with db.begin():
            kept = notify(db, owner_id, "title_request", kid_id=kid_id, facts={"kid": "Emma", "title": "Bluey"})
    with Session(engine) as db:
        notice = db.get_one(Notification, kept[0])
        assert (notice.recipient_id, notice.event, notice.facts["title"]) == (owner_id, "title_request", "Bluey")
        (email,) = deliveries(db, kept)
        assert (email.channel, email.status, email.attempts) == ("email", "pending", 0)
        assert [job.delivery_id for job in jobs_of(db, [email.id])] == [email.id]


def test_every_parent_is_told_but_the_one_skipped(db):
    owner = make_family(db)
    co_parent, other = co_parent_of(db, owner), co_parent_of(db, owner)
    stranger = make_family(db)
    ids = notify(db, owner.id, "co_parent_joined", facts={"email": other.email}, skip_user_id=other.id)
    recipients = db.scalars(select(Notification.recipient_id).where(Notification.id.in_(ids))).all()
    assert sorted(recipients) == sorted([owner.id, co_parent.id])
    assert stranger.id not in recipients
    assert len(deliveries(db, ids)) == 2


def test_a_dedupe_key_tells_each_parent_once(db):
    owner = make_family(db)
    co_parent_of(db, owner)
    first = notify(db, owner.id, "weekly_summary", facts={"week_start": "2026-11-16"}, dedupe_key="2026-11-22")
    again = notify(db, owner.id, "weekly_summary", facts={"week_start": "2026-11-16"}, dedupe_key="2026-11-22")
    assert len(first) == 2 and again == []
    assert len(deliveries(db, first)) == 2
    assert len(notify(db, owner.id, "weekly_summary", dedupe_key="2026-11-29")) == 2  # another week


def test_a_channel_turned_off_gets_nothing_on_that_channel(db):
    owner = make_family(db)
    email_only, in_app_only, neither = co_parent_of(db, owner), co_parent_of(db, owner), co_parent_of(db, owner)
    email_only.notifications_off = ["pin_locked.in_app"]
    in_app_only.notifications_off = ["pin_locked.email", "title_request.in_app"]
    neither.notifications_off = ["pin_locked.email", "pin_locked.in_app"]
    db.flush()
    ids = notify(db, owner.id, "pin_locked", facts={"kid": "Emma"})
    by_recipient = {n.recipient_id: n for n in db.scalars(select(Notification).where(Notification.id.in_(ids)))}
    assert set(by_recipient) == {owner.id, email_only.id, in_app_only.id}
    emailed = {recipient for recipient, notice in by_recipient.items() if deliveries(db, [notice.id])}
    assert emailed == {owner.id, email_only.id}
    # Email only: the row the delivery needs exists, but the parent's list and unread count never show it.
    assert listing.notices(db, email_only.id) == [] and listing.unread_count(db, email_only.id) == 0
    assert [line.event for line in listing.notices(db, in_app_only.id)] == ["pin_locked"]
    assert listing.unread_count(db, in_app_only.id) == 1


def test_odd_words_in_the_stored_preferences_turn_nothing_off(db):
    owner = make_family(db)
    owner.notifications_off = ["pin_locked.sms", 7, None, "nonsense", {"pin_locked": "email"}]
    db.flush()
    ids = notify(db, owner.id, "pin_locked")
    assert len(ids) == 1 and len(deliveries(db, ids)) == 1


def test_an_unknown_event_is_a_programming_error(db):
    with pytest.raises(ValueError, match="unknown notification event"):
        notify(db, make_family(db).id, "birthday")


# -- quiet hours ----------------------------------------------------------------------------------


def quiet_family(db, clock, start: time, end: time) -> User:
    owner = make_family(db)
    owner.time_zone, owner.quiet_hours_start, owner.quiet_hours_end = clock.zone, start, end
    db.flush()
    return owner


@pytest.mark.parametrize(
    ("start", "end", "held_until"),
    [
        (time(11), time(13), time(13)),  # around noon
        (time(20), time(12, 30), time(12, 30)),  # across midnight, still on at noon
        (time(13), time(11), None),  # across midnight, off at noon
        (time(21), time(7), None),
    ],
)
def test_quiet_hours_hold_the_email_until_they_end_in_the_familys_zone(db, clock, start, end, held_until):
    owner = quiet_family(db, clock, start, end)
    (notice_id,) = notify(db, owner.id, "device_paired")
    (email,) = deliveries(db, [notice_id])
    (job,) = jobs_of(db, [email.id])
    if held_until is None:
        assert email.not_before == clock.now and job.scheduled_at is None
    else:
        assert email.not_before == clock.at(held_until) and job.scheduled_at == clock.at(held_until)
    assert job.lock == f"notification-delivery:{email.id}"
    assert listing.unread_count(db, owner.id) == 1  # the in-app line is there at once


@pytest.mark.parametrize("clock", [SCHOOL_DAY, DST_CHANGE_DAY], indirect=True, ids=["school-day", "dst-change"])
def test_quiet_hours_across_midnight_end_the_next_morning_and_this_morning(db, clock):
    owner = quiet_family(db, clock, time(21), time(7))
    clock.shift(timedelta(hours=11, minutes=30))  # 23:30 on the family's clock
    evening = notify(db, owner.id, "pin_locked", facts={"kid": "Emma"})
    tomorrow = clock.today + timedelta(days=1) if clock.local_now.hour >= 21 else clock.today
    assert deliveries(db, evening)[0].not_before == clock.at(time(7), tomorrow)
    clock.shift(timedelta(hours=6))  # early morning, still quiet
    morning = notify(db, owner.id, "pin_locked", facts={"kid": "Emma"})
    assert clock.local_now.hour < 7
    assert deliveries(db, morning)[0].not_before == clock.at(time(7))
    assert listing.unread_count(db, owner.id) == 2


def test_quiet_hours_end_by_the_clock_on_the_night_it_goes_forward():
    """Berlin, 2026-03-29: 02:00 becomes 03:00. Quiet 22:00-02:30 (a time that night skips) ends at
    the jump; quiet 22:00-07:00 ends at 07:00 summer time, one hour less after midnight."""
    zone = ZoneInfo("Europe/Berlin")
    one_am = datetime(2026, 3, 29, 1, 0, tzinfo=zone)
    assert quiet_until(one_am, time(22), time(2, 30), zone) == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    assert quiet_until(one_am, time(22), time(7), zone) == datetime(2026, 3, 29, 5, 0, tzinfo=UTC)
    assert quiet_until(one_am, time(2), time(7), zone) is None


@pytest.mark.parametrize("clock", [SCHOOL_DAY], indirect=True, ids=["school-day"])
def test_a_family_zone_the_tz_database_does_not_know_reads_as_utc(db, clock):
    owner = make_family(db)
    db.execute(update(User).where(User.id == owner.id).values(time_zone="Mars/Olympus_Mons"))
    owner.quiet_hours_start, owner.quiet_hours_end = time(0), time(23, 59)
    db.flush()
    db.refresh(owner)
    (notice_id,) = notify(db, owner.id, "device_paired")
    assert deliveries(db, [notice_id])[0].not_before.astimezone(UTC).time() == time(23, 59)
