"""The older launchers' 3-step pairing: the device shows its own code, a parent confirms it.

- A device that lost its credentials may start again with the same `device_id`; its old key
  keeps working until a parent of the same family confirms: the confirmation revokes it, and
  the device's next poll receives the new one.
- A device paired to one family can never be confirmed into another (a confirmation there finds
  nothing, exactly like a wrong code: no oracle).
- Guesses are budgeted like `/api/pair` (security/rate_limits.py, counted before judged): an
  initiation is a guess too (its 409 tells that a code is shown by another device), so it spends
  the per-address and global pairing budgets; a device that completes its pairing gives its
  initiation back. Confirmations spend them as well, plus a per-family budget.
- The family's parents are told when a confirmation pairs a device, and when a device already
  paired shows a new code (re-pairing: once per pairing request), notifications/outbox.py.
"""

from sqlalchemy import Update, delete, exists, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from axolotly.audit import service as audit
from axolotly.devices.codes import (
    CODE_LIFETIME,
    HOUR,
    TOO_MANY_GUESSES,
    notify_paired,
    pairing_limits,
    register_device,
)
from axolotly.errors import Conflict
from axolotly.families.scoping import of_another_family, owned_by
from axolotly.models import Device, KidProfile, PairingRequest
from axolotly.notifications.outbox import notify
from axolotly.security import api_keys, rate_limits
from axolotly.security.rate_limits import Limit

MAX_CONFIRM_ATTEMPTS_PER_FAMILY = 10


def _claim(family_id: int, code: str) -> Update:
    """The live, unclaimed request showing this code, claimed for the family; none for a device
    already paired to another family."""
    paired_elsewhere = exists().where(
        Device.device_id == PairingRequest.device_id, of_another_family(Device, family_id)
    )
    return (
        update(PairingRequest)
        .where(
            PairingRequest.code == code,
            PairingRequest.family_id.is_(None),
            PairingRequest.expires_at > func.now(),
            ~paired_elsewhere,
        )
        .values(family_id=family_id)
        .returning(PairingRequest.id, PairingRequest.device_id)
        .execution_options(synchronize_session=False)
    )


def initiate(db: Session, device_id: str, code: str, client: str) -> None:
    rate_limits.spend_all(pairing_limits(client), TOO_MANY_GUESSES)
    db.execute(delete(PairingRequest).where(PairingRequest.expires_at < func.now()))
    statement = insert(PairingRequest).values(device_id=device_id, code=code, expires_at=func.now() + CODE_LIFETIME)
    upsert = statement.on_conflict_do_update(
        index_elements=[PairingRequest.device_id],
        set_={"code": statement.excluded.code, "expires_at": statement.excluded.expires_at},
        where=PairingRequest.family_id.is_(None),
    ).returning(PairingRequest.id)
    try:
        with db.begin_nested():
            created = db.execute(upsert).scalar_one_or_none()
    except IntegrityError as error:  # the code is already shown by another device
        if "idx_pairing_requests_code" in str(error):
            raise Conflict("This code is in use; show another one") from None
        raise
    if created is None:
        raise Conflict("This device's pairing was already confirmed; poll its status")
    _tell_of_repairing(db, device_id, created)


def _tell_of_repairing(db: Session, device_id: str, pairing_request_id: int) -> None:
    """A device that is paired already shows a new code: its app was reset or reinstalled, or
    someone else has its id. Its family is told once per pairing request (an initiation repeated
    while the code is shown is the same request)."""
    device = db.scalar(select(Device).where(Device.device_id == device_id))
    if device is None:
        return
    kid = db.scalar(select(KidProfile.name).where(KidProfile.id == device.kid_profile_id))
    notify(
        db,
        device.family_id,
        "device_repairing",
        kid_id=device.kid_profile_id,
        facts={"device": device.friendly_name, "device_id": device.id, "kid": kid},
        dedupe_key=f"pairing-request:{pairing_request_id}",
    )


def confirm_limit(family_id: int) -> Limit:
    return Limit(f"pair-confirm:family:{family_id}", MAX_CONFIRM_ATTEMPTS_PER_FAMILY, HOUR)


def confirm(db: Session, family_id: int, code: str, client: str) -> bool:
    """True when a live, unconfirmed request with this code now belongs to the family."""
    limits = (*pairing_limits(client), confirm_limit(family_id))
    rate_limits.spend_all(limits, TOO_MANY_GUESSES)
    confirmed = db.execute(_claim(family_id, code)).first()
    if confirmed is None:
        return False
    # A device of this family starting again: its old key stops now, not at the device's next poll.
    db.execute(
        owned_by(update(Device).where(Device.device_id == confirmed.device_id), Device, family_id).values(
            api_key_digest=api_keys.digest(api_keys.new_api_key())
        )
    )
    for limit in limits:
        rate_limits.refund(limit)
    audit.record(db, family_id, "device_paired", "A device paired by confirming the code it showed")
    device = db.scalar(owned_by(select(Device).where(Device.device_id == confirmed.device_id), Device, family_id))
    notify_paired(db, family_id, device, again=device is not None)
    return True


def poll(db: Session, device_id: str, client: str) -> tuple[bool, str | None]:
    """(is_paired, api_key); the key is made and returned once, on the first poll after confirmation.

    A device waiting for a (re-)pairing is not paired yet from its own point of view.
    """
    request = db.execute(
        select(PairingRequest)
        .where(PairingRequest.device_id == device_id, PairingRequest.expires_at > func.now())
        .with_for_update()
    ).scalar_one_or_none()
    if request is None:
        return db.execute(select(Device.id).where(Device.device_id == device_id)).first() is not None, None
    if request.family_id is None:
        return False, None
    db.execute(delete(PairingRequest).where(PairingRequest.id == request.id))
    for limit in pairing_limits(client):  # a real device, not a prober: its initiation is given back
        rate_limits.refund(limit)
    return True, _issue_key(db, request.family_id, device_id)


def _issue_key(db: Session, family_id: int, device_id: str) -> str:
    """A new key: the existing device of this family keeps its kid and loses its old key."""
    api_key = api_keys.new_api_key()
    rotated = db.execute(
        owned_by(update(Device).where(Device.device_id == device_id), Device, family_id)
        .values(api_key_digest=api_keys.digest(api_key))
        .returning(Device.id)
    ).first()
    if rotated is not None:
        return api_key
    _, api_key = register_device(db, family_id, device_id=device_id)
    return api_key
