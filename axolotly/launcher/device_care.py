"""Device care routes of the launcher contract: heartbeat and device info.

Being seen is the heartbeat's whole job: `CurrentDevice` already refreshes `last_active` (at most
once a minute), which is what the parent's "online" reads (devices/service.py).
"""

from datetime import datetime, timezone
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from axolotly.accounts.deps import DbSession
from axolotly.devices import service as devices
from axolotly.launcher.auth import CurrentDevice
from axolotly.types import SmallCount, Text

router = APIRouter(tags=["launcher"])


class DeviceInfo(BaseModel):
    """What a launcher says about itself. Every field is optional and a left-out (or null) field
    keeps its stored value, so a launcher generation that does not know a field never erases it."""

    model_config = ConfigDict(str_strip_whitespace=True)

    device_model: Annotated[Text, Field(max_length=100)] | None = None
    device_manufacturer: Annotated[Text, Field(max_length=100)] | None = None
    app_version: Annotated[Text, Field(max_length=50)] | None = None
    app_version_code: SmallCount | None = None
    fcm_token: Annotated[Text, Field(max_length=4096)] | None = None


class Heartbeat(BaseModel):
    status: str = "ok"
    server_time: str


class Stored(BaseModel):
    status: str = "ok"


def utc_now_iso() -> str:
    # "Z", not "+00:00": older Java/Android parsers (Instant.parse before JDK 12) accept only "Z".
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


@router.post("/api/device/heartbeat", response_model=Heartbeat)
def heartbeat(device: CurrentDevice):
    return Heartbeat(server_time=utc_now_iso())


@router.post("/api/device/info", response_model=Stored)
def device_info(body: DeviceInfo, device: CurrentDevice, db: DbSession):
    devices.record_info(db, device.id, body.model_dump(exclude_none=True))
    return Stored()
