from fastapi import APIRouter, Request, status

from axolotly.accounts.deps import DbSession
from axolotly.devices import codes, service
from axolotly.devices.schemas import ConfirmPairing, DeviceOut, DeviceUpdate, PairingCodeOut
from axolotly.errors import NotFound
from axolotly.families.deps import CurrentFamily, OwnedDevice
from axolotly.launcher import legacy_pairing
from axolotly.security.client import client_address
from axolotly.types import RowId

router = APIRouter(prefix="/api/parent", tags=["devices"])


@router.post("/pairing-codes", status_code=status.HTTP_201_CREATED, response_model=PairingCodeOut)
def create_pairing_code(family: CurrentFamily, db: DbSession):
    """A 6-digit code for the launcher, valid 10 minutes, single use; at most 5 live per family."""
    return codes.create_code(db, family.id)


@router.get("/pairing-codes", response_model=list[PairingCodeOut])
def list_pairing_codes(family: CurrentFamily, db: DbSession):
    return codes.live_codes(db, family.id)


@router.delete("/pairing-codes/{code_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_pairing_code(code_id: RowId, family: CurrentFamily, db: DbSession) -> None:
    codes.revoke_code(db, family.id, code_id)


@router.post(
    "/pairing/confirm",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={404: {"description": "No device is showing this code"}},
)
def confirm_device_code(body: ConfirmPairing, request: Request, family: CurrentFamily, db: DbSession) -> None:
    """Older launchers' 3-step pairing: confirm the code a device shows, into this family."""
    if not legacy_pairing.confirm(db, family.id, body.pairing_code, client_address(request)):
        raise NotFound("No device is waiting with this code")


@router.get("/devices", response_model=list[DeviceOut])
def list_devices(family: CurrentFamily, db: DbSession):
    return service.list_devices(db, family.id)


@router.patch("/devices/{device_id}", response_model=DeviceOut)
def update_device(device: OwnedDevice, body: DeviceUpdate, db: DbSession):
    return service.update_device(db, device, body.model_dump(exclude_unset=True))


@router.delete("/devices/{device_id}", status_code=status.HTTP_204_NO_CONTENT)
def unpair_device(device: OwnedDevice, db: DbSession) -> None:
    service.unpair(db, device)
