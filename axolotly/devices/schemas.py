from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from axolotly.types import RowId, Text


class PairingCodeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    created_at: datetime
    expires_at: datetime


class DeviceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    friendly_name: str | None
    kid_id: int | None = Field(validation_alias="kid_profile_id")
    paired_at: datetime
    last_active: datetime | None
    online: bool
    device_model: str | None
    device_manufacturer: str | None
    app_version: str | None
    app_version_code: int | None
    update_due: bool
    any_kid: bool  # any kid of the family may use this device (each with their PIN)
    watching_kid_id: int | None  # who is watching on it now (shown within the last few minutes)
    watching_kid_name: str | None
    # Proof of delivery (issue 26): the device holds its kid's launcher as it is now (every change
    # included), and since when it has held the version it holds (null: never fetched one).
    up_to_date: bool
    held_since: datetime | None


class DeviceUpdate(BaseModel):
    """Only the fields sent change; `"kid_id": null` unassigns the device; `any_kid`: may any kid
    of the family sign in on it (false: only its kid)."""

    model_config = ConfigDict(str_strip_whitespace=True)

    friendly_name: Text | None = Field(None, min_length=1, max_length=100)
    kid_id: RowId | None = None
    any_kid: StrictBool | None = None


class ConfirmPairing(BaseModel):
    pairing_code: str = Field(pattern=r"^[0-9]{6}$")
