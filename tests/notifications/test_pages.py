"""The pages: the unread count in the menu of every parent page (one indexed statement), the list
(newest first, unread marked, opening marks read and goes to the page, mark all read), the
settings (a box left unticked turns that channel off, quiet hours), and the admin's failed emails."""

import re

from sqlalchemy import select, update

from axolotly.models import NotificationDelivery, User
from axolotly.notifications.outbox import notify
from tests.support.api import PASSWORD, admin_headers, sign_up
from tests.support.notices import deliveries_of, listed
from tests.support.pages import csrf, log_in


def logged_in(client) -> dict:
    parent = sign_up(client)
    assert log_in(client, parent["email"]).status_code == 303
    return parent


def post(client, path: str, page: str, **fields):
    return client.post(path, data={**fields, "csrf_token": csrf(client, page)}, follow_redirects=False)


def badge(page: str) -> str | None:
    found = re.search(r'href="/notifications"[^>]*>[^<]*<span class="badge"[^>]*>(\d+)</span>', page)
    return found[1] if found else None


def test_every_parent_page_counts_the_unread_in_its_menu_with_one_indexed_statement(client, db, count_statements):
    parent = logged_in(client)
    assert badge(client.get("/").text) is None
    for n in range(3):
        notify(db, parent["id"], "device_paired", facts={"device": f"Tablet {n}"})
    db.commit()
    for path in ("/", "/family/kids", "/account", "/notifications"):
        count_statements.statements.clear()
        page = client.get(path)
        assert page.status_code == 200 and badge(page.text) == "3", path
        counts = [s for s in count_statements.statements if "FROM notifications" in s and "count(" in s]
        assert len(counts) == 1, path
        assert "read_at IS NULL" in counts[0]


def test_the_list_marks_the_unread_and_opening_one_reads_it_and_goes_to_its_page(client, db):
    parent = logged_in(client)
    (older,) = notify(db, parent["id"], "pin_locked", facts={"kid": "Emma", "parent_api": True})
    (newer,) = notify(db, parent["id"], "title_request", facts={"kid": "Emma", "title": "Bluey"})
    db.commit()
    page = client.get("/notifications").text
    assert page.index("Emma asked to watch Bluey.") < page.index("PIN locked for Emma")  # newest first
    assert page.count('class="unread"') == 2 and "2 unread" in page

    opened = post(client, f"/notifications/{newer}/open", "/notifications")
    assert opened.status_code == 303 and opened.headers["location"] == "/family/requests"
    page = client.get("/notifications").text
    assert page.count('class="unread"') == 1 and page.count('class="read"') == 1 and "1 unread" in page

    done = post(client, "/notifications/read-all", "/notifications")
    assert done.status_code == 303
    page = client.get("/notifications").text
    assert "1 notification marked read" in page and 'class="unread"' not in page and badge(page) is None
    assert "Nothing unread." in page


def test_another_parents_notice_cannot_be_opened(client, db):
    stranger = sign_up(client)
    (theirs,) = notify(db, stranger["id"], "device_paired")
    logged_in(client)
    refused = client.post(
        f"/notifications/{theirs}/open",
        data={"csrf_token": csrf(client, "/notifications")},
        headers={"referer": "http://testserver/notifications"},
    )
    assert refused.url.path == "/notifications" and "Notification not found" in refused.text  # back, refused
    assert listed(client, stranger)["unread_count"] == 1


def test_a_long_list_pages_on_to_older_notices(client, db):
    parent = logged_in(client)
    ids = [notify(db, parent["id"], "device_paired", facts={"device": f"Tablet {n}"})[0] for n in range(31)]
    db.commit()
    first = client.get("/notifications").text
    assert "Tablet 30 was paired" in first and "Tablet 0 was paired" not in first
    older = re.search(r'href="(/notifications\?before=\d+)"', first)[1]
    assert older == f"/notifications?before={ids[1]}"
    assert "Tablet 0 was paired" in client.get(older).text


def test_the_settings_page_turns_off_what_is_left_unticked_and_keeps_quiet_hours(client, db):
    parent = logged_in(client)
    assert 'href="/account/notifications"' in client.get("/account").text
    page = client.get("/account/notifications").text
    assert page.count('type="checkbox"') == 16 and page.count(" checked") == 16
    ticked = {"email": ["title_request", "pin_locked"], "in_app": ["title_request", "device_paired"]}
    data = {
        **ticked,
        "quiet_start": "21:30",
        "quiet_end": "07:00:00",
        "csrf_token": csrf(client, "/account/notifications"),
    }
    saved = client.post("/account/notifications", data=data)
    assert saved.status_code == 200 and "Notification settings saved" in saved.text
    owner = db.get(User, parent["id"])
    db.refresh(owner)
    assert "limit_reached.email" in owner.notifications_off and "pin_locked.in_app" in owner.notifications_off
    assert "title_request.email" not in owner.notifications_off
    assert (f"{owner.quiet_hours_start:%H:%M}", f"{owner.quiet_hours_end:%H:%M}") == ("21:30", "07:00")
    page = client.get("/account/notifications").text
    assert page.count(" checked") == 4 and 'value="21:30"' in page

    for quiet in (("21:00", "21:00"), ("21:00", ""), ("25:00", "07:00")):
        data = {**ticked, "quiet_start": quiet[0], "quiet_end": quiet[1]}
        refused = client.post(
            "/account/notifications", data=data | {"csrf_token": csrf(client, "/account/notifications")}
        )
        assert refused.status_code == 200 and 'class="flash error"' in refused.text, quiet
    db.refresh(owner)
    assert f"{owner.quiet_hours_start:%H:%M}" == "21:30"

    cleared = post(client, "/account/notifications", "/account/notifications", quiet_start="", quiet_end="")
    assert cleared.status_code == 303
    db.refresh(owner)
    assert owner.quiet_hours_start is None and len(owner.notifications_off) == 16  # nothing ticked: all off


def test_the_admin_sees_failed_emails_with_their_reason_and_sends_one_again(client, db):
    parent = sign_up(client)
    notify(db, parent["id"], "pin_locked", facts={"kid": "Emma"})
    (failed,) = deliveries_of(db, "pin_locked")
    db.execute(
        update(NotificationDelivery)
        .where(NotificationDelivery.id == failed.id)
        .values(status="failed", attempts=6, last_error="SMTPRecipientsRefused: mailbox full")
    )
    headers = admin_headers(client, db)
    listed_failed = client.get("/api/admin/notification-deliveries", headers=headers).json()
    assert [(d["id"], d["recipient_email"], d["last_error"]) for d in listed_failed] == [
        (failed.id, parent["email"], "SMTPRecipientsRefused: mailbox full")
    ]
    assert client.get("/api/admin/notification-deliveries?status=lost", headers=headers).status_code == 422
    assert (
        client.get("/api/admin/notification-deliveries", headers={"Authorization": parent["Authorization"]}).status_code
        == 403
    )

    assert log_in(client, "ops@example.com", PASSWORD).status_code == 303
    console = client.get("/admin").text
    assert "mailbox full" in console and parent["email"] in console
    assert post(client, f"/admin/notification-deliveries/{failed.id}/retry", "/admin").status_code == 303
    assert db.scalar(select(NotificationDelivery.status).where(NotificationDelivery.id == failed.id)) == "pending"
    again = client.post(f"/api/admin/notification-deliveries/{failed.id}/retry", headers=headers)
    assert again.status_code == 409  # pending: nothing to send again
    assert client.post("/api/admin/notification-deliveries/999999999/retry", headers=headers).status_code == 404
