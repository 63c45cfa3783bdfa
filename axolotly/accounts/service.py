"""Sign-up, log-in with durable throttling, tokens' owner and validity, password and email change,
sign-out everywhere, account deletion (password reset: password_reset.py)."""

import logging
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from axolotly.accounts.notices import email_changed_notice, password_changed_notice
from axolotly.audit import service as audit
from axolotly.config import get_settings
from axolotly.enums import UserRole
from axolotly.errors import Conflict, Invalid, Unauthorized
from axolotly.families.context import act_for_family, family_of
from axolotly.families.members import accept_invitation
from axolotly.families.settings import default_name, family_zone, valid_country, valid_time_zone
from axolotly.i18n import LANGUAGES, N_
from axolotly.mail import Mail
from axolotly.models import User
from axolotly.notifications.outbox import notify
from axolotly.ratings.service import current_scales
from axolotly.security import rate_limits, tokens
from axolotly.security.passwords import hash_secret, verify_secret
from axolotly.security.rate_limits import Limit

LOGIN_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20
SIGN_UP_WINDOW = timedelta(hours=1)
TOO_MANY_LOGINS = "Too many failed log-ins; try again later"
TOO_MANY_SIGN_UPS = "Too many new accounts from this address; try again later"
TOO_MANY_WRONG_PASSWORDS = "Too many wrong passwords; try again later"
INVALID_LOGIN = "Invalid email or password"
EMAIL_TAKEN = "An account with this email already exists"

logger = logging.getLogger("axolotly.accounts")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def sign_up_limit(client: str) -> Limit:
    # Each account buys its own pairing-confirmation budget: sign-ups must not be free.
    return Limit(f"signup:address:{client}", get_settings().sign_ups_per_address_per_hour, SIGN_UP_WINDOW)


def sign_up(
    db: Session,
    email: str,
    password: str,
    family_name: str | None,
    client: str,
    invitation_token: str | None = None,
    display_name: str | None = None,
    time_zone: str = "UTC",
    country: str = "US",
) -> User:
    """A new parent account; with an invitation, a co-parent of the inviting family (a refused
    invitation refuses the sign-up: the request's rollback takes the account with it). The time
    zone and the country are checked here (the sign-up page sends the browser's zone and a
    country guessed from its languages)."""
    time_zone = valid_time_zone(time_zone)
    country = valid_country(country, current_scales(db))
    email = normalise_email(email)
    rate_limits.spend(sign_up_limit(client), TOO_MANY_SIGN_UPS)
    if db.execute(select(User.id).where(User.email == email)).first():
        raise Conflict(EMAIL_TAKEN)
    user = User(
        email=email,
        password_hash=hash_secret(password),
        role=UserRole.PARENT,
        family_name=family_name or default_name(email),
        display_name=display_name or None,
        time_zone=time_zone,
        country=country,
    )
    db.add(user)
    try:
        with db.begin_nested():
            db.flush()
    except IntegrityError:  # a concurrent sign-up with the same email won the race
        raise Conflict(EMAIL_TAKEN) from None
    if invitation_token is not None:
        accept_invitation(db, user, invitation_token)
    return user


def create_admin(db: Session, email: str, password: str) -> User:
    email = normalise_email(email)
    user = db.execute(select(User).where(User.email == email)).scalar_one_or_none()
    if user is None:
        user = User(email=email, password_hash=hash_secret(password), role=UserRole.ADMIN)
        db.add(user)
    else:
        user.role, user.password_hash = UserRole.ADMIN, hash_secret(password)
    db.flush()
    return user


def account_limit(email: str) -> Limit:
    """Password guesses at one account, through the log-in or the password change alike."""
    return Limit(f"login:account:{email}", MAX_FAILURES_PER_ACCOUNT, LOGIN_WINDOW)


def login_limits(email: str, client: str) -> tuple[Limit, Limit]:
    return account_limit(email), Limit(f"login:address:{client}", MAX_FAILURES_PER_ADDRESS, LOGIN_WINDOW)


def authenticate(db: Session, email: str, password: str, client: str) -> User:
    """The user for good credentials. Unauthorized otherwise (the failure and its audit event are
    kept), TooManyRequests when throttled."""
    email = normalise_email(email)
    limits = login_limits(email, client)
    rate_limits.spend_all(limits, TOO_MANY_LOGINS)
    user = db.execute(select(User).where(User.email == email)).scalar_one_or_none()
    # verify_secret hashes against a dummy when the user is unknown: same time either way.
    if not verify_secret(password, user.password_hash if user else None) or user is None:
        if user is not None:
            audit.record(db, family_of(db, user).id, "login_failed", f"Wrong password from {client}")
        rate_limits.refuse(db, Unauthorized(INVALID_LOGIN))
    account, address = limits
    rate_limits.clear(account)
    rate_limits.refund(address)
    audit.record(db, act_for_family(db, user).id, "login", f"Logged in from {client}")
    return user


