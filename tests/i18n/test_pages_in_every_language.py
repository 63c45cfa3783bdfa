"""Issue 25: every page in English, German, Spanish and French. The parents' and admins' pages
speak the browser's Accept-Language, or the parent's own setting when there is one; the kid
launcher speaks the family's language (its owner's setting, else its country's). Each page says
its language in <html lang>, and the words of the page come out translated: every whole text the
English page shows from the catalog is, in the other language, that text's translation."""

import html
import re
from functools import cache

from babel.messages.pofile import read_po
from fastapi.testclient import TestClient
from sqlalchemy import update

from axolotly.accounts.password_reset import reset_token
from axolotly.accounts.service import create_admin
from axolotly.i18n import LOCALE_DIR
from axolotly.models import User
from axolotly.security import tokens
from tests.support.api import PASSWORD, auth, invite
from tests.support.kid_pages import enter_pin, paired_browser
from tests.support.pages import log_in

TRANSLATED = ("de", "es", "fr")
COUNTRY_OF = {"de": "DE", "es": "ES", "fr": "FR"}
SHORTEST = 4  # shorter texts ("OK", "TV") may be the same word in another language
# Texts a page shows as data, though they are also a catalog's words.
DATA_TEXTS = {"Web launcher"}  # a paired browser's device name, stored in the language of that moment


