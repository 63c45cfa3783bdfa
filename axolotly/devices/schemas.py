from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

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


class DeviceUpdate(BaseModel):
    """Only the fields sent change; `"kid_id": null` unassigns the device."""

    model_config = ConfigDict(str_strip_whitespace=True)

    friendly_name: Text | None = Field(None, min_length=1, max_length=100)
    kid_id: RowId | None = None


class ConfirmPairing(BaseModel):
    pairing_code: str = Field(pattern=r"^[0-9]{6}$")
