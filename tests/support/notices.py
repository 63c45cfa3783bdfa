"""Helpers for the notification tests (issue 26): a parent's in-app list through the API, and the
delivery job's three steps run on the test's own transaction (the job itself opens transactions
of its own, which cannot see a test's rolled-back rows: tests/notifications/test_delivery_job.py
runs it on committed data)."""

from datetime import UTC, datetime
from email.message import EmailMessage

from sqlalchemy import select

from axolotly import mail
from axolotly.models import Notification, NotificationDelivery
from axolotly.notifications import delivery
from tests.support.api import auth


def listed(client, parent, **params) -> dict:
    response = client.get("/api/parent/notifications", headers=auth(parent), params=params)
    assert response.status_code == 200, response.text
    return response.json()


def events_listed(client, parent) -> list[str]:
    return [item["event"] for item in listed(client, parent)["items"]]


def deliver_pending(db) -> int:
    """Sends every pending delivery due now, as the job would (prepare, send, mark); how many went."""
    now = datetime.now(UTC)
    due = db.scalars(
        select(NotificationDelivery.id)
        .where(NotificationDelivery.status == delivery.PENDING, NotificationDelivery.not_before <= now)
        .order_by(NotificationDelivery.id)
    ).all()
    sent = 0
    for delivery_id in due:
        ready = delivery.prepare(db, delivery_id, now)
        if ready is not None:
            mail.send(ready.mail)
            delivery.mark_sent(db, delivery_id)
            sent += 1
    db.flush()
    return sent


def deliveries_of(db, event: str) -> list[NotificationDelivery]:
    return list(
        db.scalars(
            select(NotificationDelivery)
            .join(Notification, Notification.id == NotificationDelivery.notification_id)
            .where(Notification.event == event)
            .order_by(NotificationDelivery.id)
        )
    )


def mails_to(inbox, email: str) -> list[EmailMessage]:
    return [message for message in inbox.messages if message["To"] == email]
