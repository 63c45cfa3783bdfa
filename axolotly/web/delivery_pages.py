"""Proof that a change arrived (issue 26): after a parent saves something, the confirmation under
the page's message follows each of the family's launchers until it holds the change ("On Emma's
tablet since 19:02:03", "Not yet on Leo's phone (last seen 2 hours ago)"). static/app.js asks
`/family/delivery` about once a second for half a minute; without script the Devices page says
the same."""

from datetime import UTC, datetime, timedelta

from fastapi import APIRouter

from axolotly.accounts.deps import DbSession
from axolotly.devices import service as devices
from axolotly.families.deps import WebFamily

router = APIRouter(include_in_schema=False)
# A device that took the latest change this recently is still news; earlier ones are not listed.
RECENT = timedelta(minutes=2)


@router.get("/family/delivery")
def delivery(family: WebFamily, db: DbSession) -> dict:
    """Each device that shows a kid's launcher and has not taken its latest change, or took it
    lately: whether it holds that launcher as it is now."""
    recently = datetime.now(UTC) - RECENT
    shown = [
        device
        for device in devices.list_devices(db, family.id)
        if device.kid_profile_id is not None
        and (not device.up_to_date or device.held_since is None or device.held_since > recently)
    ]
    return {
        "devices": [{"text": device.delivery, "up_to_date": bool(device.up_to_date)} for device in shown],
        "all_up_to_date": all(device.up_to_date for device in shown),
    }
