"""Sign-up, log-in with durable throttling, account deletion."""

from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from axolotly.audit import service as audit
from axolotly.config import get_settings
from axolotly.errors import Conflict, Unauthorized
from axolotly.families.context import act_for_family, family_of
from axolotly.models import User
from axolotly.security import rate_limits
from axolotly.security.passwords import hash_secret, verify_secret
from axolotly.security.rate_limits import Limit

LOGIN_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20
SIGN_UP_WINDOW = timedelta(hours=1)
TOO_MANY_LOGINS = "Too many failed log-ins; try again later"
TOO_MANY_SIGN_UPS = "Too many new accounts from this address; try again later"


def normalise_email(email: str) -> str:
    return email.strip().lower()


def sign_up_limit(client: str) -> Limit:
    # Each account buys its own pairing-confirmation budget: sign-ups must not be free.
    return Limit(f"signup:address:{client}", get_settings().sign_ups_per_address_per_hour, SIGN_UP_WINDOW)


def sign_up(db: Session, email: str, password: str, family_name: str | None, client: str) -> User:
    email = normalise_email(email)
    rate_limits.spend(db, sign_up_limit(client), TOO_MANY_SIGN_UPS)
    if db.execute(select(User.id).where(User.email == email)).first():
        raise Conflict("An account with this email already exists")
    user = User(email=email, password_hash=hash_secret(password), role="parent",
                family_name=family_name or f"{email.split('@')[0]}'s family")
    db.add(user)
    try:
        with db.begin_nested():
            db.flush()
    except IntegrityError:  # a concurrent sign-up with the same email won the race
        raise Conflict("An account with this email already exists") from None
    return user


def create_admin(db: Session, email: str, password: str) -> User:
    email = normalise_email(email)
    user = db.execute(select(User).where(User.email == email)).scalar_one_or_none()
    if user is None:
        user = User(email=email, password_hash=hash_secret(password), role="admin")
        db.add(user)
    else:
        user.role, user.password_hash = "admin", hash_secret(password)
    db.flush()
    return user


def login_limits(email: str, client: str) -> tuple[Limit, Limit]:
    return (
        Limit(f"login:account:{email}", MAX_FAILURES_PER_ACCOUNT, LOGIN_WINDOW),
        Limit(f"login:address:{client}", MAX_FAILURES_PER_ADDRESS, LOGIN_WINDOW),
    )


def authenticate(db: Session, email: str, password: str, client: str) -> User | None:
    """The user for good credentials; None (failure recorded) otherwise. 429 when throttled."""
    email = normalise_email(email)
    limits = login_limits(email, client)
    rate_limits.spend_all(db, limits, TOO_MANY_LOGINS)
    user = db.execute(select(User).where(User.email == email)).scalar_one_or_none()
    # verify_secret hashes against a dummy when the user is unknown: same time either way.
    if not verify_secret(password, user.password_hash if user else None) or user is None:
        if user is not None:
            audit.record(db, family_of(db, user).id, "login_failed", f"Wrong password from {client}")
        return None
    account_limit, address_limit = limits
    rate_limits.clear(db, account_limit)
    rate_limits.refund(db, address_limit)
    audit.record(db, act_for_family(db, user).id, "login", f"Logged in from {client}")
    return user


def delete_account(db: Session, user: User, password: str) -> None:
    if not verify_secret(password, user.password_hash):
        raise Unauthorized("Password does not match")
    # One statement; PostgreSQL's ON DELETE CASCADE removes everything the family owns.
    db.execute(delete(User).where(User.id == user.id))
