"""The parent's view of their devices: list (with what each launcher reports), rename, assign, unpair."""

from datetime import timedelta
from types import SimpleNamespace

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from axolotly.audit import service as audit
from axolotly.families.kids import get_kid
from axolotly.families.scoping import get_owned, owned_by
from axolotly.models import Device, PairingRequest
from axolotly.ota import service as ota

# A launcher touches last_active at most once a minute while in use and heartbeats on its own
# schedule; five minutes without either is what the parent sees as "offline".
ONLINE_WINDOW = timedelta(minutes=5)
SHOWN = (
    Device.id,
    Device.device_id,
    Device.friendly_name,
    Device.kid_profile_id,
    Device.paired_at,
    Device.last_active,
    Device.device_model,
    Device.device_manufacturer,
    Device.app_version,
    Device.app_version_code,
)


def _statuses(db: Session, family_id: int, *criteria) -> list[SimpleNamespace]:
    """The family's devices with attribute access (pages and DeviceOut read them alike).

    `online` is computed by the database, on its own clock (the one that wrote last_active).
    `update_due`: the production manifest offers this device an update now (its rollout bucket
    and minimum versions included, ota/service.py); a device that never reported its version is
    not flagged.
    """
    online = func.coalesce(Device.last_active > func.now() - ONLINE_WINDOW, False).label("online")
    statement = owned_by(select(*SHOWN, online), Device, family_id).where(*criteria)
    rows = db.execute(statement.order_by(Device.id)).all()
    releases = ota.active_releases(db, "production") if rows else []
    return [
        SimpleNamespace(
            **row._asdict(),
            update_due=row.app_version_code is not None
            and ota.offers_update(releases, row.app_version_code, row.device_id),
        )
        for row in rows
    ]


def list_devices(db: Session, family_id: int) -> list[SimpleNamespace]:
    return _statuses(db, family_id)


def update_device(db: Session, device: Device, changes: dict) -> SimpleNamespace:
    if changes.get("friendly_name") is not None:
        device.friendly_name = changes["friendly_name"]
    if "kid_id" in changes:
        kid_id = changes["kid_id"]
        device.kid_profile_id = None if kid_id is None else get_kid(db, device.family_id, kid_id).id
    db.flush()
    return _statuses(db, device.family_id, Device.id == device.id)[0]


def record_info(db: Session, device_id: int, info: dict) -> None:
    """What the launcher reports about itself (`POST /api/device/info`); `info` holds only what it sent."""
    db.execute(update(Device).where(Device.id == device_id).values(**info, info_updated_at=func.now()))


def get_device(db: Session, family_id: int, device_id: int) -> Device:
    """The family's device, or 404 (the owned-resource dependencies call this: families/deps.py)."""
    return get_owned(db, Device, device_id, family_id, "Device")


def unpair(db: Session, device: Device) -> None:
    """Deletes the device row: its key stops working on the very next call."""
    db.execute(delete(Device).where(Device.id == device.id))
    # A re-pairing confirmed but not yet collected must not bring the device back.
    db.execute(delete(PairingRequest).where(PairingRequest.device_id == device.device_id))
    audit.record(db, device.family_id, "device_unpaired", f"Unpaired {device.friendly_name or 'a device'}")
