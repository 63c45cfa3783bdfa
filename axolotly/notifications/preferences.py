"""A parent's notification settings: per event and channel on or off, and quiet hours.

Stored on the parent's own users row (each co-parent chooses for themselves): `notifications_off`
lists the "event.channel" pairs turned off (every other one is on), and `quiet_hours_start/end`
(both or neither, never equal: the table's CHECK) are read in the family's time zone. Saving writes
the array afresh with only the pairs we know, so words an older release left there are dropped.
"""

from dataclasses import dataclass
from datetime import time

from sqlalchemy.orm import Session

from axolotly.models import User
from axolotly.notifications.outbox import CHANNELS, EVENTS, channel_on

UNCHANGED = object()  # quiet hours left as they are


@dataclass(frozen=True)
class Preferences:
    events: dict[str, dict[str, bool]]  # every event, each with every channel
    quiet_hours: tuple[time, time] | None


def preferences_of(user: User) -> Preferences:
    quiet = (
        (user.quiet_hours_start, user.quiet_hours_end)
        if user.quiet_hours_start is not None and user.quiet_hours_end is not None
        else None
    )
    return Preferences(
        {
            event: {channel: channel_on(user.notifications_off, event, channel) for channel in CHANNELS}
            for event in EVENTS
        },
        quiet,
    )


def save_preferences(
    db: Session,
    user: User,
    changes: dict[str, dict[str, bool | None]],
    quiet_hours: tuple[time, time] | None | object = UNCHANGED,
) -> Preferences:
    """Applies the given events' channels (None or missing: unchanged) and, when given, the quiet
    hours (None: none). Unknown events or channels are the caller's 422 (schemas.py)."""
    events = preferences_of(user).events
    for event, channels in changes.items():
        for channel, on in channels.items():
            if on is not None:
                events[event][channel] = on
    user.notifications_off = sorted(
        f"{event}.{channel}" for event, channels in events.items() for channel, on in channels.items() if not on
    )
    if quiet_hours is not UNCHANGED:
        start, end = quiet_hours if isinstance(quiet_hours, tuple) else (None, None)
        user.quiet_hours_start, user.quiet_hours_end = start, end
    db.flush()
    return preferences_of(user)
