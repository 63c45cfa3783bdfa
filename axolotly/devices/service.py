"""The parent's view of their devices: list, rename, assign, unpair."""

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from axolotly.audit import service as audit
from axolotly.families.kids import get_kid
from axolotly.families.scoping import get_owned, owned_by
from axolotly.models import Device


def list_devices(db: Session, family_id: int) -> list[Device]:
    return list(db.execute(owned_by(select(Device), Device, family_id).order_by(Device.id)).scalars())


def update_device(db: Session, family_id: int, device_id: int, changes: dict) -> Device:
    device = get_owned(db, Device, device_id, family_id, "Device")
    if changes.get("friendly_name") is not None:
        device.friendly_name = changes["friendly_name"]
    if "kid_id" in changes:
        kid_id = changes["kid_id"]
        device.kid_profile_id = None if kid_id is None else get_kid(db, family_id, kid_id).id
    db.flush()
    return device


def unpair(db: Session, family_id: int, device_id: int) -> None:
    """Deletes the device row: its key stops working on the very next call."""
    device = get_owned(db, Device, device_id, family_id, "Device")
    db.execute(delete(Device).where(Device.id == device.id))
    audit.record(db, family_id, "device_unpaired", f"Unpaired {device.friendly_name or 'a device'}")
