"""Kid profiles: CRUD, PINs and the durable PIN lockout per kid AND device.

Five wrong PINs for a kid on one device lock that kid on that device for 15 minutes; the same kid
on another device is untouched (a sibling guessing on the tablet cannot lock Emma out of the TV).
The guesses are counted by a throttle (security/rate_limits.py, keyed by kid and device); the lock
itself is a `pin_lockouts` row, which parents see on the kids page and can lift. The parent API's
own check (POST /api/parent/kids/{id}/verify-pin) is a place of its own (device None).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, delete, func, insert, select
from sqlalchemy.orm import Session

from axolotly.audit import service as audit
from axolotly.errors import TooManyRequests, Unauthorized
from axolotly.families.library import keep_in_library
from axolotly.families.presets import apply_preset
from axolotly.families.scoping import get_owned, owned_by
from axolotly.families.settings import lock_family
from axolotly.i18n import N_, gettext
from axolotly.models import Device, KidProfile, KidProfileTitle, PinLockout
from axolotly.notifications.outbox import notify
from axolotly.ratings.service import current_scales
from axolotly.security import rate_limits
from axolotly.security.passwords import hash_pin, verify_secret
from axolotly.security.rate_limits import Limit

MAX_PIN_FAILURES = 5
PIN_LOCKOUT = timedelta(minutes=15)
# The API answers these in English; pages translate them (marked for the catalog).
WRONG_PIN = N_("Wrong PIN")
TOO_MANY_WRONG_PINS = N_("Too many wrong PINs; the kid is locked here (this device, or this parent check) for a while")
PARENT_API = N_("the parent app")  # where a lock with no device was made: POST .../verify-pin
UNNAMED_DEVICE = N_("a device")


def list_kids(db: Session, family_id: int) -> list[KidProfile]:
    statement = owned_by(select(KidProfile), KidProfile, family_id).order_by(KidProfile.id)
    return list(db.execute(statement).scalars())


def get_kid(db: Session, family_id: int, kid_id: int) -> KidProfile:
    """The family's kid, or 404 (the owned-resource dependencies call this: families/deps.py)."""
    return get_owned(db, KidProfile, kid_id, family_id, "Kid profile")


def create_kid(db: Session, family_id: int, name: str, age: int | None, pin: str) -> KidProfile:
    """With an age, the kid starts in rules mode with that age's preset; without, on the allow list."""
    kid = KidProfile(family_id=family_id, name=name, age=age, pin_hash=hash_pin(pin))
    # Caps on the family country's scales, read under the family lock: a country switch in flight waits.
    apply_preset(kid, lock_family(db, family_id).country, current_scales(db))
    db.add(kid)
    db.flush()
    db.refresh(kid)
    audit.record(db, family_id, "kid_added", f"Added {name}")
    return kid


def update_kid(db: Session, kid: KidProfile, changes: dict[str, Any]) -> KidProfile:
    if changes.get("name") is not None:
        kid.name = changes["name"]
    if "age" in changes:
        kid.age = changes["age"]
    db.flush()
    return kid


def delete_kid(db: Session, kid: KidProfile) -> None:
    audit.record(db, kid.family_id, "kid_deleted", f"Deleted {kid.name} and their policies")
    # Policies cascade, their titles stay in the library; devices stay paired to the family,
    # unassigned (ON DELETE SET NULL). The lock first: a policy being set for the kid commits
    # before the titles are read (a new one waits, then fails its foreign key).
    db.execute(select(KidProfile.id).where(KidProfile.id == kid.id).with_for_update())
    keep_in_library(db, kid.family_id, select(KidProfileTitle).where(KidProfileTitle.kid_profile_id == kid.id))
    db.execute(delete(KidProfile).where(KidProfile.id == kid.id))


class WrongPin(Unauthorized):
    """A wrong PIN, counted; `tries_left` before this kid is locked on this device."""

    def __init__(self, tries_left: int):
        super().__init__(WRONG_PIN)
        self.tries_left = tries_left


@dataclass(frozen=True)
class PinLock:
    """A current lock, as parents see it."""

    kid_id: int
    device_id: int | None  # devices.id; None: the parent API's check
    place: str  # the device's name, or PARENT_API (English: the API's `place`)
    locked_until: datetime
    device_name: str | None = None

    @property
    def shown_place(self) -> str:
        """Where, as a page says it in the reader's language (a device's own name stays as it is)."""
        if self.device_id is None:
            return gettext(PARENT_API)
        return self.device_name or gettext(UNNAMED_DEVICE)


def pin_limit(kid_id: int, device_id: int | None) -> Limit:
    place = "parent" if device_id is None else f"device:{device_id}"
    return Limit(f"pin:kid:{kid_id}:{place}", MAX_PIN_FAILURES, PIN_LOCKOUT)


def _same_place(device_id: int | None) -> ColumnElement[bool]:
    return PinLockout.device_id.is_(None) if device_id is None else PinLockout.device_id == device_id


def _place_name(db: Session, device_id: int | None) -> str:
    if device_id is None:
        return PARENT_API
    return db.scalar(select(Device.friendly_name).where(Device.id == device_id)) or UNNAMED_DEVICE


