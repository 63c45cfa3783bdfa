"""The older launchers' 3-step pairing: the device shows its own code, a parent confirms it.

Takeover protections: a device already paired cannot start again; a parent confirms only into
their own family, and wrong confirmation codes are throttled per parent like pairing guesses.
"""

from sqlalchemy import delete, func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from axolotly.audit import service as audit
from axolotly.devices.codes import CODE_LIFETIME, HOUR, register_device
from axolotly.errors import Conflict
from axolotly.models import Device, PairingRequest
from axolotly.security import rate_limits
from axolotly.security.rate_limits import Limit

MAX_CONFIRM_FAILURES_PER_PARENT = 10

def initiate(db: Session, device_id: str, code: str) -> None:
    if db.execute(select(Device.id).where(Device.device_id == device_id)).first():
        raise Conflict("This device is already paired")
    db.execute(delete(PairingRequest).where(PairingRequest.expires_at < func.now()))
    statement = insert(PairingRequest).values(device_id=device_id, code=code, expires_at=func.now() + CODE_LIFETIME)
    statement = statement.on_conflict_do_update(
        index_elements=[PairingRequest.device_id],
        set_={"code": statement.excluded.code, "expires_at": statement.excluded.expires_at, "family_id": None},
        where=PairingRequest.family_id.is_(None),
    ).returning(PairingRequest.id)
    try:
        with db.begin_nested():
            created = db.execute(statement).scalar_one_or_none()
    except IntegrityError as error:  # the code is already shown by another device
        if "idx_pairing_requests_code" in str(error):
            raise Conflict("This code is in use; show another one") from None
        raise
    if created is None:
        raise Conflict("This device's pairing was already confirmed; poll its status")

def confirm_limit(family_id: int) -> Limit:
    return Limit(f"pair-confirm:family:{family_id}", MAX_CONFIRM_FAILURES_PER_PARENT, HOUR)

def confirm(db: Session, family_id: int, code: str) -> bool:
    """True when a live, unconfirmed request with this code now belongs to the family."""
    limit = confirm_limit(family_id)
    rate_limits.enforce(db, limit, "Too many wrong codes; try again later")
    confirmed = db.execute(text("""
        UPDATE pairing_requests SET family_id = :family_id
        WHERE code = :code AND family_id IS NULL AND expires_at > now()
          AND NOT EXISTS (SELECT 1 FROM devices d WHERE d.device_id = pairing_requests.device_id)
        RETURNING id
    """), {"family_id": family_id, "code": code}).first()
    if confirmed is None:
        rate_limits.record_failure(db, limit)
        return False
    audit.record(db, family_id, "device_paired", "A device paired by confirming the code it showed")
    return True

def poll(db: Session, device_id: str) -> tuple[bool, str | None]:
    """(is_paired, api_key); the key is made and returned once, on the first poll after confirmation."""
    request = db.execute(
        select(PairingRequest).where(PairingRequest.device_id == device_id, PairingRequest.family_id.is_not(None))
        .with_for_update()
    ).scalar_one_or_none()
    if request is not None:
        db.execute(delete(PairingRequest).where(PairingRequest.id == request.id))
        _, api_key = register_device(db, request.family_id, device_id=device_id)
        return True, api_key
    paired = db.execute(select(Device.id).where(Device.device_id == device_id)).first() is not None
    return paired, None

