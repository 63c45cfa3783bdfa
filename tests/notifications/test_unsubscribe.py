"""One-click unsubscribe from the weekly summary, with no log-in: opening the link only asks (mail
scanners open links), the page's button or a mail client's RFC 8058 POST turns the email off, once;
a bad, forged or expired link is a 400 page that changes nothing. The next Sunday that parent gets
no summary email while the co-parent still does."""

import html
import re
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import quote, urlsplit

import jwt
import pytest
import time_machine
from sqlalchemy import select

from axolotly.config import get_settings
from axolotly.models import Notification, NotificationDelivery, User
from axolotly.notifications.unsubscribe import BAD_LINK
from axolotly.notifications.weekly import queue_due_summaries, summary_mail
from axolotly.security import tokens
from axolotly.web import unsubscribe_pages
from tests.support.weekly_family import local, weekly_family

SUMMARY = "weekly_summary"


@pytest.fixture
def pages(app, client):
    """The app with the unsubscribe pages (mounted here until web/pages.py includes them)."""
    if not any(getattr(route, "path", None) == "/unsubscribe" for route in app.routes):
        app.include_router(unsubscribe_pages.router)
    client.cookies.clear()  # nobody is logged in
    return client


@pytest.fixture
def family(db):
    made = weekly_family(db, "Europe/Berlin", kids=("Emma",))
    made.owner.notifications_off = ["title_request.email"]  # an earlier choice, kept
    db.commit()
    return made


def turned_off(db, user: User) -> list[str]:
    db.expire_all()
    return db.scalar(select(User.notifications_off).where(User.id == user.id))


def link(user: User, event: str = SUMMARY) -> str:
    return f"/unsubscribe?token={quote(tokens.unsubscribe_token(user.id, event))}"


def test_opening_the_link_only_asks_and_the_button_unsubscribes(pages, db, family):
    address = link(family.owner)
    asked = pages.get(address)
    assert asked.status_code == 200
    assert f"Stop the weekly summary emails to {family.owner.email}?" in asked.text
    button = re.search(r'<form method="post" action="([^"]+)">', asked.text)
    assert html.unescape(button[1]) == address and "csrf_token" not in asked.text
    assert turned_off(db, family.owner) == ["title_request.email"]  # a GET changes nothing

    for _ in range(2):  # the button, pressed twice
        done = pages.post(html.unescape(button[1]), data={"List-Unsubscribe": "One-Click"})
        assert done.status_code == 200
        assert f"You will no longer get the weekly summary emails at {family.owner.email}." in done.text
        assert 'href="/account/notifications"' in done.text and "<form" not in done.text.split("<main")[1]
    assert turned_off(db, family.owner) == ["title_request.email", "weekly_summary.email"]
    again = pages.get(link(family.owner))  # the link opened later: it says so rather than asking
    assert "You will no longer get the weekly summary emails" in again.text and 'method="post"' not in again.text


def test_a_mail_clients_one_click_post_needs_no_session_cookie_or_same_site_origin(pages, db, family, monkeypatch):
    """RFC 8058: the mail provider POSTs `List-Unsubscribe=One-Click` to the header's address from
    its own servers. The address is the one the mail carries (PUBLIC_URL)."""
    monkeypatch.setenv("PUBLIC_URL", "https://axolotly.example")
    get_settings.cache_clear()
    notice = Notification(
        family_id=family.owner.id,
        recipient_id=family.co_parent.id,
        event=SUMMARY,
        facts={"week_start": "2026-11-23", "week_end": "2026-11-29"},
    )
    header = dict(summary_mail(db, notice, family.co_parent).headers)["List-Unsubscribe"]
    monkeypatch.undo()
    get_settings.cache_clear()
    url = urlsplit(header.strip("<>"))
    assert url.netloc == "axolotly.example" and url.path == "/unsubscribe"

    response = pages.post(
        f"{url.path}?{url.query}",
        content=b"List-Unsubscribe=One-Click",
        headers={
            "content-type": "application/x-www-form-urlencoded",
            "origin": "https://mail.example",
            "sec-fetch-site": "cross-site",
        },
    )
    assert response.status_code == 200, response.text
    assert turned_off(db, family.co_parent) == ["weekly_summary.email"]
    assert turned_off(db, family.owner) == ["title_request.email"]  # only the link's own parent


