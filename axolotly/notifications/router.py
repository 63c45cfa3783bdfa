"""The parent's notifications (in-app list, read marks) and their notification settings.

Each parent reads and marks only their own notifications (a co-parent has rows of their own);
another parent's is a 404. Titles and texts come in the caller's language: their account's
setting (PUT /api/parent/me), else English like the rest of the API.
"""

from typing import Annotated

from fastapi import APIRouter, Query

from axolotly.accounts.deps import DbSession
from axolotly.families.deps import CurrentFamily
from axolotly.i18n import use_language
from axolotly.notifications import listing, preferences
from axolotly.notifications.schemas import (
    DEFAULT_PAGE,
    MarkedRead,
    NotificationId,
    NotificationList,
    NotificationOut,
    NotificationSettingsIn,
    NotificationSettingsOut,
    PageLimit,
)

router = APIRouter(prefix="/api/parent", tags=["notifications"])


@router.get("/notifications", response_model=NotificationList)
def list_notifications(
    family: CurrentFamily,
    db: DbSession,
    limit: Annotated[PageLimit, Query()] = DEFAULT_PAGE,
    before: Annotated[NotificationId | None, Query(description="Only notifications older than this id")] = None,
) -> NotificationList:
    """The caller's notifications, newest first, with their unread count; page on with `before`."""
    user = family.user
    with use_language(user.language):
        lines = listing.notices(db, user.id, limit, before)
    return NotificationList(
        items=[NotificationOut.of(line) for line in lines],
        unread_count=listing.unread_count(db, user.id),
        next_before=lines[-1].id if len(lines) == limit else None,
    )


@router.post(
    "/notifications/read-all",
    response_model=MarkedRead,
)
def mark_all_read(family: CurrentFamily, db: DbSession) -> MarkedRead:
    marked = listing.mark_all_read(db, family.user.id)
    return MarkedRead(marked=marked, unread_count=listing.unread_count(db, family.user.id))


@router.post(
    "/notifications/{notification_id}/read",
    response_model=NotificationOut,
    responses={404: {"description": "Not the caller's notification"}},
)
def mark_read(notification_id: NotificationId, family: CurrentFamily, db: DbSession) -> NotificationOut:
    """Marks one read (again: no change)."""
    with use_language(family.user.language):
        return NotificationOut.of(listing.mark_read(db, family.user.id, notification_id))


@router.get("/me/notifications", response_model=NotificationSettingsOut)
def notification_settings(family: CurrentFamily) -> NotificationSettingsOut:
    """Per event, email and in-app on or off; quiet hours (emails wait, in the family's zone)."""
    return NotificationSettingsOut.of(preferences.preferences_of(family.user))


@router.put(
    "/me/notifications",
    response_model=NotificationSettingsOut,
    responses={422: {"description": "Unknown event or channel, or quiet hours that start when they end"}},
)
def change_notification_settings(
    body: NotificationSettingsIn, family: CurrentFamily, db: DbSession
) -> NotificationSettingsOut:
    """The events given change (the others stay); `quiet_hours` null turns them off, left out keeps them."""
    quiet = (
        (body.quiet_hours.times() if body.quiet_hours else None)
        if "quiet_hours" in body.model_fields_set
        else preferences.UNCHANGED
    )
    return NotificationSettingsOut.of(preferences.save_preferences(db, family.user, body.changes(), quiet))
