"""The kid web launcher speaks its family's language: the owner's own setting, else the language of
the family's country, else the browser's; its flash messages too, and a kid's PIN count in words."""

import html

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from axolotly.i18n import gettext, ngettext, use_language
from tests.support.api import add_kid, auth, sign_up
from tests.support.pages import csrf


def in_language(language: str, words: str) -> str:
    with use_language(language):
        return gettext(words)


def family_of(client, db, language: str | None, country: str) -> tuple[dict, dict]:
    parent = sign_up(client)
    db.execute(
        text("UPDATE users SET language = :language, country = :country WHERE id = :id"),
        {"language": language, "country": country, "id": parent["id"]},
    )
    return parent, add_kid(client, parent, "Emma", pin="1234", age=None)


def paired(client, parent, accept_language: str = "en") -> tuple[TestClient, str, str]:
    """A browser paired as the family's kid launcher: (browser, CSRF token, the page after pairing)."""
    browser = TestClient(client.app, headers={"Accept-Language": accept_language})
    code = client.post("/api/parent/pairing-codes", headers=auth(parent)).json()["code"]
    token = csrf(browser, "/kids")
    return browser, token, browser.post("/kids/pair", data={"code": code, "csrf_token": token}).text


@pytest.mark.parametrize(
    ("language", "country", "browser_language", "expected"),
    [
        ("de", "US", "fr", "de"),  # the owner's own setting first
        (None, "FR", "de", "fr"),  # else the family's country
        (None, "JP", "es", "es"),  # else the browser's
    ],
)
def test_the_kid_launcher_speaks_the_familys_language(client, db, language, country, browser_language, expected):
    parent, _ = family_of(client, db, language, country)
    _, _, grid = paired(client, parent, browser_language)  # the family's only kid: straight to the grid
    assert f'<html lang="{expected}">' in grid
    assert in_language(expected, "Nothing here yet. Ask a parent to allow something!") in html.unescape(grid)
    assert in_language(expected, "This browser is now a kid launcher") in html.unescape(grid)


def test_a_wrong_pin_is_counted_in_the_familys_words(client, db):
    parent, emma = family_of(client, db, "de", "DE")
    browser, token, _ = paired(client, parent)
    page = browser.post(f"/kids/{emma['id']}/pin", data={"pin": "0000", "csrf_token": token}).text
    with use_language("de"):
        told = ngettext("That PIN is not right. %(num)d try left.", "That PIN is not right. %(num)d tries left.", 4)
    assert "tries left" not in told and told % {"num": 4} in html.unescape(page)
