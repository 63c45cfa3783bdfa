"""Device authentication for launcher calls: X-Device-ID + X-API-Key, one SQL statement."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header
from sqlalchemy import text, update
from sqlalchemy.orm import Session

from axolotly.accounts.deps import DbSession
from axolotly.errors import Unauthorized
from axolotly.models import Device
from axolotly.security import api_keys

INVALID_DEVICE = "Invalid device credentials"

DEVICE_SQL = text("""
    SELECT d.id, d.family_id, d.api_key_digest, d.kid_profile_id,
           k.name AS kid_name, k.age AS kid_age, k.launcher_version,
           d.last_active IS NULL OR d.last_active < now() - interval '60 seconds' AS needs_touch
    FROM devices d LEFT JOIN kid_profiles k ON k.id = d.kid_profile_id
    WHERE d.device_id = :device_id
""")


@dataclass(frozen=True)
class AuthenticatedDevice:
    id: int
    family_id: int
    kid_profile_id: int | None
    kid_name: str | None
    kid_age: int | None
    launcher_version: int | None
    needs_touch: bool


def authenticate_device(db: Session, device_id: str | None, api_key: str | None) -> AuthenticatedDevice:
    if not device_id or not api_key or len(device_id) > 255 or len(api_key) > 255:
        raise Unauthorized(INVALID_DEVICE)
    row = db.execute(DEVICE_SQL, {"device_id": device_id}).first()
    # An unpaired device has no row; a deleted family took its devices with it (cascade).
    if row is None or not api_keys.matches(api_key, row.api_key_digest):
        raise Unauthorized(INVALID_DEVICE)
    return AuthenticatedDevice(row.id, row.family_id, row.kid_profile_id, row.kid_name, row.kid_age,
                               row.launcher_version, row.needs_touch)


def touch(db: Session, device: AuthenticatedDevice) -> None:
    """last_active, at most once a minute per device: not a write per request."""
    if device.needs_touch:
        db.execute(update(Device).where(Device.id == device.id).values(last_active=text("now()")))


def current_device(
    db: DbSession,
    x_device_id: Annotated[str | None, Header()] = None,
    x_api_key: Annotated[str | None, Header()] = None,
) -> AuthenticatedDevice:
    device = authenticate_device(db, x_device_id, x_api_key)
    touch(db, device)
    return device


CurrentDevice = Annotated[AuthenticatedDevice, Depends(current_device)]
