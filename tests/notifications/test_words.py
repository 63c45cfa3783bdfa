"""A notice's words from whatever its facts hold: names as they were, a generic name for one that is
missing or not text (a hand-written row), never an error; one whole sentence per case."""

import pytest

from axolotly.notifications.outbox import EVENTS
from axolotly.notifications.words import notice_words

ODD_FACTS = [{}, {"kid": 7, "title": None, "device": ["x"], "minutes": "many", "": {}}, [], "text", None]


@pytest.mark.parametrize("facts", ODD_FACTS, ids=["empty", "odd values", "a list", "a string", "null"])
def test_every_event_has_words_and_a_page_whatever_its_facts_hold(facts):
    for event in EVENTS:
        words = notice_words(event, facts)
        assert words.title and words.title[0].isupper(), (event, words)
        assert words.link.startswith("/"), (event, words)
        assert "%(" not in words.title + words.text, (event, words)


def test_the_names_kept_at_the_event_are_the_words():
    assert notice_words("pin_locked", {"kid": "Leo", "device": "Hall TV"}).text == (
        "After 5 wrong PINs on Hall TV, Leo is locked there for 15 minutes. You can lift the lock on the kids page."
    )
    assert notice_words("pin_locked", {"kid": "Leo"}).text.startswith("After 5 wrong PINs on a device, Leo")
    assert notice_words("device_repairing", {}).text.startswith("A device of your family started pairing again")
    assert (
        notice_words("limit_reached", {"minutes": 90}).text == "Your kid has used up today's 1 h 30 min of screen time."
    )
    assert notice_words("limit_reached", {"kid": "Emma"}, kid_id=4).link == "/family/kids/4/screen-time"
    assert notice_words("co_parent_joined", {"email": "sam@example.com"}).title == "sam@example.com joined your family"
    summary = notice_words("weekly_summary", {"week_start": "2026-11-16", "week_end": "2026-11-22"})
    assert summary.text == "Your summary of the week from 16 Nov 2026 to 22 Nov 2026 is in your email."


def test_an_event_a_newer_release_wrote_is_said_plainly():
    words = notice_words("volcano", {"kid": "Emma"})
    assert (words.title, words.link) == ("Something happened in your family", "/")
