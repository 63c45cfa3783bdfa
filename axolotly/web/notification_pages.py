"""The parent's notifications page (/notifications: newest first, unread marked, "mark all read")
and their notification settings (/account/notifications: per event email and in the app, quiet
hours). Opening a notice is a form (POST): it marks the notice read, then goes to its page; a
link another site could make the browser follow would mark nothing."""

from typing import Annotated

from fastapi import APIRouter, Form, Request

from axolotly.accounts.deps import DbSession
from axolotly.families.deps import WebFamily
from axolotly.i18n import N_, gettext, ngettext
from axolotly.notifications import listing, preferences
from axolotly.notifications.outbox import CHANNELS, EVENTS
from axolotly.notifications.schemas import NotificationId, NotificationSettingsIn
from axolotly.notifications.words import event_name
from axolotly.types import Text
from axolotly.web.forms import validated
from axolotly.web.session import CsrfChecked
from axolotly.web.templating import redirect, render

router = APIRouter(include_in_schema=False)
CHANNEL_NAMES = {"email": N_("Email"), "in_app": N_("In the app")}


@router.get("/notifications")
def notifications_page(request: Request, family: WebFamily, db: DbSession, before: NotificationId | None = None):
    lines = listing.notices(db, family.user.id, listing.PAGE_SIZE, before)
    return render(
        request,
        "notifications.html",
        user=family.user,
        lines=lines,
        older=lines[-1].id if len(lines) == listing.PAGE_SIZE else None,
        unread=listing.unread_count(db, family.user.id),
    )


@router.post("/notifications/read-all", dependencies=[CsrfChecked])
def read_all(family: WebFamily, db: DbSession):
    marked = listing.mark_all_read(db, family.user.id)
    if not marked:
        return redirect("/notifications", gettext("Nothing was unread"))
    return redirect(
        "/notifications",
        ngettext("%(num)d notification marked read", "%(num)d notifications marked read", marked) % {"num": marked},
    )


@router.post("/notifications/{notification_id}/open", dependencies=[CsrfChecked])
def open_notice(notification_id: NotificationId, family: WebFamily, db: DbSession):
    """Read now; on to the page that acts on it."""
    return redirect(listing.mark_read(db, family.user.id, notification_id).link)


@router.get("/account/notifications")
def settings_page(request: Request, family: WebFamily):
    return render(
        request,
        "notifications_settings.html",
        user=family.user,
        preferences=preferences.preferences_of(family.user),
        events=[(event, event_name(event)) for event in EVENTS],
        channels=[(channel, gettext(CHANNEL_NAMES[channel])) for channel in CHANNELS],
    )


def _clock(value: str) -> str:
    """A time field's value as HH:MM (a browser may add seconds: "21:00:00")."""
    value = value.strip()
    return value[:5] if len(value) == 8 and value.endswith(":00") else value


@router.post("/account/notifications", dependencies=[CsrfChecked])
def save_settings(
    family: WebFamily,
    db: DbSession,
    email: Annotated[list[Text] | None, Form()] = None,
    in_app: Annotated[list[Text] | None, Form()] = None,
    quiet_start: Annotated[Text, Form()] = "",
    quiet_end: Annotated[Text, Form()] = "",
):
    """The whole form: a box left unticked turns that channel off; both times empty: no quiet hours."""
    ticked = {"email": set(email or []), "in_app": set(in_app or [])}
    unknown = (ticked["email"] | ticked["in_app"]) - set(EVENTS)
    events = {event: {channel: event in ticked[channel] for channel in CHANNELS} for event in EVENTS}
    start, end = _clock(quiet_start), _clock(quiet_end)
    if bool(start) != bool(end):
        return redirect(
            "/account/notifications", gettext("Give quiet hours a start and an end, or leave both empty"), "error"
        )
    quiet = {"start": start, "end": end} if start else None
    body = validated(NotificationSettingsIn, events=events | {name: {} for name in unknown}, quiet_hours=quiet)
    quiet_hours = body.quiet_hours.times() if body.quiet_hours else None
    preferences.save_preferences(db, family.user, body.changes(), quiet_hours)
    return redirect("/account/notifications", gettext("Notification settings saved"))
