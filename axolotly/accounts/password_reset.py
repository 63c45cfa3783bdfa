"""Password reset by an emailed link: single-use, valid one hour, nothing stored.

The token is `<user id>.<expiry>.<HMAC>`, the HMAC keyed by the server secret over the user id,
the expiry, the account's email and its current password hash. Setting a password (through this
link or any other way) changes the hash, so the link dies when used or when the password changes;
an email change kills it too (it was sent to the old address). No table: nothing to clean up,
nothing to steal from a database dump.

A request never tells whether the address has an account: the same answer either way, the
throttle counts unknown addresses too, and the mail leaves after the response.
"""

import base64
import hashlib
import hmac
import time
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from axolotly.accounts.links import link_base
from axolotly.accounts.service import account_limit, end_every_session, normalise_email
from axolotly.audit import service as audit
from axolotly.config import get_settings
from axolotly.errors import BadRequest
from axolotly.families.context import act_for_family
from axolotly.i18n import gettext, use_language
from axolotly.mail import Mail
from axolotly.models import User
from axolotly.security import rate_limits
from axolotly.security.passwords import hash_secret
from axolotly.security.rate_limits import Limit

LIFETIME = timedelta(hours=1)
WINDOW = timedelta(hours=1)
REQUESTS_PER_ADDRESS = 10  # per client address and hour
REQUESTS_PER_EMAIL = 3  # per email (known or not) and hour: no mailbox flooding
TOO_MANY = "Too many password reset requests; try again later"
DEAD_LINK = "This reset link has expired or was already used; ask for a new one"
SENT = "If an account uses that address, a link to choose a new password is on its way. It works once, within one hour."


def _mac(user: User, payload: str) -> str:
    key = get_settings().jwt_secret.encode()
    message = f"password-reset:{payload}:{user.email}:{user.password_hash}".encode()
    return base64.urlsafe_b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode().rstrip("=")


def reset_token(user: User, now: float | None = None) -> str:
    """A link token for the user, valid LIFETIME from `now` (tests pass a past time)."""
    expires = int((time.time() if now is None else now) + LIFETIME.total_seconds())
    payload = f"{user.id}.{expires}"
    return f"{payload}.{_mac(user, payload)}"


def reset_link_user(db: Session, token: str, lock: bool = False) -> User | None:
    """The account a live token belongs to, else None (malformed, expired, used, or stale).

    `lock`: the row is locked and re-read, so of two concurrent uses of one link the second
    sees the new password hash, and fails."""
    user_id, _, rest = token.partition(".")
    expires, _, mac = rest.partition(".")
    if not (user_id.isascii() and user_id.isdigit() and expires.isascii() and expires.isdigit()) or len(user_id) > 10:
        return None
    if int(expires) < time.time():
        return None
    user = db.get(User, int(user_id), with_for_update=lock, populate_existing=lock)
    if user is None:
        return None
    # Bytes: compare_digest refuses non-ASCII strings.
    return (
        user if hmac.compare_digest(mac.encode(errors="replace"), _mac(user, f"{user_id}.{expires}").encode()) else None
    )


def request_reset(db: Session, email: str, client: str, request_base_url: str) -> Mail | None:
    """The mail to send if the address has an account, else None; the caller answers the same."""
    email = normalise_email(email)
    rate_limits.spend_all(
        (
            Limit(f"reset:address:{client}", REQUESTS_PER_ADDRESS, WINDOW),
            Limit(f"reset:email:{email}", REQUESTS_PER_EMAIL, WINDOW),
        ),
        TOO_MANY,
    )
    base = link_base(
        request_base_url, "Password reset links"
    )  # before the lookup: an unconfigured production refuses every address alike
    user = db.execute(select(User).where(User.email == email)).scalar_one_or_none()
    if user is None:
        return None
    url = f"{base}/reset-password/{reset_token(user)}"
    with use_language(user.language):  # the account's own language (set on the account page), else English
        body = (
            gettext("Someone (hopefully you) asked to reset the password of the Axolotly account %(email)s.")
            % {"email": user.email}
            + "\n\n"
            + gettext("Choose a new password here (the link works once, within one hour):")
            + f"\n{url}\n\n"
            + gettext("If it was not you, ignore this mail: your password stays as it is.")
            + "\n"
        )
        return Mail(user.email, gettext("Reset your Axolotly password"), body)


def reset_password(db: Session, token: str, new_password: str) -> User:
    """Sets the new password; every session of the account ends (a thief's too), the log-in
    lockout is lifted, and the link dies with the old hash."""
    user = reset_link_user(db, token, lock=True)
    if user is None:
        raise BadRequest(DEAD_LINK)
    user.password_hash = hash_secret(new_password)
    db.flush()
    end_every_session(db, user, password_changed=True)
    rate_limits.clear(account_limit(user.email))
    audit.record(
        db,
        act_for_family(db, user).id,
        "password_changed",
        f"{user.email} set a new password through an emailed reset link",
    )
    return user
