"""The weekly summary is handed to the outbox once per family and week, from Sunday 18:00 on the
family's own clock: the job runs every 15 minutes (here: twice per tick, two workers), across a DST
change that Sunday morning (Berlin falls back, New York springs forward) and on an ordinary Sunday
in a zone 5 h 45 min off UTC (Kathmandu: only a quarter-hour tick meets its 18:00)."""

import re
import time as wall_clock
from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from sqlalchemy import select
from sqlalchemy.orm import Session

from axolotly import mail
from axolotly.jobs import weekly_tasks
from axolotly.jobs.registry import NAMESPACE, get_job_app
from axolotly.models import Notification, NotificationDelivery, User
from axolotly.notifications import delivery
from axolotly.notifications.weekly import queue_due_summaries
from tests.notifications.conftest import PUBLIC_URL
from tests.support.weekly_family import local, weekly_family

TICK = timedelta(minutes=15)


def summaries(db, *family_ids: int) -> list[Notification]:
    return list(
        db.scalars(
            select(Notification)
            .where(Notification.family_id.in_(family_ids), Notification.event == "weekly_summary")
            .order_by(Notification.id)
        )
    )


def email_recipients(db, family_id: int) -> list[int]:
    return sorted(
        db.scalars(
            select(Notification.recipient_id)
            .join(NotificationDelivery, NotificationDelivery.notification_id == Notification.id)
            .where(Notification.family_id == family_id, Notification.event == "weekly_summary")
        )
    )


@pytest.mark.parametrize(
    ("zone", "sunday", "first_utc"),
    [
        ("Europe/Berlin", date(2026, 10, 25), datetime(2026, 10, 25, 17, 0)),  # CEST -> CET at 03:00
        ("America/New_York", date(2026, 3, 8), datetime(2026, 3, 8, 22, 0)),  # EST -> EDT at 02:00
        ("Asia/Kathmandu", date(2026, 11, 29), datetime(2026, 11, 29, 12, 15)),  # +05:45, no DST
    ],
    ids=["berlin-falls-back", "new-york-springs-forward", "kathmandu-ordinary"],
)
def test_every_parent_gets_one_summary_a_week_whatever_the_runs(db, zone, sunday, first_utc):
    family = weekly_family(db, zone)
    no_kids = weekly_family(db, zone, kids=(), co_parent=False)
    start = local(sunday - timedelta(days=1), time(12), zone)  # Saturday noon there ...
    end = local(sunday + timedelta(days=1), time(12), zone)  # ... to Monday noon
    first_seen = None
    with time_machine.travel(start, tick=False) as traveller:
        moment = start
        while moment <= end:
            traveller.move_to(moment)
            for _ in range(2):  # two workers, or a retried run beside a late one
                queue_due_summaries(db, moment, limit=500)
            if first_seen is None and summaries(db, family.owner.id):
                first_seen = moment
            moment += TICK

    assert first_seen is not None and first_seen.replace(tzinfo=None) == first_utc
    assert local(sunday, time(18), zone).replace(tzinfo=None) == first_utc  # 18:00 on the family's clock
    rows = summaries(db, family.owner.id)
    assert sorted(row.recipient_id for row in rows) == sorted(parent.id for parent in family.parents)
    week = {"week_start": (sunday - timedelta(days=6)).isoformat(), "week_end": sunday.isoformat()}
    assert all(row.dedupe_key == sunday.isoformat() and row.facts == week for row in rows)
    assert email_recipients(db, family.owner.id) == sorted(parent.id for parent in family.parents)
    assert summaries(db, no_kids.owner.id) == []  # nothing to sum up: no mail about nothing


def test_each_family_on_its_own_clock(db):
    """At 17:30 UTC on a Sunday it is evening in Berlin but afternoon in New York and already
    Monday in Auckland: only Berlin is due; Auckland's Sunday has passed without a run (the worker
    was down), and no Monday makes up for it."""
    berlin, new_york = weekly_family(db, "Europe/Berlin"), weekly_family(db, "America/New_York")
    auckland = weekly_family(db, "Pacific/Auckland")
    moment = datetime.fromisoformat("2026-11-29T17:30:00+00:00")
    with time_machine.travel(moment, tick=False):
        queue_due_summaries(db, moment, limit=500)
    assert len(summaries(db, berlin.owner.id)) == 2
    assert summaries(db, new_york.owner.id) == summaries(db, auckland.owner.id) == []