def forged(user: User) -> str:
    claims = {"sub": str(user.id), "ev": SUMMARY, "typ": "unsubscribe", "iat": datetime.now(UTC)}
    claims["exp"] = claims["iat"] + timedelta(days=1)
    return jwt.encode(claims, "not-our-key-" * 4, algorithm="HS256")


BAD_TOKENS = {
    "missing": lambda user: "",
    "garbage": lambda user: "not-a-token",
    "forged": forged,
    "cut short": lambda user: tokens.unsubscribe_token(user.id, SUMMARY)[:-5],
    "a page session": lambda user: tokens.web_session_token(user.id, 0)[0],
    "an event without a link": lambda user: tokens.unsubscribe_token(user.id, "title_request"),
    "a NUL byte": lambda user: tokens.unsubscribe_token(user.id, SUMMARY) + "\x00",
    "a lone surrogate": lambda user: "\udc80" + tokens.unsubscribe_token(user.id, SUMMARY),
    "too long": lambda user: tokens.unsubscribe_token(user.id, SUMMARY) + "A" * 2000,
}


def test_a_bad_or_forged_link_is_a_400_page_that_changes_nothing(pages, db, family):
    for bad, make in BAD_TOKENS.items():  # (one app for all: each case is a request, not a test)
        for method in ("GET", "POST"):
            token = quote(make(family.owner), errors="surrogatepass")
            response = pages.request(method, f"/unsubscribe?token={token}")
            assert response.status_code == 400, f"{bad} ({method}): {response.status_code}"
            assert "text/html" in response.headers["content-type"]
            assert BAD_LINK.split(":")[0] in response.text, bad
    assert turned_off(db, family.owner) == ["title_request.email"]


def test_an_expired_link_or_a_deleted_account_is_a_400(pages, db, family):
    old = link(family.owner)
    with time_machine.travel(datetime.now(UTC) + timedelta(days=181)):
        assert pages.post(old).status_code == 400
    assert turned_off(db, family.owner) == ["title_request.email"]
    with time_machine.travel(datetime.now(UTC) + timedelta(days=179)):
        assert pages.get(old).status_code == 200  # still valid near the end of its 180 days
    gone = link(family.co_parent)
    db.delete(db.get(User, family.co_parent.id))
    db.commit()
    assert pages.post(gone).status_code == 400


def test_the_page_speaks_the_parents_language(pages, db, family):
    family.owner.language = "de"
    db.commit()
    assert '<html lang="de">' in pages.get(link(family.owner), headers={"accept-language": "en"}).text


def test_after_unsubscribing_the_next_sunday_mails_the_co_parent_only(pages, db, family):
    assert pages.post(link(family.owner)).status_code == 200
    sunday = date(2026, 11, 29)
    moment = local(sunday, time(18, 30), "Europe/Berlin")
    with time_machine.travel(moment, tick=False):
        queue_due_summaries(db, moment, limit=500)
    emailed = db.scalars(
        select(Notification.recipient_id)
        .join(NotificationDelivery, NotificationDelivery.notification_id == Notification.id)
        .where(Notification.family_id == family.owner.id, Notification.event == SUMMARY)
    ).all()
    assert emailed == [family.co_parent.id]
    of_family = (Notification.family_id == family.owner.id, Notification.event == SUMMARY)
    told = db.scalars(select(Notification.recipient_id).where(*of_family)).all()
    assert sorted(told) == sorted([family.owner.id, family.co_parent.id])  # the in-app list still has it
