"""Password reset through a real SMTP server (aiosmtpd, started here): the mail arrives, its link
works once within the hour, and nothing tells whether an address has an account."""

import asyncio
import logging
import time
from urllib.parse import quote, urlsplit

import httpx
import pytest
from sqlalchemy import select

from axolotly import mail
from axolotly.accounts.password_reset import reset_token
from axolotly.config import get_settings
from axolotly.models import AuditEvent, User
from tests.support.api import PASSWORD, auth, sign_up
from tests.support.mailbox import SMTP_USER, local_smtp_server, reset_link
from tests.support.pages import csrf
from tests.support.pg import clear_throttles
from tests.support.processes import live_server, wait_for

NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def smtp():
    with local_smtp_server() as inbox:
        yield inbox


def set_env(monkeypatch, **values):
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()


@pytest.fixture
def settings_env(monkeypatch):
    """Settings from changed environment variables, restored after the test."""
    yield lambda **values: set_env(monkeypatch, **values)
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture
def inbox(smtp, settings_env):
    settings_env(MAIL_URL=smtp.mail_url)
    return smtp


def ask_for_reset(client, email: str):
    return client.post(
        "/forgot-password",
        data={"email": email, "csrf_token": csrf(client, "/forgot-password")},
        follow_redirects=False,
    )


def can_log_in(client, email: str, password: str) -> bool:
    return client.post("/api/parent/auth/login", json={"email": email, "password": password}).status_code == 200


def test_a_reset_link_from_a_real_mail_works_once(client, db, inbox):
    parent = sign_up(client)
    assert 'href="/forgot-password"' in client.get("/login").text
    sent = ask_for_reset(client, f"  {parent['email'].upper()} ")
    assert sent.status_code == 200 and "on its way" in sent.text
    # The mail left after the response, through the server, logged in with MAIL_URL's user.
    assert len(inbox.messages) == 1 and inbox.logins == [SMTP_USER]
    message = inbox.messages[0]
    assert message["To"] == parent["email"] and "password" in message["Subject"].lower()
    path = urlsplit(reset_link(message)).path

    page = client.get(path)
    assert page.status_code == 200 and 'name="new_password"' in page.text
    done = client.post(
        path, data={"new_password": NEW_PASSWORD, "csrf_token": csrf(client, path)}, follow_redirects=False
    )
    assert done.status_code == 303 and done.headers["location"] == "/login"
    assert not can_log_in(client, parent["email"], PASSWORD)
    assert can_log_in(client, parent["email"], NEW_PASSWORD)
    assert client.get("/api/parent/me", headers=auth(parent)).status_code == 401, "old sessions end"
    summary = db.scalars(
        select(AuditEvent.summary).where(AuditEvent.family_id == parent["id"], AuditEvent.action == "password_changed")
    ).one()
    assert "reset link" in summary

    # The second time the link is dead, on the page and through the API alike.
    again = client.get(path)
    assert again.status_code == 400 and "expired or was already used" in again.text
    reused = client.post(
        path,
        data={"new_password": "yet another passphrase", "csrf_token": csrf(client, "/login")},
        headers={"referer": f"http://testserver{path}"},
        follow_redirects=False,
    )
    assert reused.status_code == 303 and "expired or was already used" in client.get(reused.headers["location"]).text
    token = path.rsplit("/", 1)[1]
    api = client.post(
        "/api/parent/auth/password-reset/confirm", json={"token": token, "new_password": "yet another one!"}
    )
    assert api.status_code == 400 and "expired" in api.json()["detail"]
    assert can_log_in(client, parent["email"], NEW_PASSWORD)


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, inbox):
    parent = sign_up(client)
    known, unknown = ask_for_reset(client, parent["email"]), ask_for_reset(client, "nobody-here@example.com")
    assert (known.status_code, known.text) == (unknown.status_code, unknown.text)
    api_known = client.post("/api/parent/auth/password-reset", json={"email": parent["email"]})
    api_unknown = client.post("/api/parent/auth/password-reset", json={"email": "nobody-here@example.com"})
    assert api_known.status_code == api_unknown.status_code == 202 and api_known.json() == api_unknown.json()
    assert [m["To"] for m in inbox.messages] == [parent["email"], parent["email"]]


def test_an_expired_link_fails(client, db, inbox):
    parent = sign_up(client)
    user = db.get(User, parent["id"])
    expired = reset_token(user, now=time.time() - 3601)
    assert client.get(f"/reset-password/{expired}").status_code == 400
    refused = client.post(
        "/api/parent/auth/password-reset/confirm", json={"token": expired, "new_password": NEW_PASSWORD}
    )
    assert refused.status_code == 400 and can_log_in(client, parent["email"], PASSWORD)
    nearly = reset_token(user, now=time.time() - 3540)  # 59 minutes old: still fine
    assert client.get(f"/reset-password/{nearly}").status_code == 200


