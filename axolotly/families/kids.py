"""Kid profiles: CRUD, PINs and the durable PIN lockout."""

from datetime import timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from axolotly.audit import service as audit
from axolotly.families.scoping import get_owned, owned_by
from axolotly.models import KidProfile
from axolotly.security.passwords import hash_pin, verify_secret

MAX_PIN_FAILURES = 5
PIN_LOCKOUT = timedelta(minutes=15)


def list_kids(db: Session, family_id: int) -> list[KidProfile]:
    statement = owned_by(select(KidProfile), KidProfile, family_id).order_by(KidProfile.id)
    return list(db.execute(statement).scalars())


def get_kid(db: Session, family_id: int, kid_id: int, *, lock: bool = False) -> KidProfile:
    return get_owned(db, KidProfile, kid_id, family_id, "Kid profile", lock=lock)


def create_kid(db: Session, family_id: int, name: str, age: int | None, pin: str) -> KidProfile:
    kid = KidProfile(family_id=family_id, name=name, age=age, pin_hash=hash_pin(pin))
    db.add(kid)
    db.flush()
    db.refresh(kid)
    audit.record(db, family_id, "kid_added", f"Added {name}")
    return kid


def update_kid(db: Session, family_id: int, kid_id: int, changes: dict) -> KidProfile:
    kid = get_kid(db, family_id, kid_id)
    if changes.get("name") is not None:
        kid.name = changes["name"]
    if "age" in changes:
        kid.age = changes["age"]
    db.flush()
    return kid


def delete_kid(db: Session, family_id: int, kid_id: int) -> None:
    kid = get_kid(db, family_id, kid_id)
    audit.record(db, family_id, "kid_deleted", f"Deleted {kid.name} and their policies")
    # Policies cascade; devices stay paired to the family, unassigned (ON DELETE SET NULL).
    db.execute(delete(KidProfile).where(KidProfile.id == kid.id))


def change_pin(db: Session, family_id: int, kid_id: int, pin: str) -> None:
    kid = get_kid(db, family_id, kid_id)
    kid.pin_hash = hash_pin(pin)
    kid.pin_failed_attempts = 0
    kid.pin_locked_until = None
    db.flush()
    audit.record(db, family_id, "pin_changed", f"Changed {kid.name}'s PIN")


def seconds_locked(db: Session, kid: KidProfile) -> int:
    """Seconds until a locked profile accepts PINs again (0 when not locked)."""
    remaining = db.execute(
        select(func.greatest(0, func.ceil(func.extract("epoch", KidProfile.pin_locked_until - func.now()))))
        .where(KidProfile.id == kid.id)
    ).scalar_one()
    return int(remaining or 0)


def check_pin(db: Session, family_id: int, kid_id: int, pin: str) -> tuple[bool, int]:
    """(verified, seconds locked). Wrong PINs count durably; the fifth locks for 15 minutes.

    The row is locked for the check so concurrent guesses cannot slip past the counter.
    """
    kid = get_kid(db, family_id, kid_id, lock=True)
    locked_for = seconds_locked(db, kid)
    if locked_for:
        return False, locked_for
    if verify_secret(pin, kid.pin_hash):
        db.execute(update(KidProfile).where(KidProfile.id == kid.id)
                   .values(pin_failed_attempts=0, pin_locked_until=None))
        return True, 0
    failures = kid.pin_failed_attempts + 1
    values: dict = {"pin_failed_attempts": failures}
    if failures >= MAX_PIN_FAILURES:
        values = {"pin_failed_attempts": 0, "pin_locked_until": func.now() + PIN_LOCKOUT}
        audit.record(db, family_id, "pin_locked",
                     f"{kid.name}'s profile locked for 15 minutes after {MAX_PIN_FAILURES} wrong PINs")
    db.execute(update(KidProfile).where(KidProfile.id == kid.id).values(**values))
    db.expire(kid)
    return False, seconds_locked(db, kid) if failures >= MAX_PIN_FAILURES else 0
