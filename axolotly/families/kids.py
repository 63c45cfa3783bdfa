"""Kid profiles: CRUD, PINs and the durable PIN lockout (a throttle: security/rate_limits.py)."""

from datetime import timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from axolotly.audit import service as audit
from axolotly.errors import TooManyRequests, Unauthorized
from axolotly.families.presets import apply_preset
from axolotly.families.scoping import get_owned, owned_by
from axolotly.models import KidProfile
from axolotly.security import rate_limits
from axolotly.security.passwords import hash_pin, verify_secret
from axolotly.security.rate_limits import Limit

MAX_PIN_FAILURES = 5
PIN_LOCKOUT = timedelta(minutes=15)
WRONG_PIN = "Wrong PIN"
TOO_MANY_WRONG_PINS = "Too many wrong PINs; this profile is locked for a while"


def list_kids(db: Session, family_id: int) -> list[KidProfile]:
    statement = owned_by(select(KidProfile), KidProfile, family_id).order_by(KidProfile.id)
    return list(db.execute(statement).scalars())


def get_kid(db: Session, family_id: int, kid_id: int) -> KidProfile:
    """The family's kid, or 404 (the owned-resource dependencies call this: families/deps.py)."""
    return get_owned(db, KidProfile, kid_id, family_id, "Kid profile")


def create_kid(db: Session, family_id: int, name: str, age: int | None, pin: str) -> KidProfile:
    """With an age, the kid starts in rules mode with that age's preset; without, on the allow list."""
    kid = KidProfile(family_id=family_id, name=name, age=age, pin_hash=hash_pin(pin))
    apply_preset(kid)
    db.add(kid)
    db.flush()
    db.refresh(kid)
    audit.record(db, family_id, "kid_added", f"Added {name}")
    return kid


def update_kid(db: Session, kid: KidProfile, changes: dict) -> KidProfile:
    if changes.get("name") is not None:
        kid.name = changes["name"]
    if "age" in changes:
        kid.age = changes["age"]
    db.flush()
    return kid


def delete_kid(db: Session, kid: KidProfile) -> None:
    audit.record(db, kid.family_id, "kid_deleted", f"Deleted {kid.name} and their policies")
    # Policies cascade; devices stay paired to the family, unassigned (ON DELETE SET NULL).
    db.execute(delete(KidProfile).where(KidProfile.id == kid.id))


def pin_limit(kid_id: int) -> Limit:
    return Limit(f"pin:kid:{kid_id}", MAX_PIN_FAILURES, PIN_LOCKOUT)


def change_pin(db: Session, kid: KidProfile, pin: str) -> None:
    """A new PIN (parents only); it also lifts a lockout."""
    kid.pin_hash = hash_pin(pin)
    kid.pin_locked_until = None
    db.flush()
    audit.record(db, kid.family_id, "pin_changed", f"Changed {kid.name}'s PIN")
    rate_limits.clear(db, pin_limit(kid.id))


def check_pin(db: Session, kid: KidProfile, pin: str) -> None:
    """Returns for the right PIN; raises Unauthorized for a wrong one, TooManyRequests when locked.

    Every guess is counted (security/rate_limits.py) before the PIN is compared, so a burst of
    concurrent guesses gets at most MAX_PIN_FAILURES compared; the last of them, when wrong, locks
    the profile for PIN_LOCKOUT (its audit event is kept: `refuse`). A right PIN resets the count.
    `pin_locked_until` shows parents the lock (KidOut.locked_until); `pin_failed_attempts` is no
    longer used (the count lives in rate_limits, which commits on its own).
    """
    limit = pin_limit(kid.id)
    attempt = rate_limits.spend(db, limit, TOO_MANY_WRONG_PINS)
    if verify_secret(pin, kid.pin_hash):
        rate_limits.clear(db, limit)
        if kid.pin_locked_until is not None:
            kid.pin_locked_until = None
            db.flush()
        return
    if attempt < MAX_PIN_FAILURES:
        raise Unauthorized(WRONG_PIN)  # counted already: nothing of the request needs to stand
    locked_for = rate_limits.lock_out(db, limit)
    db.execute(update(KidProfile).where(KidProfile.id == kid.id).values(pin_locked_until=func.now() + PIN_LOCKOUT))
    audit.record(db, kid.family_id, "pin_locked",
                 f"{kid.name}'s profile locked for 15 minutes after {MAX_PIN_FAILURES} wrong PINs")
    rate_limits.refuse(db, TooManyRequests(TOO_MANY_WRONG_PINS, retry_after_seconds=locked_for))
