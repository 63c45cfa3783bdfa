"""The delivery job on committed data, through a real SMTP server: a refused first try is recorded
and retried by the worker, the retry sends exactly one mail, and running the job again sends
nothing; the last try leaves a failure the admin sees; a parent who turned the email off since, or
left, gets nothing; quiet hours set since the notice wait too; old notices are pruned."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from axolotly.jobs.notification_tasks import prune_notifications, send_delivery
from axolotly.jobs.registry import get_job_app
from axolotly.models import FamilyMember, Notification, NotificationDelivery, User
from axolotly.notifications import delivery
from axolotly.notifications.delivery import MAX_TRIES, DeliveryFailed
from axolotly.notifications.outbox import notify
from tests.support.factories import make_family, make_kid


def refusing_first(inbox, times: int = 1):
    """The server answers 451 (try again later) to the first `times` mails, then takes them."""
    accept, refused = inbox.handle_DATA, []

    async def handle_DATA(server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        if len(refused) < times:
            refused.append(envelope)
            return "451 Requested action aborted: try again later"
        return await accept(server, session, envelope)

    inbox.handle_DATA = handle_DATA
    return refused


@pytest.fixture
def told(engine, committed):
    """A committed family (owner and a co-parent) told that Emma asked for Bluey: {email: delivery id}."""
    with Session(engine) as db, db.begin():
        owner = make_family(db, "owner-told@example.com")
        co_parent = make_family(db, "co-parent-told@example.com")
        committed += [(User, owner.id), (User, co_parent.id)]
        db.add(FamilyMember(family_id=owner.id, user_id=co_parent.id))
        kid = make_kid(db, owner, "Emma")
        ids = notify(db, owner.id, "title_request", kid_id=kid.id, facts={"kid": "Emma", "title": "Bluey"})
        rows = db.execute(
            select(User.email, NotificationDelivery.id)
            .join(Notification, Notification.recipient_id == User.id)
            .join(NotificationDelivery, NotificationDelivery.notification_id == Notification.id)
            .where(Notification.id.in_(ids))
        )
        return dict(rows.tuples().all())


def stored(engine, delivery_id: int) -> NotificationDelivery:
    with Session(engine) as db:
        return db.get_one(NotificationDelivery, delivery_id)


async def run_worker_until_nothing_is_due():
    app = get_job_app()
    async with app.open_async():
        await app.run_worker_async(wait=False, install_signal_handlers=False)


def job_events(engine, delivery_id: int) -> list[str]:
    with Session(engine) as db:
        return db.scalars(
            text(
                "SELECT e.type FROM procrastinate_events e JOIN procrastinate_jobs j ON j.id = e.job_id "
                "WHERE j.task_name = 'axolotly:deliver_notification' AND (j.args->>'delivery_id')::bigint = :id "
                "ORDER BY e.id"
            ),
            {"id": delivery_id},
        ).all()


def test_a_refused_mail_is_retried_by_the_worker_and_delivered_once(engine, told, inbox):
    refused = refusing_first(inbox, times=2)  # the owner's and the co-parent's first tries
    asyncio.run(run_worker_until_nothing_is_due())
    assert len(refused) == 2 and inbox.messages == []
    for delivery_id in told.values():
        first = stored(engine, delivery_id)
        assert (first.status, first.attempts, first.sent_at) == ("pending", 1, None)
        assert "451" in first.last_error
    with engine.begin() as connection:  # the backoff's first wait (5 s), skipped
        connection.execute(
            text("UPDATE procrastinate_jobs SET scheduled_at = now() WHERE task_name = 'axolotly:deliver_notification'")
        )
    asyncio.run(run_worker_until_nothing_is_due())

    assert sorted(message["To"] for message in inbox.messages) == sorted(told)
    for email, delivery_id in told.items():
        sent = stored(engine, delivery_id)
        assert (sent.status, sent.attempts) == ("sent", 2) and sent.sent_at is not None
        (message,) = [m for m in inbox.messages if m["To"] == email]
        assert message["Message-ID"] == f"<notification-delivery-{delivery_id}@localhost>"
        assert message["Subject"] == "New request from Emma"
        assert "Emma asked to watch Bluey." in message.get_content()
        assert "https://axolotly.example/family/requests" in message.get_content()
        assert job_events(engine, delivery_id).count("succeeded") == 1
    assert send_delivery(told["owner-told@example.com"]) == "nothing to send"  # the job once more
    assert len(inbox.messages) == 2


def test_the_last_try_leaves_a_failure_with_its_reason_and_the_admin_can_send_it_again(engine, told, inbox):
    delivery_id = told["owner-told@example.com"]
    refusing_first(inbox, times=MAX_TRIES)
    for attempt in range(1, MAX_TRIES + 1):
        with pytest.raises(DeliveryFailed):
            send_delivery(delivery_id, last_try=attempt == MAX_TRIES)
        assert stored(engine, delivery_id).status == ("failed" if attempt == MAX_TRIES else "pending")
    failed = stored(engine, delivery_id)
    assert failed.attempts == MAX_TRIES and failed.last_error.startswith("SMTPDataError: (451")
    assert send_delivery(delivery_id) == "nothing to send"
    with Session(engine) as db, db.begin():
        listed = delivery.deliveries(db, "failed")
        assert [(row.id, row.recipient_email) for row in listed] == [(delivery_id, "owner-told@example.com")]
        delivery.retry(db, delivery_id)
    assert stored(engine, delivery_id).status == "pending"
    assert send_delivery(delivery_id) == "sent"
    assert [m["To"] for m in inbox.messages] == ["owner-told@example.com"]


def test_an_email_turned_off_since_or_a_parent_who_left_gets_nothing(engine, told, inbox):
    with Session(engine) as db, db.begin():
        db.execute(
            update(User).where(User.email == "owner-told@example.com").values(notifications_off=["title_request.email"])
        )
        co_parent = db.scalar(select(User.id).where(User.email == "co-parent-told@example.com"))
        db.execute(text("DELETE FROM family_members WHERE user_id = :id"), {"id": co_parent})
    assert send_delivery(told["owner-told@example.com"]) == "nothing to send"
    assert send_delivery(told["co-parent-told@example.com"]) == "nothing to send"
    assert inbox.messages == []
    withheld = stored(engine, told["owner-told@example.com"])
    assert (withheld.status, withheld.sent_at, withheld.last_error) == ("sent", None, delivery.CHANNEL_OFF)
    assert stored(engine, told["co-parent-told@example.com"]).last_error == delivery.NOT_A_PARENT


def test_quiet_hours_set_after_the_notice_hold_its_email_too(engine, told, inbox):
    """Quiet from an hour ago until an hour from now (UTC), whatever the time of day: a window
    across midnight is one too."""
    now = datetime.now(UTC)
    start, end = (now - timedelta(hours=1)).time(), (now + timedelta(hours=1)).time().replace(microsecond=0)
    with Session(engine) as db, db.begin():
        db.execute(
            update(User)
            .where(User.email == "owner-told@example.com")
            .values(quiet_hours_start=start, quiet_hours_end=end, time_zone="UTC")
        )
    delivery_id = told["owner-told@example.com"]
    assert send_delivery(delivery_id) == "nothing to send"
    held = stored(engine, delivery_id)
    assert held.status == "pending" and held.not_before.astimezone(UTC).time() == end
    with Session(engine) as db:
        scheduled = db.scalars(
            text(
                "SELECT scheduled_at FROM procrastinate_jobs WHERE (args->>'delivery_id')::bigint = :id "
                "AND scheduled_at IS NOT NULL"
            ),
            {"id": delivery_id},
        ).all()
    assert [moment.astimezone(UTC).time() for moment in scheduled] == [end]
    assert inbox.messages == []


def test_notifications_past_their_retention_are_deleted_with_their_deliveries(engine, told):
    old = told["owner-told@example.com"]
    with Session(engine) as db, db.begin():
        notification_id = db.get_one(NotificationDelivery, old).notification_id
        db.execute(
            update(Notification)
            .where(Notification.id == notification_id)
            .values(created_at=datetime.now(UTC) - timedelta(days=91))
        )
    assert prune_notifications(timestamp=0) >= 1
    with Session(engine) as db:
        assert db.get(NotificationDelivery, old) is None
        assert db.get(NotificationDelivery, told["co-parent-told@example.com"]) is not None