def check_pin(db: Session, kid: KidProfile, pin: str, device_id: int | None) -> None:
    """Returns for the right PIN; raises WrongPin (401) for a wrong one, TooManyRequests (429) when
    the kid is locked on this device (`device_id`, devices.id; None for the parent API).

    Every guess is counted (security/rate_limits.py) before the PIN is compared, so a burst of
    concurrent guesses gets at most MAX_PIN_FAILURES compared; the last of them, when wrong, locks
    the kid on this device for PIN_LOCKOUT (the lock row and its audit event are kept: `refuse`).
    A right PIN resets this device's count.
    """
    limit = pin_limit(kid.id, device_id)
    attempt = rate_limits.spend(limit, TOO_MANY_WRONG_PINS)
    if verify_secret(pin, kid.pin_hash):
        rate_limits.clear(limit)
        # Only a lock that has run out can be here; it means nothing any more.
        db.execute(delete(PinLockout).where(PinLockout.kid_profile_id == kid.id, _same_place(device_id)))
        return
    if attempt < MAX_PIN_FAILURES:
        raise WrongPin(MAX_PIN_FAILURES - attempt)  # counted already: nothing of the request needs to stand
    locked_for = rate_limits.lock_out(limit)
    db.execute(delete(PinLockout).where(PinLockout.kid_profile_id == kid.id, _same_place(device_id)))
    db.execute(
        insert(PinLockout).values(
            family_id=kid.family_id, kid_profile_id=kid.id, device_id=device_id, locked_until=func.now() + PIN_LOCKOUT
        )
    )
    place = _place_name(db, device_id)
    audit.record(
        db,
        kid.family_id,
        "pin_locked",
        f"{kid.name}'s profile locked on {place} for 15 minutes after {MAX_PIN_FAILURES} wrong PINs",
    )
    # Every parent is told: kept with the lock by `refuse`, like the audit event.
    facts = {
        "kid": kid.name,
        "device": None if place in (PARENT_API, UNNAMED_DEVICE) else place,
        "parent_api": device_id is None,
        "failures": MAX_PIN_FAILURES,
        "minutes": int(PIN_LOCKOUT.total_seconds() // 60),
    }
    notify(db, kid.family_id, "pin_locked", kid_id=kid.id, facts=facts)
    rate_limits.refuse(db, TooManyRequests(TOO_MANY_WRONG_PINS, retry_after_seconds=locked_for))


def locked_for_seconds(db: Session, kid: KidProfile, device_id: int | None) -> int | None:
    """Seconds left of this kid's lock on this device, or None when not locked (the PIN page asks
    before offering the number pad)."""
    left = db.scalar(
        select(func.ceil(func.extract("epoch", PinLockout.locked_until - func.now()))).where(
            PinLockout.kid_profile_id == kid.id, _same_place(device_id), PinLockout.locked_until > func.now()
        )
    )
    return int(left) if left is not None else None


def current_locks(db: Session, family_id: int) -> dict[int, list[PinLock]]:
    """The family's kids locked now, by kid id, each lock with where it was made."""
    statement = (
        owned_by(
            select(PinLockout.kid_profile_id, PinLockout.device_id, Device.friendly_name, PinLockout.locked_until),
            PinLockout,
            family_id,
        )
        .outerjoin(Device, Device.id == PinLockout.device_id)
        .where(PinLockout.locked_until > func.now())
        .order_by(PinLockout.kid_profile_id, PinLockout.locked_until, PinLockout.id)
    )
    locks: dict[int, list[PinLock]] = {}
    for kid_id, device_id, name, until in db.execute(statement):
        place = PARENT_API if device_id is None else (name or UNNAMED_DEVICE)
        locks.setdefault(kid_id, []).append(PinLock(kid_id, device_id, place, until, name))
    return locks


def _lift_locks(db: Session, kid: KidProfile) -> list[PinLock]:
    """Ends every lock and every count of wrong PINs of the kid, on every device; returns the locks
    that were running."""
    lifted = current_locks(db, kid.family_id).get(kid.id, [])
    db.execute(delete(PinLockout).where(PinLockout.kid_profile_id == kid.id))
    # Counts live under keys naming the place: every device of the family, and the parent API.
    devices = db.scalars(owned_by(select(Device.id), Device, kid.family_id)).all()
    for device_id in (None, *devices):
        rate_limits.clear(pin_limit(kid.id, device_id))
    return lifted


def unlock(db: Session, kid: KidProfile) -> list[PinLock]:
    """A parent lifts the kid's locks (and wrong-PIN counts) everywhere; audited when one was running."""
    lifted = _lift_locks(db, kid)
    if lifted:
        places = ", ".join(lock.place for lock in lifted)
        audit.record(db, kid.family_id, "pin_unlocked", f"Unlocked {kid.name}'s profile on {places}")
    return lifted


def change_pin(db: Session, kid: KidProfile, pin: str) -> None:
    """A new PIN (parents only); it also lifts every lockout of the kid. Every kid session on the
    web launchers ends with the old hash: a kid token is only good under the PIN hash it was
    earned with (security/tokens.py), and a new hash has a new salt even for the same digits."""
    kid.pin_hash = hash_pin(pin)
    db.flush()
    audit.record(db, kid.family_id, "pin_changed", f"Changed {kid.name}'s PIN")
    _lift_locks(db, kid)
