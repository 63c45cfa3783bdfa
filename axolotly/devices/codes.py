"""Pairing codes: parents create them, devices redeem them once (POST /api/pair).

A redeemed code remembers the device it made without a column of its own: its `expires_at` is set
to that device's `paired_at` (the code did expire at that moment), so the pairing page's poll
(`code_status`) can ask "Who uses this device?" about exactly that device. Every parent of the
family is told of a pairing (notifications/outbox.py).
"""

import secrets
from datetime import timedelta

from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from axolotly.audit import service as audit
from axolotly.config import get_settings
from axolotly.db.results import affected_rows
from axolotly.errors import Conflict, NotFound
from axolotly.families.scoping import of_family, owned_by
from axolotly.i18n import N_
from axolotly.models import Device, KidProfile, PairingCode, User
from axolotly.notifications.outbox import notify
from axolotly.security import api_keys, rate_limits
from axolotly.security.rate_limits import Limit

CODE_LIFETIME = timedelta(minutes=10)
MAX_LIVE_CODES = 5
HOUR = timedelta(hours=1)
# Fixed words, so that a page can find them in the catalog (the API answers them in English).
TOO_MANY_GUESSES = N_("Too many pairing attempts; try again later")
TOO_MANY_CODES = N_("At most 5 live pairing codes; revoke one or wait for expiry")  # says MAX_LIVE_CODES
NO_FREE_CODE = N_("Could not find a free pairing code; try again")
CODE_NOT_FOUND = N_("Pairing code not found")


def live_codes(db: Session, family_id: int) -> list[PairingCode]:
    statement = (
        owned_by(select(PairingCode), PairingCode, family_id)
        .where(PairingCode.used.is_(False), PairingCode.expires_at > func.now())
        .order_by(PairingCode.created_at, PairingCode.id)  # codes made in one instant: in the order made
    )
    return list(db.execute(statement).scalars())


def launcher_address(base_url: str) -> str:
    """The full address a kid's browser opens to pair: PUBLIC_URL's (or the request's) /kids."""
    return f"{(get_settings().public_url or base_url).rstrip('/')}/kids"


def create_code(db: Session, family_id: int) -> PairingCode:
    # Serialise code creation per family so two requests cannot both pass the limit.
    db.execute(select(User.id).where(User.id == family_id).with_for_update())
    if len(live_codes(db, family_id)) >= MAX_LIVE_CODES:
        raise Conflict(TOO_MANY_CODES)
    # Expired codes are dead weight that would block their digits (the cleanup job removes them too).
    db.execute(delete(PairingCode).where(PairingCode.expires_at < func.now()))
    for _ in range(20):
        code = f"{secrets.randbelow(10**6):06d}"
        created = db.execute(
            insert(PairingCode)
            .values(code=code, family_id=family_id, expires_at=func.now() + CODE_LIFETIME)
            .on_conflict_do_nothing(index_elements=[PairingCode.code])
            .returning(PairingCode.id)
        ).scalar_one_or_none()
        if created is not None:
            return db.get_one(PairingCode, created)
    raise Conflict(NO_FREE_CODE)


def revoke_code(db: Session, family_id: int, code_id: int) -> None:
    deleted = affected_rows(
        db.execute(owned_by(delete(PairingCode).where(PairingCode.id == code_id), PairingCode, family_id))
    )
    if not deleted:
        raise NotFound(CODE_NOT_FOUND)


def code_status(db: Session, family_id: int, code_id: int) -> tuple[str, int | None]:
    """("waiting" | "expired" | "paired", the id of the device it paired): one indexed statement,
    cheap enough for a poll every second. Another family's code is not found."""
    # The family's device (an ON condition of the outer join: as a WHERE it would drop waiting codes).
    paired = and_(PairingCode.used, of_family(Device, family_id), Device.paired_at == PairingCode.expires_at)
    statement = (
        owned_by(select(PairingCode.used, PairingCode.expires_at > func.now(), Device.id), PairingCode, family_id)
        .outerjoin(Device, paired)
        .where(PairingCode.id == code_id)
        .order_by(Device.id.desc())
        .limit(1)
    )
    row = db.execute(statement).one_or_none()
    if row is None:
        raise NotFound(CODE_NOT_FOUND)
    used, live, device_id = row
    if used:
        return "paired", device_id  # None if the device was unpaired since
    return ("waiting" if live else "expired"), None


def pairing_limits(client: str) -> tuple[Limit, Limit]:
    settings = get_settings()
    return (
        Limit(f"pair:address:{client}", settings.pair_failures_per_address_per_hour, HOUR),
        Limit("pair:global", settings.pair_failures_global_per_hour, HOUR),
    )


def redeem(db: Session, code: str) -> int | None:
    """Marks a live code used and returns its family; one atomic statement, so of N concurrent
    redemptions exactly one gets the family and the rest None."""
    return db.execute(
        update(PairingCode)
        .where(PairingCode.code == code, PairingCode.used.is_(False), PairingCode.expires_at > func.now())
        .values(used=True)
        .returning(PairingCode.family_id)
    ).scalar_one_or_none()


def register_device(db: Session, family_id: int, device_id: str | None = None) -> tuple[Device, str]:
    """A new device of the family with a fresh key; assigned when the family has exactly one kid."""
    kids = list(db.execute(owned_by(select(KidProfile.id), KidProfile, family_id).limit(2)).scalars())
    api_key = api_keys.new_api_key()
    # clock_timestamp(), not now(): two pairings in one transaction still get distinct moments.
    device = Device(
        device_id=device_id or api_keys.new_device_id(),
        family_id=family_id,
        kid_profile_id=kids[0] if len(kids) == 1 else None,
        api_key_digest=api_keys.digest(api_key),
        paired_at=func.clock_timestamp(),
    )
    db.add(device)
    db.flush()
    return device, api_key


def pair_with_code(db: Session, code: str, client: str) -> tuple[Device, str, User] | None:
    """Throttled redemption (the attempt counted first): None for unknown, used or expired codes."""
    limits = pairing_limits(client)
    rate_limits.spend_all(limits, TOO_MANY_GUESSES)
    family_id = redeem(db, code)
    if family_id is None:
        return None
    for limit in limits:
        rate_limits.refund(limit)
    device, api_key = register_device(db, family_id)
    db.execute(
        owned_by(update(PairingCode).where(PairingCode.code == code), PairingCode, family_id).values(
            expires_at=select(Device.paired_at).where(Device.id == device.id).scalar_subquery()
        )
    )
    audit.record(db, family_id, "device_paired", "A device paired with a pairing code")
    notify_paired(db, family_id, device)
    return device, api_key, db.get_one(User, family_id)


def notify_paired(db: Session, family_id: int, device: Device | None, again: bool = False) -> None:
    """Every parent is told that a device joined the family (a paired device sees the kids' lists);
    `device` None: a 3-step pairing confirmed, whose device row is made at its next poll."""
    kid_id = device.kid_profile_id if device else None
    kid = db.scalar(select(KidProfile.name).where(KidProfile.id == kid_id)) if kid_id else None
    facts = {"device": device.friendly_name if device else None, "device_id": device.id if device else None}
    notify(db, family_id, "device_paired", kid_id=kid_id, facts=facts | {"kid": kid, "again": again})