def test_a_link_dies_when_the_password_or_email_changes_and_forged_ones_never_work(client, db, inbox):
    parent = sign_up(client)
    user = db.get(User, parent["id"])
    before_change = reset_token(user)
    changed = client.put(
        "/api/parent/me/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=auth(parent),
    )
    assert changed.status_code == 200
    assert client.get(f"/reset-password/{before_change}").status_code == 400

    headers = {"Authorization": f"Bearer {changed.json()['access_token']}"}
    before_move = reset_token(user)
    assert (
        client.put(
            "/api/parent/me/email", json={"email": "moved@example.com", "password": NEW_PASSWORD}, headers=headers
        ).status_code
        == 200
    )
    assert client.get(f"/reset-password/{before_move}").status_code == 400

    other = db.get(User, sign_up(client)["id"])
    user_id, expires, mac = reset_token(other).split(".")
    for forged in (
        f"{parent['id']}.{expires}.{mac}",
        f"{user_id}.{int(expires) + 3600}.{mac}",
        "garbage",
        "1.2",
        f"{user_id}.{expires}.{mac[:-1]}é",
        "99999999999.1.x",
    ):
        assert client.get(f"/reset-password/{quote(forged)}").status_code == 400, forged
    assert client.get(f"/reset-password/{'x' * 300}").status_code == 422


def test_reset_requests_are_throttled_for_known_and_unknown_addresses_alike(client, inbox):
    parent = sign_up(client)
    for email in (parent["email"], "nobody-here@example.com"):
        answers = [client.post("/api/parent/auth/password-reset", json={"email": email}).status_code for _ in range(4)]
        assert answers == [202, 202, 202, 429], email
    assert len(inbox.messages) == 3
    page = ask_for_reset(client, parent["email"])
    assert page.status_code == 303 and "Too many password reset requests" in client.get(page.headers["location"]).text


def test_production_builds_links_only_from_public_url(client, inbox, settings_env):
    parent = sign_up(client)
    settings_env(ENV="production", JWT_SECRET="p" * 40, COOKIE_SECURE="true", METRICS_PUBLIC="true")
    for email in (parent["email"], "nobody-here@example.com"):
        refused = client.post("/api/parent/auth/password-reset", json={"email": email})
        assert refused.status_code == 503 and "PUBLIC_URL" in refused.json()["detail"]
    assert inbox.messages == []
    settings_env(PUBLIC_URL="https://axolotly.example/")
    sent = client.post(
        "/api/parent/auth/password-reset", json={"email": parent["email"]}, headers={"host": "evil.example"}
    )
    assert sent.status_code == 202
    assert reset_link(inbox.messages[0]).startswith("https://axolotly.example/reset-password/")


def test_the_console_backend_prints_the_mail_and_development_pages_say_so(client, settings_env, caplog):
    parent = sign_up(client)
    assert "server log" not in client.get("/forgot-password").text  # ENV=test: no such note
    settings_env(ENV="development")
    assert "printed to the server log" in client.get("/forgot-password").text
    with caplog.at_level(logging.WARNING, logger="axolotly.mail"):
        assert ask_for_reset(client, parent["email"]).status_code == 200
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name == "axolotly.mail")
    assert f"To: {parent['email']}" in logged and "http://testserver/reset-password/" in logged


def test_mail_urls():
    assert mail.parse_mail_url(None).scheme == "console"
    plain = mail.parse_mail_url("smtp://me:p%40ss@mail.example?from=Kids%20%3Ckids@example.com%3E")
    assert (plain.host, plain.port, plain.username, plain.password) == ("mail.example", 25, "me", "p@ss")
    assert plain.sender == "Kids <kids@example.com>"
    assert mail.parse_mail_url("smtp+starttls://mail.example").port == 587
    assert mail.parse_mail_url("smtps://mail.example:2465").port == 2465
    for bad in ("http://mail.example", "smtp://", "mailto:x@example.com"):
        with pytest.raises(ValueError):
            mail.parse_mail_url(bad)


async def confirm_at_once(base: str, token: str, times: int) -> list[int]:
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        responses = await asyncio.gather(
            *(
                http.post(
                    "/api/parent/auth/password-reset/confirm",
                    json={"token": token, "new_password": f"{NEW_PASSWORD} {n}"},
                )
                for n in range(times)
            )
        )
    return [response.status_code for response in responses]


@pytest.fixture
def live_throttles(engine):
    yield
    clear_throttles(engine)  # the live server's counters were committed for real


def test_a_reset_over_a_real_server_mails_after_answering(database_url, committed, smtp, live_throttles):
    """Over a socket: the mail leaves after the response (a background task), once committed."""
    inbox = smtp
    with live_server(database_url, env={"MAIL_URL": inbox.mail_url}) as base, httpx.Client(base_url=base) as http:
        signed_up = http.post("/api/parent/auth/signup", json={"email": "live-reset@example.com", "password": PASSWORD})
        assert signed_up.status_code == 201
        committed.append((User, signed_up.json()["id"]))
        assert http.post("/api/parent/auth/password-reset", json={"email": "live-reset@example.com"}).status_code == 202
        wait_for(lambda: inbox.messages, timeout=30)
        link = reset_link(inbox.messages[0])
        assert link.startswith(base)
        token = urlsplit(link).path.rsplit("/", 1)[1]
        # Five uses of the link at once: the row lock lets exactly one through.
        statuses = asyncio.run(confirm_at_once(base, token, 5))
        assert sorted(statuses) == [204, 400, 400, 400, 400], statuses
        winner = statuses.index(204)
        login = {"email": "live-reset@example.com", "password": f"{NEW_PASSWORD} {winner}"}
        assert http.post("/api/parent/auth/login", json=login).status_code == 200
