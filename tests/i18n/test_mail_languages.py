"""Issue 25: mails in the recipient's language, through a real SMTP server: a password reset and a
password-change notice in the account's own language (else English), an invitation in the
inviting family's language. The expected words come from the catalogs."""

import re

import pytest
from sqlalchemy import update

from axolotly.config import get_settings
from axolotly.i18n import translations
from axolotly.models import User
from tests.support.api import PASSWORD, sign_up
from tests.support.mailbox import local_smtp_server
from tests.support.pages import csrf, log_in


@pytest.fixture
def inbox(monkeypatch):
    with local_smtp_server() as server:
        monkeypatch.setenv("MAIL_URL", server.mail_url)
        get_settings.cache_clear()
        yield server
        monkeypatch.undo()
        get_settings.cache_clear()


def speaks(db, parent, language: str | None, country: str = "US") -> None:
    db.execute(update(User).where(User.id == parent["id"]).values(language=language, country=country))
    db.commit()


def form(client, path: str, page: str, **fields):
    return client.post(
        path,
        data={**fields, "csrf_token": csrf(client, page)},
        headers={"referer": f"http://testserver{page}"},
        follow_redirects=False,
    )


def in_language(language: str, msgid: str) -> str:
    translated = translations(language).gettext(msgid)
    assert translated != msgid or language == "en", f"{language}: {msgid!r} is not translated"
    return translated


def test_a_password_reset_mail_speaks_the_accounts_language_else_english(client, db, inbox):
    german, unset = sign_up(client), sign_up(client)
    speaks(db, german, "de")
    client.headers["accept-language"] = "fr"  # the asking browser's language does not decide
    for parent in (german, unset):
        form(client, "/forgot-password", "/forgot-password", email=parent["email"])
    subjects = {message["To"]: message["Subject"] for message in inbox.messages}
    assert subjects[german["email"]] == in_language("de", "Reset your Axolotly password")
    assert subjects[unset["email"]] == "Reset your Axolotly password"
    body = next(m for m in inbox.messages if m["To"] == german["email"]).get_content()
    assert in_language("de", "If it was not you, ignore this mail: your password stays as it is.") in body


def test_a_password_change_notice_speaks_the_accounts_language(client, db, inbox):
    parent = sign_up(client)
    speaks(db, parent, "es")
    log_in(client, parent["email"])
    assert form(client, "/account/password", "/account", current_password=PASSWORD, new_password="another passphrase")
    notice = inbox.messages[-1]
    assert notice["Subject"] == in_language("es", "Your Axolotly password was changed")
    assert in_language("es", "Forgot password?") in notice.get_content()  # the log-in page's link, as it reads there


def test_an_invitation_speaks_the_inviting_familys_language(client, db, inbox):
    owner = sign_up(client)
    speaks(db, owner, None, country="FR")  # no setting of the owner's: the family's country decides
    log_in(client, owner["email"])
    token = re.search(r'name="token" value="([^"]+)"', form(client, "/family/invitations", "/family/members").text)[1]
    form(client, "/family/invitations/mail", "/family/members", email="mamie@example.com", token=token)
    body = inbox.messages[-1].get_content()
    assert in_language("fr", "To join, open this link:") in body
    assert re.search(r"\d{4} à \d\d:\d\d", body)  # the expiry written the French way ("… 2026 à 22:41")