def issue_access_token(user: User) -> tuple[str, int]:
    """An API access token in the user's current token epoch, and its lifetime in seconds."""
    return tokens.access_token(user.id, user.role, user.token_epoch)


def token_user(db: Session, claims: tuple[int, int] | None) -> User | None:
    """The user a token's (user id, token epoch) names, if that epoch is still theirs."""
    if claims is None:
        return None
    user_id, epoch = claims
    user = db.get(User, user_id)
    return user if user is not None and user.token_epoch == epoch else None


def end_every_session(db: Session, user: User, password_changed: bool = False) -> None:
    """Every token and page session issued so far stops working; new ones carry the new epoch.
    `password_changed`: the log-in page tells the ended sessions why (web_sessions.why_signed_out)."""
    # An ORM UPDATE: one atomic increment, and `user` in this session sees the new epoch.
    values = {"token_epoch": User.token_epoch + 1}
    if password_changed:
        values["password_changed_epoch"] = User.token_epoch + 1
    db.execute(update(User).where(User.id == user.id).values(**values))


def sign_out_everywhere(db: Session, user: User) -> None:
    end_every_session(db, user)
    audit.record(
        db, act_for_family(db, user).id, "signed_out_everywhere", f"{user.name_or_email} signed out everywhere"
    )


def check_password(db: Session, user: User, password: str, wrong: str = "Current password does not match") -> None:
    """Confirms a signed-in user's password before a change that needs it, throttled like
    log-ins (a stolen session must not guess it)."""
    limit = account_limit(user.email)
    rate_limits.spend(limit, TOO_MANY_WRONG_PASSWORDS)
    if not verify_secret(password, user.password_hash):
        raise Unauthorized(wrong)  # the attempt is counted already
    rate_limits.clear(limit)


def change_password(db: Session, user: User, current_password: str, new_password: str) -> Mail:
    """Needs the current password; ends every session of the user, so the caller issues a fresh
    one for the client that asked. Returns the notice for the account's address (the caller
    sends it after the commit)."""
    check_password(db, user, current_password)
    user.password_hash = hash_secret(new_password)
    db.flush()
    end_every_session(db, user, password_changed=True)
    audit.record(db, act_for_family(db, user).id, "password_changed", f"{user.name_or_email} changed their password")
    return password_changed_notice(user.email, datetime.now(family_zone(db, family_of(db, user).id)), user.language)


def change_display_name(db: Session, user: User, display_name: str | None) -> None:
    """How the pages name this parent; empty: by their email again."""
    display_name = (display_name or "").strip() or None
    if display_name == user.display_name:
        return
    before = user.name_or_email
    user.display_name = display_name
    db.flush()
    audit.record(db, act_for_family(db, user).id, "name_changed", f"{before} is now named {user.name_or_email}")


def change_language(db: Session, user: User, language: str | None) -> None:
    """The language of this parent's pages and emails; None: the browser's (Accept-Language)."""
    if language is not None and language not in LANGUAGES:
        raise Invalid(
            N_("Unknown language %(language)s: one of %(known)s, or null for the browser's"),
            language=repr(language[:10]),
            known=", ".join(LANGUAGES),
        )
    user.language = language
    db.flush()


def change_email(db: Session, user: User, password: str, new_email: str) -> Mail | None:
    """Needs the password; returns the notice for the old address (the caller sends it after
    the commit), None when the address is the same. Sessions stay: the same person, only the
    address changes."""
    new_email = normalise_email(new_email)
    check_password(db, user, password, wrong="Password does not match")
    old_email = user.email
    if new_email == old_email:
        return None
    if db.execute(select(User.id).where(User.email == new_email)).first():
        raise Conflict(EMAIL_TAKEN)
    user.email = new_email
    try:
        with db.begin_nested():
            db.flush()
    except IntegrityError:  # a concurrent sign-up or change took the address
        raise Conflict(EMAIL_TAKEN) from None
    audit.record(db, act_for_family(db, user).id, "email_changed", f"{old_email} changed their email to {new_email}")
    return email_changed_notice(old_email, new_email, user.language)


def delete_account(db: Session, user: User, password: str) -> None:
    check_password(db, user, password, wrong="Password does not match")
    family = act_for_family(db, user)
    if not family.is_owner:  # a co-parent leaves; the family stays (its trail says so, its parents are told)
        audit.record(
            db, family.id, "account_deleted", f"{user.name_or_email} deleted their account and left the family"
        )
        notify(
            db,
            family.id,
            "co_parent_left",
            facts={"name": user.display_name, "email": user.email},
            skip_user_id=user.id,
        )
    else:  # the family's trail goes with it: the server log keeps the fact (no address: it is gone)
        logger.warning("Account %s deleted by its owner, with its family", user.id)
    # One statement; PostgreSQL's ON DELETE CASCADE removes everything the family owns.
    db.execute(delete(User).where(User.id == user.id))
