"""Error pages speak the reader's language: an unknown address, a wrong method, our own failure,
and a form's value a validator of axolotly/types.py refused. The German words expected are read
from the German catalog, so a translator's rewording keeps the test true."""

import html
import re
from functools import cache

from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from axolotly.i18n import LOCALE_DIR
from axolotly.web.pages import HTTP_ERROR_TEXT, SERVER_ERROR_TEXT
from tests.support.pages import csrf, failing_app, logged_in_parent

GERMAN = {"Accept-Language": "de"}


@cache
def german_catalog():
    with (LOCALE_DIR / "de" / "LC_MESSAGES" / "messages.po").open("rb") as source:
        return read_po(source, locale="de")


def german(msgid: str) -> str:
    message = german_catalog()[msgid]
    assert message is not None and message.string, f"no German for {msgid!r}"
    return message.string


def test_an_unknown_address_is_told_in_german(client):
    shown = client.get("/no-such-page", headers=GERMAN)
    assert shown.status_code == 404
    assert german(HTTP_ERROR_TEXT[404]) in html.unescape(shown.text)
    assert HTTP_ERROR_TEXT[404] not in html.unescape(shown.text)


def test_a_wrong_method_is_told_in_german(client):
    shown = client.delete("/login", headers=GERMAN)
    assert shown.status_code == 405 and german(HTTP_ERROR_TEXT[405]) in html.unescape(shown.text)


def test_our_own_failure_is_told_in_german(app):
    with TestClient(failing_app(app), raise_server_exceptions=False) as client:
        logged_in_parent(client)
        shown = client.get("/family/broken", headers=GERMAN)
    assert shown.status_code == 500 and german(SERVER_ERROR_TEXT) in html.unescape(shown.text)


def test_a_number_written_with_other_digits_is_refused_in_german(client):
    logged_in_parent(client)
    sent = client.post(
        "/family/kids",
        data={"csrf_token": csrf(client, "/family/kids"), "name": "Emma", "pin": "1234", "age": "٨"},
        headers=GERMAN | {"Referer": "http://testserver/family/kids"},
        follow_redirects=True,
    )
    found = re.search(r'<p class="flash error"[^>]*>(.*?)</p>', sent.text, re.S)
    assert found, sent.text[:2000]
    problem = german("Not a whole number (write it with the digits 0-9)")
    assert html.unescape(found[1]).strip() == german("%(field)s: %(problem)s") % {
        "field": german("Age"),
        "problem": problem,
    }


def test_a_name_on_two_lines_is_refused_in_german(client):
    logged_in_parent(client)
    sent = client.post(
        "/account/family",
        data={"csrf_token": csrf(client, "/account"), "family_name": "Smith\nFamily", "time_zone": "Europe/Berlin"},
        headers=GERMAN | {"Referer": "http://testserver/account"},
        follow_redirects=True,
    )
    assert german("must be one line, without control characters") in html.unescape(sent.text)
