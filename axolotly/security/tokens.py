"""Every signed token Axolotly hands out, and the one place that reads them back.

Each token names its type (`typ`) and is read only as that type, so one kind never passes for
another (a page session cookie is not a Bearer token, nor an access token a page session):
- `access`: the API's Bearer token for parents and admins (`sub` = user id, `role`), short-lived;
- `web`: a parent's or admin's page session (the `axolotly_web` cookie);
- `kid`: a kid signed in with their PIN on a paired kid web launcher (`device`, `kid`).

Parent and admin tokens also carry the user's token epoch (`ep`, users.token_epoch) from when they
were issued; a password change or "sign out everywhere" bumps the epoch, so every older token stops
working at once. A counter, not a timestamp: no clock, and no "same second" ambiguity.
"""

from datetime import datetime, timedelta, timezone
from enum import StrEnum

import jwt

from axolotly.config import get_settings

ALGORITHM = "HS256"
KID_SESSION = timedelta(hours=4)


class TokenType(StrEnum):
    ACCESS = "access"
    WEB = "web"
    KID = "kid"


def _sign(typ: TokenType, claims: dict, lifetime: timedelta) -> str:
    now = datetime.now(timezone.utc)
    return jwt.encode({**claims, "typ": typ.value, "iat": now, "exp": now + lifetime},
                      get_settings().jwt_secret, algorithm=ALGORITHM)


def read(token: str | None, typ: TokenType) -> dict | None:
    """The claims of a valid, unexpired token of this type signed by us, else None."""
    if not token:
        return None
    try:
        claims = jwt.decode(token, get_settings().jwt_secret, algorithms=[ALGORITHM],
                            options={"require": ["exp", "iat", "typ"]})
    except jwt.PyJWTError:
        return None
    return claims if claims["typ"] == typ.value else None


def access_token(user_id: int, role: str, epoch: int) -> tuple[str, int]:
    """An API Bearer token and its lifetime in seconds."""
    lifetime = timedelta(minutes=get_settings().jwt_ttl_minutes)
    claims = {"sub": str(user_id), "role": role, "ep": epoch}
    return _sign(TokenType.ACCESS, claims, lifetime), int(lifetime.total_seconds())


def web_session_token(user_id: int, epoch: int) -> tuple[str, int]:
    """A page session token and its lifetime in seconds."""
    lifetime = timedelta(hours=get_settings().web_session_hours)
    return _sign(TokenType.WEB, {"sub": str(user_id), "ep": epoch}, lifetime), int(lifetime.total_seconds())


def user_claims(token: str | None, typ: TokenType) -> tuple[int, int] | None:
    """(user id, token epoch) of a valid access or page session token of this type, else None."""
    claims = read(token, typ)
    if claims is None:
        return None
    try:
        return int(claims["sub"]), int(claims["ep"])
    except (KeyError, TypeError, ValueError):
        return None


def kid_token(device_id: str, kid_id: int) -> tuple[str, int]:
    """A kid's session on one paired kid web launcher and its lifetime in seconds."""
    return _sign(TokenType.KID, {"device": device_id, "kid": kid_id}, KID_SESSION), int(KID_SESSION.total_seconds())