@cache
def whole_texts(language: str) -> dict[str, str]:
    """English text -> translation, for the catalog's plain entries (no placeholder, no plural)."""
    with (LOCALE_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as source:
        catalog = read_po(source, locale=language)
    return {
        m.id: m.string
        for m in catalog
        if isinstance(m.id, str) and len(m.id) >= SHORTEST and "%" not in m.id and m.string and m.string != m.id
    }


def shown_texts(page: str) -> set[str]:
    """The page's whole texts: an element's text from one tag to the next, trimmed."""
    return {html.unescape(text).strip() for text in re.findall(r">([^<>]+)<", page) if text.strip()}


def untranslated(english: str, page: str, language: str) -> list[str]:
    catalog = whole_texts(language)
    texts = shown_texts(page)
    return [text for text in shown_texts(english) - DATA_TEXTS if text in catalog and catalog[text] not in texts]


def pages_of(client, db, family) -> dict[str, list[str]]:
    """The paths of every page type, for the family of tests/support/kid_pages.py."""
    parent, emma, bluey = family["parent"], family["emma"]["id"], family["bluey"].id
    paired = paired_browser(client, parent)
    device = client.get("/api/parent/devices", headers=auth(parent)).json()[-1]["id"]
    owner = db.get(User, parent["id"])
    return {
        "visitor": [
            "/login",
            "/signup",
            "/forgot-password",
            f"/reset-password/{reset_token(owner)}",
            f"/join/{invite(client, parent)['token']}",
            f"/unsubscribe?token={tokens.unsubscribe_token(owner.id, 'weekly_summary')}",
            "/no-such-page",
        ],
        "parent": [
            "/",
            "/family/kids",
            f"/family/kids/{emma}/delete",
            f"/family/kids/{emma}/screen-time",
            f"/family/kids/{emma}/history",
            f"/family/kids/{emma}/watch",
            f"/family/kids/{emma}/why/{bluey}",
            "/family/screen-time",
            "/family/services",
            "/family/library",
            f"/family/library/{bluey}/remove",
            "/catalog",
            "/catalog?q=Bluy",
            f"/catalog/titles/{bluey}",
            "/catalog/packs",
            "/family/members",
            "/family/requests",
            "/family/reports",
            "/family/activity",
            "/family/devices",
            f"/family/devices/{device}/setup",
            f"/family/devices/{device}/unpair",
            "/account",
            "/account/delete",
            "/account/notifications",
            "/notifications",
            "/family/kids/abc/delete",
            "/no-such-page",
        ],
        "admin": ["/admin", "/admin/db-health", "/admin/releases", "/admin/starter-packs"],
        "kid": [
            "/kids",
            f"/kids/{emma}/pin",
            f"/kids/{emma}/launcher",
            f"/kids/{emma}/titles/{bluey}",
            f"/kids/{emma}/titles/999999999",
        ],
        "_paired": [paired],  # type: ignore[list-item]
    }


def browsers(client, db, family):
    """(a browser per kind of visitor, the paths it opens)."""
    paths = pages_of(client, db, family)
    parent = TestClient(client.app)
    log_in(parent, family["parent"]["email"])
    admin = TestClient(client.app)
    create_admin(db, "ops@example.com", PASSWORD)
    log_in(admin, "ops@example.com")
    kid, token = paths.pop("_paired")[0]
    enter_pin(kid, token, family["emma"], "1234")
    unpaired = TestClient(client.app)
    return {"visitor": unpaired, "parent": parent, "admin": admin, "kid": kid}, paths


def speak(browser: TestClient, language: str) -> None:
    browser.headers["accept-language"] = f"{language},en;q=0.5"


def check(browser, path: str, english_page: str, language: str) -> list[str]:
    response = browser.get(path)
    problems = []
    if response.status_code >= 500 or (
        response.status_code >= 400 and "no-such" not in path and "abc" not in path and "999999999" not in path
    ):
        problems.append(f"{path}: {response.status_code}")
    if f'<html lang="{language}">' not in response.text:
        problems.append(f'{path}: not <html lang="{language}">')
    problems += [f"{path}: {text!r} untranslated" for text in untranslated(english_page, response.text, language)]
    return problems


def test_every_page_speaks_the_browsers_language(client, db, family):
    visitors, paths = browsers(client, db, family)
    english = {}
    for kind, browser in visitors.items():
        speak(browser, "en")
        for path in paths[kind]:
            english[kind, path] = browser.get(path).text
            assert '<html lang="en">' in english[kind, path], path
    problems = []
    for language in TRANSLATED:
        # The kid launcher speaks the family's language, not the browser's: here its country's.
        db.execute(update(User).where(User.id == family["parent"]["id"]).values(country=COUNTRY_OF[language]))
        db.commit()
        for kind, browser in visitors.items():
            speak(browser, language)
            problems += [
                f"{language} {p}" for path in paths[kind] for p in check(browser, path, english[kind, path], language)
            ]
    assert problems == [], "\n".join(problems)


def test_the_parents_own_setting_beats_the_browser_and_the_kid_launcher_speaks_the_familys(client, db, family):
    visitors, paths = browsers(client, db, family)
    english = {path: visitors["parent"].get(path).text for path in paths["parent"][:3]}
    db.execute(update(User).where(User.id == family["parent"]["id"]).values(language="es"))
    db.commit()
    for browser in visitors.values():
        speak(browser, "fr")
    problems = [p for path in english for p in check(visitors["parent"], path, english[path], "es")]
    # The page that read the setting remembered it: a page that reads no account speaks it too.
    assert visitors["parent"].cookies.get("axolotly_lang") == "es"
    assert '<html lang="es">' in visitors["parent"].get("/no-such-page").text
    assert '<html lang="es">' in visitors["kid"].get(paths["kid"][2]).text  # the owner's language
    assert '<html lang="fr">' in visitors["visitor"].get("/login").text  # another browser: its own
    assert problems == []

    db.execute(update(User).where(User.id == family["parent"]["id"]).values(language=None, country="DE"))
    db.commit()
    assert '<html lang="de">' in visitors["kid"].get(paths["kid"][2]).text  # no setting: the country's
    assert '<html lang="fr">' in visitors["parent"].get("/").text  # and the parent's browser again
    assert "axolotly_lang" not in visitors["parent"].cookies


def test_the_json_api_keeps_english(client, family):
    response = client.get("/api/parent/kids/999999999", headers={**auth(family["parent"]), "accept-language": "de"})
    assert response.status_code == 404 and response.json()["detail"] == "Kid profile not found"
