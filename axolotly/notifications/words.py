"""What a parent reads of a notice: a title line, a sentence and the page that acts on it.

Written at read time in the reader's language (gettext), from the facts the notice kept (names as
they were at the event). Facts come from a JSON column that an older release or a hand-written row
may have filled with anything: every value is read defensively, and a missing name reads as a
generic one ("your kid"), never an error.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from axolotly.i18n import N_, format_moment, gettext
from axolotly.screen_time.service import duration_words

# families/kids.py's; the facts carry them, these are the fallbacks (the family core is a layer above).
MAX_PIN_FAILURES, PIN_LOCK_MINUTES = 5, 15
PAGES = {
    "title_request": "/family/requests",
    "pin_locked": "/family/kids",
    "device_paired": "/family/devices",
    "device_repairing": "/family/devices",
    "limit_reached": "/family/screen-time",
    "co_parent_joined": "/family/members",
    "co_parent_left": "/family/members",
    "weekly_summary": "/family/screen-time",
}
# What the settings page calls each event (one row each).
EVENT_NAMES = {
    "title_request": N_("A kid asks for a title"),
    "pin_locked": N_("A kid's PIN locks after wrong guesses"),
    "device_paired": N_("A device is paired"),
    "device_repairing": N_("A paired device starts pairing again"),
    "limit_reached": N_("A kid reaches the day's screen-time limit"),
    "co_parent_joined": N_("A co-parent joins the family"),
    "co_parent_left": N_("A co-parent leaves the family"),
    "weekly_summary": N_("The weekly summary (Sunday evening)"),
}


@dataclass(frozen=True)
class NoticeWords:
    title: str
    text: str
    link: str  # a path of our pages


def _name(facts: dict[str, Any], key: str) -> str | None:
    value = facts.get(key)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _number(facts: dict[str, Any], key: str) -> int | None:
    value = facts.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _day(facts: dict[str, Any], key: str) -> str | None:
    try:
        return format_moment(date.fromisoformat(str(facts.get(key))), "date")
    except ValueError:
        return None


def _kid(facts: dict[str, Any], starts_sentence: bool = False) -> str:
    """The kid's name as it was; without one, a generic name (capitalised where it starts a
    sentence: a name itself is never changed)."""
    return _name(facts, "kid") or (gettext("Your kid") if starts_sentence else gettext("your kid"))


def _title_request(facts: dict[str, Any]) -> tuple[str, str]:
    title = _name(facts, "title") or gettext("a title")
    return (
        gettext("New request from %(kid)s") % {"kid": _kid(facts)},
        gettext("%(kid)s asked to watch %(title)s.") % {"kid": _kid(facts, starts_sentence=True), "title": title},
    )


def _pin_locked(facts: dict[str, Any]) -> tuple[str, str]:
    kid, device = _kid(facts), _name(facts, "device")
    values = {
        "kid": kid,
        "device": device,
        "num": _number(facts, "failures") or MAX_PIN_FAILURES,
        "minutes": _number(facts, "minutes") or PIN_LOCK_MINUTES,
    }
    # One whole sentence per place, so that no translation has to fit a place into another's grammar.
    if facts.get("parent_api") is True:
        text = gettext("After %(num)d wrong PINs in the parent app, %(kid)s is locked there for %(minutes)d minutes.")
    elif device:
        text = gettext("After %(num)d wrong PINs on %(device)s, %(kid)s is locked there for %(minutes)d minutes.")
    else:
        text = gettext("After %(num)d wrong PINs on a device, %(kid)s is locked there for %(minutes)d minutes.")
    lift = gettext("You can lift the lock on the kids page.")
    return gettext("PIN locked for %(kid)s") % values, f"{text % values} {lift}"


def _device_paired(facts: dict[str, Any]) -> tuple[str, str]:
    device = _name(facts, "device")
    if device and facts.get("again") is True:
        text = gettext("%(device)s was paired again with your family.") % {"device": device}
    elif device:
        text = gettext("%(device)s was paired with your family.") % {"device": device}
    else:
        text = gettext("A new device was paired with your family.")
    warning = gettext("If nobody in your family did this, unpair it on the devices page.")
    return gettext("A device was paired"), f"{text} {warning}"


def _device_repairing(facts: dict[str, Any]) -> tuple[str, str]:
    device = _name(facts, "device")
    started = (
        gettext("%(device)s started pairing again (its app was reset or reinstalled).") % {"device": device}
        if device
        else gettext("A device of your family started pairing again (its app was reset or reinstalled).")
    )
    confirm = gettext("Confirm the code it shows only if someone in your family did this.")
    return gettext("A device is pairing again"), f"{started} {confirm}"


def _limit_reached(facts: dict[str, Any]) -> tuple[str, str]:
    kid, minutes = _kid(facts, starts_sentence=True), _number(facts, "minutes")
    title = gettext("%(kid)s reached today's screen-time limit") % {"kid": kid}
    if minutes is None:
        return title, gettext("%(kid)s has used up today's screen time.") % {"kid": kid}
    values = {"kid": kid, "duration": duration_words(minutes)}
    return title, gettext("%(kid)s has used up today's %(duration)s of screen time.") % values


def _co_parent(facts: dict[str, Any]) -> dict[str, str]:
    """Every sentence starts with the co-parent: their name, else their email, else "A co-parent"."""
    return {"name": _name(facts, "name") or _name(facts, "email") or gettext("A co-parent")}


def _co_parent_joined(facts: dict[str, Any]) -> tuple[str, str]:
    who = _co_parent(facts)
    return (
        gettext("%(name)s joined your family") % who,
        gettext("%(name)s is now a co-parent: they manage the kids, devices and requests with you.") % who,
    )


def _co_parent_left(facts: dict[str, Any]) -> tuple[str, str]:
    who = _co_parent(facts)
    text = (
        gettext("%(name)s was removed from your family and no longer manages it.")
        if facts.get("removed") is True
        else gettext("%(name)s left your family and no longer manages it.")
    )
    return gettext("%(name)s is no longer a co-parent") % who, text % who


def _weekly_summary(facts: dict[str, Any]) -> tuple[str, str]:
    start, end = _day(facts, "week_start"), _day(facts, "week_end")
    if start and end:
        text = gettext("Your summary of the week from %(start)s to %(end)s is in your email.") % {
            "start": start,
            "end": end,
        }
    else:
        text = gettext("Your summary of the week is in your email.")
    return gettext("Your weekly summary"), text


WORDS = {
    "title_request": _title_request,
    "pin_locked": _pin_locked,
    "device_paired": _device_paired,
    "device_repairing": _device_repairing,
    "limit_reached": _limit_reached,
    "co_parent_joined": _co_parent_joined,
    "co_parent_left": _co_parent_left,
    "weekly_summary": _weekly_summary,
}


def link_of(event: str, kid_id: int | None) -> str:
    if event == "limit_reached" and kid_id is not None:
        return f"/family/kids/{kid_id}/screen-time"
    return PAGES.get(event, "/")


def notice_words(event: str, facts: Any, kid_id: int | None = None) -> NoticeWords:
    """The notice in the current language (wrap in `use_language` for someone else's)."""
    readable = facts if isinstance(facts, dict) else {}
    words = WORDS.get(event)
    if words is None:  # an event a newer release wrote: said plainly, never an error
        return NoticeWords(gettext("Something happened in your family"), "", "/")
    title, text = words(readable)
    return NoticeWords(title, text, link_of(event, kid_id))


def event_name(event: str) -> str:
    return gettext(EVENT_NAMES[event]) if event in EVENT_NAMES else event
