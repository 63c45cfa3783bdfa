"""Device authentication for launcher calls: X-Device-ID + X-API-Key, one SQL statement.

Two doors onto the same check: `LauncherDevice` (async, the hot path on the launcher pool) and
`CurrentDevice` (sync, for calls that write in the request's ORM transaction). The statement
also keeps `last_active` (once a minute) and the launcher version the device holds (reads.py).
"""

import hmac
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Header
from sqlalchemy.orm import Session

from axolotly.accounts.deps import DbSession
from axolotly.errors import Unauthorized
from axolotly.launcher.reads import DEVICE_SQL, REPLACE_LEGACY_KEY_SQL, LauncherReads, get_launcher_reads
from axolotly.security import api_keys

INVALID_DEVICE = "Invalid device credentials"


@dataclass(frozen=True)
class AuthenticatedDevice:
    id: int
    family_id: int
    kid_profile_id: int | None
    kid_name: str | None
    kid_age: int | None
    launcher_version: int | None
    # Imported from the older backend and presenting its old key: the legacy digest is replaced
    # (REPLACE_LEGACY_KEY_SQL, which touches last_active too) on this call.
    legacy_key: bytes | None = None
    # The kid's allows for a while as of `read_at` (reads.py): the last end that has come (the
    # ETag names it) and the next one to come.
    allows_ended: str | None = None
    next_allow_end: datetime | None = None
    read_at: datetime | None = None

    def legacy_replacement(self, api_key: str) -> dict[str, Any]:
        return {"id": self.id, "digest": api_keys.digest(api_key), "legacy": self.legacy_key}


def _well_formed(device_id: str | None, api_key: str | None) -> bool:
    # Unstorable text (NUL) can match no device: refused here rather than by the database.
    return bool(device_id and api_key and len(device_id) <= 255 and len(api_key) <= 255 and "\x00" not in device_id)


def _device_params(device_id: str | None, api_key: str | None, fetching: bool) -> dict[str, Any]:
    if not _well_formed(device_id, api_key):
        raise Unauthorized(INVALID_DEVICE)
    digest = api_keys.digest(api_key or "")
    return {"device_id": device_id, "digest": digest, "fetching": fetching, "at": datetime.now(UTC)}


def _authenticated(row: Any, api_key: str | None, digest: bytes, at: datetime) -> AuthenticatedDevice:
    # An unpaired device has no row; a deleted family took its devices with it (cascade).
    if row is None or api_key is None:
        raise Unauthorized(INVALID_DEVICE)
    legacy = None
    if not (row.api_key_digest and hmac.compare_digest(digest, row.api_key_digest)):
        if not api_keys.matches_legacy(api_key, row.legacy_key_sha256):
            raise Unauthorized(INVALID_DEVICE)
        legacy = row.legacy_key_sha256
    return AuthenticatedDevice(
        row.id,
        row.family_id,
        row.kid_profile_id,
        row.kid_name,
        row.kid_age,
        row.launcher_version,
        legacy,
        row.allows_ended,
        row.next_allow_end,
        at,
    )


def authenticate_device(
    db: Session, device_id: str | None, api_key: str | None, *, fetching: bool = False
) -> AuthenticatedDevice:
    """`fetching`: this call hands the device its kid's launcher (its held version is recorded)."""
    params = _device_params(device_id, api_key, fetching)
    row = db.connection().exec_driver_sql(DEVICE_SQL, params).first()
    device = _authenticated(row, api_key, params["digest"], params["at"])
    if device.legacy_key is not None and api_key is not None:
        db.connection().exec_driver_sql(REPLACE_LEGACY_KEY_SQL, device.legacy_replacement(api_key))
    return device


async def authenticate_device_async(
    reads: LauncherReads, device_id: str | None, api_key: str | None, *, fetching: bool = False
) -> AuthenticatedDevice:
    params = _device_params(device_id, api_key, fetching)
    device = _authenticated(await reads.fetch_one(DEVICE_SQL, params), api_key, params["digest"], params["at"])
    if device.legacy_key is not None and api_key is not None:
        await reads.fetch_one(REPLACE_LEGACY_KEY_SQL, device.legacy_replacement(api_key))
    return device


def current_device(
    db: DbSession,
    x_device_id: Annotated[str | None, Header()] = None,
    x_api_key: Annotated[str | None, Header()] = None,
) -> AuthenticatedDevice:
    return authenticate_device(db, x_device_id, x_api_key)


async def launcher_device(
    reads: Annotated[LauncherReads, Depends(get_launcher_reads)],
    x_device_id: Annotated[str | None, Header()] = None,
    x_api_key: Annotated[str | None, Header()] = None,
) -> AuthenticatedDevice:
    return await authenticate_device_async(reads, x_device_id, x_api_key)


CurrentDevice = Annotated[AuthenticatedDevice, Depends(current_device)]
LauncherDevice = Annotated[AuthenticatedDevice, Depends(launcher_device)]