def test_the_next_week_is_a_new_summary(db):
    family = weekly_family(db, "Europe/London", co_parent=False)
    for sunday in (date(2026, 11, 22), date(2026, 11, 29)):
        moment = local(sunday, time(18, 15), "Europe/London")
        with time_machine.travel(moment, tick=False):
            queue_due_summaries(db, moment, limit=500)
            queue_due_summaries(db, moment + TICK, limit=500)
    assert [row.dedupe_key for row in summaries(db, family.owner.id)] == ["2026-11-22", "2026-11-29"]


def test_a_batch_goes_on_after_the_last_family_it_handled(db):
    families = [weekly_family(db, "Europe/Paris", co_parent=False) for _ in range(3)]
    moment = local(date(2026, 11, 29), time(19), "Europe/Paris")
    with time_machine.travel(moment, tick=False):
        first = queue_due_summaries(db, moment, limit=2)
        rest = queue_due_summaries(db, moment, limit=2, after=first[-1])
        again = queue_due_summaries(db, moment, limit=2)
    ours = {family.owner.id for family in families}
    assert len([i for i in first if i in ours]) + len([i for i in rest if i in ours]) == 3
    assert [i for i in again if i in ours] == []


def test_the_job_runs_every_quarter_hour():
    periodic = {task.task.name: task.cron for task in get_job_app().periodic_registry.periodic_tasks.values()}
    assert periodic[f"{NAMESPACE}:{weekly_tasks.QUEUE_WEEKLY_SUMMARIES}"] == "*/15 * * * *"


def test_the_periodic_job_hands_out_each_familys_summary_once(engine, committed, monkeypatch):
    """The job body itself, in its own transactions, in batches of one family."""
    with Session(engine) as db, db.begin():
        families = [weekly_family(db, "Europe/Rome") for _ in range(2)]
        committed += [(User, user.id) for family in families for user in family.parents]
        owners = [family.owner.id for family in families]
    monkeypatch.setattr(weekly_tasks, "BATCH", 1)
    with time_machine.travel(local(date(2026, 11, 29), time(18, 0), "Europe/Rome"), tick=False):
        handed = [weekly_tasks.queue_weekly_summaries(timestamp=int(wall_clock.time())) for _ in range(2)]
    assert handed[0] >= 2 and handed[1] == 0  # (>=: any other family committed and due counts too)
    with Session(engine) as db:
        assert len(summaries(db, *owners)) == 4  # two parents in each of the two families


def test_the_outbox_delivers_the_queued_summary_through_smtp(db, inbox):
    """From the queue to a real SMTP server through the outbox's own delivery step (which renders
    `summary_mail`): the mail carries the week, both parts and the unsubscribe headers."""
    family = weekly_family(db, "Europe/Berlin", co_parent=False)
    moment = local(date(2026, 12, 6), time(18, 0), "Europe/Berlin")
    with time_machine.travel(moment, tick=False):
        queue_due_summaries(db, moment, limit=500)
        delivery_id = db.scalar(
            select(NotificationDelivery.id)
            .join(Notification, Notification.id == NotificationDelivery.notification_id)
            .where(Notification.recipient_id == family.owner.id, Notification.event == "weekly_summary")
        )
        mail.send(delivery.prepare(db, delivery_id, moment).mail)
    received = inbox.messages[0]
    assert received["To"] == family.owner.email
    assert received["Subject"] == "Your family's week on Axolotly: 30 Nov – 6 Dec"
    assert received["List-Unsubscribe"].startswith(f"<{PUBLIC_URL}/unsubscribe?token=")
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Emma watched nothing this week." in received.get_body(("plain",)).get_content()
    assert not re.search(r'style="width:\d+%;"', received.get_body(("html",)).get_content())  # no bars
