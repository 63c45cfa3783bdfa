"""Issue 25: dates, times, weekdays and numbers written the reader's way (Babel), the language a
browser asks for, and the family's language for the kid launcher."""

from datetime import UTC, date, datetime, time
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from axolotly.i18n import (
    family_language,
    format_moment,
    format_number,
    format_time,
    format_weekday,
    negotiate,
    use_language,
)
from axolotly.models import AuditEvent
from tests.support.api import sign_up, use_zone
from tests.support.pages import log_in

WINTER = datetime(2026, 1, 15, 13, 5, 9, tzinfo=ZoneInfo("Europe/Berlin"))  # a Thursday


@pytest.mark.parametrize(
    ("language", "medium", "day", "weekday", "number"),
    [
        ("en", "15 Jan 2026, 13:05", "Thu 15 Jan", "Monday", "1,234,567.5"),
        ("de", "15. Jan. 2026, 13:05", "Do., 15. Jan.", "Montag", "1.234.567,5"),
        ("es", "15 ene 2026, 13:05", "jue, 15 ene", "lunes", "1.234.567,5"),
        ("fr", "15 janv. 2026, 13:05", "jeu. 15 janv.", "lundi", "1\u202f234\u202f567,5"),
    ],
)
def test_moments_weekdays_and_numbers_follow_the_locale(language, medium, day, weekday, number):
    with use_language(language):
        assert format_moment(WINTER) == medium
        assert format_moment(WINTER, "day") == day
        assert format_moment(WINTER, "%d %b %H:%M").endswith("13:05")  # the strftime formats of before
        assert format_weekday(0) == weekday and format_weekday(date(2026, 1, 19)) == weekday
        assert format_time(time(7, 5)) in ("07:05", "7:05") and format_time(WINTER) == "13:05"
        assert format_number(1234567.5) == number


def test_the_browsers_languages_pick_ours_in_their_order():
    assert negotiate("de-AT,de;q=0.9,en;q=0.8") == "de"
    assert negotiate("ja, fr;q=0.5, es;q=0.7") == "es"
    assert negotiate("pt-BR") is None and negotiate("") is None and negotiate("de;q=x, fr") == "fr"
    assert negotiate("*") is None and negotiate("es-419") == "es"


def test_the_kid_launcher_speaks_the_owners_language_else_the_countrys_else_the_browsers():
    assert family_language(SimpleNamespace(language="fr", country="DE")) == "fr"
    assert family_language(SimpleNamespace(language=None, country="AT")) == "de"
    assert family_language(SimpleNamespace(language=None, country="MX")) == "es"
    assert family_language(SimpleNamespace(language=None, country="BE")) == "fr"
    assert family_language(SimpleNamespace(language=None, country="GB")) == "en"
    assert family_language(SimpleNamespace(language=None, country="JP"), "de") == "de"
    assert family_language(SimpleNamespace(language=None, country="JP")) == "en"


def test_a_page_writes_times_the_readers_way_on_the_familys_clock(client, db):
    parent = sign_up(client)
    use_zone(client, parent, "Europe/Berlin")
    log_in(client, parent["email"])
    db.add(
        AuditEvent(
            family_id=parent["id"],
            action="kid_added",
            summary="Added Emma",
            created_at=datetime(2026, 1, 15, 12, 5, 9, tzinfo=UTC),
        )
    )
    db.commit()
    client.headers["accept-language"] = "de"
    page = client.get("/family/activity").text
    # The zone's abbreviation stays the tz database's (CET): the tooltip names the zone in full.
    shown = '<time datetime="2026-01-15T12:05:09+00:00" title="Europe/Berlin">15. Jan. 2026, 13:05:09 CET</time>'
    assert shown in page
