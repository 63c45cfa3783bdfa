"""Every signed token Axolotly hands out, and the one place that reads them back.

Each token names its type (`typ`) and is read only as that type, so one kind never passes for
another (a page session cookie is not a Bearer token, nor an access token a page session):
- `access`: the API's Bearer token for parents and admins (`sub` = user id, `role`), short-lived;
- `web`: a parent's or admin's page session (the `axolotly_web` cookie);
- `kid`: a kid signed in with their PIN on a paired kid web launcher (`device`, `kid`, `pin`);
- `unsubscribe`: the one-click unsubscribe link of a mailed notification (`sub` = user id, `ev` =
  the event whose emails stop), long-lived (a mail is read weeks later) and bound to no epoch: it
  can do nothing but turn that one email off (notifications/unsubscribe.py).

A kid token also carries a mark of the PIN it was earned with (`pin`: a keyed digest of the
stored PIN hash, which tells nothing about the PIN): a new PIN (a new hash, even for the same
digits) ends every kid session at once, with no extra query, since the page loads the kid anyway.

Parent and admin tokens also carry the user's token epoch (`ep`, users.token_epoch) from when they
were issued; a password change or "sign out everywhere" bumps the epoch, so every older token stops
working at once. A counter, not a timestamp: no clock, and no "same second" ambiguity.
A page session also carries a random session id (`sid`): logging out records it as ended
(accounts/web_sessions.py), so that one session stops at once while the others go on.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

import jwt

from axolotly.config import get_settings

ALGORITHM = "HS256"
KID_SESSION = timedelta(hours=4)
UNSUBSCRIBE_LINK = timedelta(days=180)
UNSUBSCRIBE_TOKEN_MAX = 1000  # a longer "token" is no token of ours: refused before decoding


class TokenType(StrEnum):
    ACCESS = "access"
    WEB = "web"
    KID = "kid"
    UNSUBSCRIBE = "unsubscribe"


def _sign(typ: TokenType, claims: dict[str, Any], lifetime: timedelta) -> str:
    now = datetime.now(UTC)
    return jwt.encode(
        {**claims, "typ": typ.value, "iat": now, "exp": now + lifetime}, get_settings().jwt_secret, algorithm=ALGORITHM
    )


def read(token: str | None, typ: TokenType) -> dict[str, Any] | None:
    """The claims of a valid, unexpired token of this type signed by us, else None."""
    if not token:
        return None
    try:
        claims = jwt.decode(
            token, get_settings().jwt_secret, algorithms=[ALGORITHM], options={"require": ["exp", "iat", "typ"]}
        )
    except jwt.PyJWTError:
        return None
    return claims if claims["typ"] == typ.value else None


def access_token(user_id: int, role: str, epoch: int) -> tuple[str, int]:
    """An API Bearer token and its lifetime in seconds."""
    lifetime = timedelta(minutes=get_settings().jwt_ttl_minutes)
    claims = {"sub": str(user_id), "role": role, "ep": epoch}
    return _sign(TokenType.ACCESS, claims, lifetime), int(lifetime.total_seconds())


def web_session_token(user_id: int, epoch: int) -> tuple[str, int]:
    """A page session token (with a new session id) and its lifetime in seconds."""
    lifetime = timedelta(hours=get_settings().web_session_hours)
    claims = {"sub": str(user_id), "ep": epoch, "sid": secrets.token_urlsafe(16)}
    return _sign(TokenType.WEB, claims, lifetime), int(lifetime.total_seconds())


@dataclass(frozen=True)
class WebSession:
    user_id: int
    epoch: int
    sid: str
    expires_at: datetime


def web_session(token: str | None) -> WebSession | None:
    """The page session a valid `web` token names. A token without a session id (issued before
    log-out could end one) is refused: it could never be logged out."""
    claims = read(token, TokenType.WEB)
    if claims is None or not isinstance(claims.get("sid"), str) or not 0 < len(claims["sid"]) <= 64:
        return None
    try:
        return WebSession(
            int(claims["sub"]), int(claims["ep"]), claims["sid"], datetime.fromtimestamp(claims["exp"], UTC)
        )
    except (KeyError, TypeError, ValueError, OverflowError):
        return None


def user_claims(token: str | None, typ: TokenType) -> tuple[int, int] | None:
    """(user id, token epoch) of a valid access or page session token of this type, else None."""
    claims = read(token, typ)
    if claims is None:
        return None
    try:
        return int(claims["sub"]), int(claims["ep"])
    except (KeyError, TypeError, ValueError):
        return None


def _pin_mark(pin_hash: str) -> str:
    key = get_settings().jwt_secret.encode()
    return hmac.new(key, b"kid-pin:" + pin_hash.encode(), hashlib.sha256).hexdigest()[:32]


def kid_token(device_id: str, kid_id: int, pin_hash: str) -> tuple[str, int]:
    """A kid's session on one paired kid web launcher, under the kid's current PIN (`pin_hash`,
    kid_profiles.pin_hash), and its lifetime in seconds."""
    claims = {"device": device_id, "kid": kid_id, "pin": _pin_mark(pin_hash)}
    return _sign(TokenType.KID, claims, KID_SESSION), int(KID_SESSION.total_seconds())


def kid_claims(token: str | None, pin_hash: str) -> dict[str, Any] | None:
    """The claims of a valid kid token earned with the PIN whose hash is `pin_hash`, else None."""
    claims = read(token, TokenType.KID)
    mark = claims.get("pin") if claims else None
    if not isinstance(mark, str) or not hmac.compare_digest(mark.encode(), _pin_mark(pin_hash).encode()):
        return None
    return claims


def unsubscribe_token(user_id: int, event: str) -> str:
    """The signed part of a mail's unsubscribe link: this user's emails of this event stop."""
    return _sign(TokenType.UNSUBSCRIBE, {"sub": str(user_id), "ev": event}, UNSUBSCRIBE_LINK)


def unsubscribe_claims(token: str | None) -> tuple[int, str] | None:
    """(user id, event) of a valid, unexpired unsubscribe token, else None. Only ASCII is read: a
    JWT is ASCII, and PyJWT would raise on a lone surrogate instead of refusing it."""
    if not token or len(token) > UNSUBSCRIBE_TOKEN_MAX or not token.isascii():
        return None
    claims = read(token, TokenType.UNSUBSCRIBE)
    if claims is None or not isinstance(claims.get("ev"), str):
        return None
    try:
        return int(claims["sub"]), claims["ev"]
    except (KeyError, TypeError, ValueError):
        return None
