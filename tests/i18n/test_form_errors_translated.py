"""A refused form tells the parent what is wrong in their language (web/forms.py): a name too
long, a bedtime that is no HH:MM clock time, an email address that is none. The German words
expected are read from the German catalog, so a translator's rewording keeps the test true."""

import html
import re
from functools import cache
from gettext import c2py

from babel.messages.pofile import read_po

from axolotly.i18n import LOCALE_DIR
from tests.support.api import add_kid
from tests.support.pages import csrf, logged_in_parent

GERMAN = {"Accept-Language": "de"}


@cache
def german_catalog():
    with (LOCALE_DIR / "de" / "LC_MESSAGES" / "messages.po").open("rb") as source:
        return read_po(source, locale="de")


def german(msgid: str, count: int | None = None) -> str:
    """The German of a msgid (a plural's form for `count`), as the catalog holds it."""
    message = german_catalog()[msgid]
    assert message is not None and message.string, f"no German for {msgid!r}"
    if count is None:
        return message.string
    return message.string[c2py(german_catalog().plural_expr)(count)]


def flash_after(client, path: str, page: str, **form: str) -> str:
    """The error a refused form leaves on its page (its one-time message), unescaped."""
    sent = client.post(
        path,
        data={"csrf_token": csrf(client, page), **form},
        headers=GERMAN | {"Referer": f"http://testserver{page}"},
        follow_redirects=True,
    )
    found = re.search(r'<p class="flash error"[^>]*>(.*?)</p>', sent.text, re.S)
    assert found, sent.text[:2000]
    return html.unescape(found[1]).strip()


def test_a_name_too_long_is_refused_in_german(client):
    logged_in_parent(client)
    said = flash_after(client, "/family/kids", "/family/kids", name="E" * 101, pin="1234", age="8")
    problem = german("String should have at most %(num)d character", 100) % {"num": 100}
    assert said == german("%(field)s: %(problem)s") % {"field": german("Name"), "problem": problem}


def test_a_bedtime_that_is_no_clock_time_is_refused_in_german(client):
    parent = logged_in_parent(client)
    kid = add_kid(client, parent)
    page = f"/family/kids/{kid['id']}/screen-time"
    said = flash_after(
        client, page, page, enabled="on", school_day_bedtime_start="25:99", school_day_bedtime_end="07:00"
    )
    assert german("The value is not in the expected form") in said
    assert "String should" not in said and "expected form" not in said


def test_an_email_address_that_is_none_is_refused_in_german(client):
    logged_in_parent(client)
    said = flash_after(client, "/account/email", "/account", email="no-at-sign.example", password="whatever")
    assert said.startswith(german("Email") + ": ")
    assert "email address" not in said and "value is not" not in said
