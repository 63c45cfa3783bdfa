"""Cookie sessions and CSRF for the pages.

- Parents and admins: `axolotly_web`, a signed token (typ=web) in an HttpOnly, SameSite=Lax
  cookie (`Secure` with COOKIE_SECURE). Log-out deletes it.
- Kid web launcher: `axolotly_device` holds a paired browser's device id and key (exactly what
  an Android launcher holds), `axolotly_kid` a signed token for the kid who entered their PIN.
- CSRF (double submit): `axolotly_csrf` is a random HttpOnly cookie; every form carries
  HMAC(secret, that cookie), which a cross-site page can neither read nor compute.
"""

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta, timezone
from typing import Annotated

import jwt
from fastapi import Depends, Form, Request, Response

from axolotly.accounts.deps import DbSession, require_admin
from axolotly.config import get_settings
from axolotly.errors import DomainError
from axolotly.models import User

SESSION, CSRF, DEVICE, KID = "axolotly_web", "axolotly_csrf", "axolotly_device", "axolotly_kid"
ALGORITHM = "HS256"


class LoginRequired(Exception):
    """Raised by page dependencies; main.py turns it into a redirect to the log-in page."""

    def __init__(self, target: str = "/login"):
        self.target = target


class CsrfFailed(DomainError):
    status_code = 403

    def __init__(self):
        super().__init__("The form expired or came from another site; reload the page and try again")


def set_cookie(response: Response, name: str, value: str, max_age: int | None = None) -> None:
    response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="lax",
                        secure=get_settings().cookie_secure, path="/")


def _sign(claims: dict, lifetime: timedelta) -> str:
    now = datetime.now(timezone.utc)
    return jwt.encode({**claims, "iat": now, "exp": now + lifetime}, get_settings().jwt_secret, algorithm=ALGORITHM)


def _read(token: str | None, typ: str) -> dict | None:
    if not token:
        return None
    try:
        claims = jwt.decode(token, get_settings().jwt_secret, algorithms=[ALGORITHM], options={"require": ["exp"]})
    except jwt.PyJWTError:
        return None
    return claims if claims.get("typ") == typ else None


# -- parents and admins -------------------------------------------------------------------------

def start_session(response: Response, user: User) -> None:
    hours = get_settings().web_session_hours
    set_cookie(response, SESSION, _sign({"typ": "web", "sub": str(user.id)}, timedelta(hours=hours)), hours * 3600)


def end_session(response: Response) -> None:
    response.delete_cookie(SESSION, path="/")


def optional_user(request: Request, db: DbSession) -> User | None:
    claims = _read(request.cookies.get(SESSION), "web")
    return db.get(User, int(claims["sub"])) if claims else None


def web_user(request: Request, user: Annotated[User | None, Depends(optional_user)]) -> User:
    if user is None:
        raise LoginRequired(f"/login?next={request.url.path}")
    return user


def web_admin(user: Annotated[User, Depends(web_user)]) -> User:
    return require_admin(user)


WebUser = Annotated[User, Depends(web_user)]
WebAdmin = Annotated[User, Depends(web_admin)]


# -- kid web launcher ---------------------------------------------------------------------------

def kid_token(device_id: str, kid_id: int) -> str:
    return _sign({"typ": "kid", "device": device_id, "kid": kid_id}, timedelta(hours=4))


def kid_claims(request: Request) -> dict | None:
    return _read(request.cookies.get(KID), "kid")


# -- CSRF ---------------------------------------------------------------------------------------

def csrf_secret(request: Request) -> str:
    """This browser's CSRF cookie value, made on first sight (stored by `remember_csrf`)."""
    value = request.cookies.get(CSRF) or getattr(request.state, "new_csrf", None)
    if value is None:
        value = request.state.new_csrf = secrets.token_urlsafe(32)
    return value


def csrf_token(request: Request) -> str:
    key = get_settings().jwt_secret.encode()
    return hmac.new(key, b"csrf:" + csrf_secret(request).encode(), hashlib.sha256).hexdigest()


def remember_csrf(request: Request, response: Response) -> None:
    if getattr(request.state, "new_csrf", None):
        set_cookie(response, CSRF, request.state.new_csrf)


def check_csrf(request: Request, csrf_token_field: Annotated[str, Form(alias="csrf_token")] = "") -> None:
    cookie = request.cookies.get(CSRF)
    # Bytes, not str: compare_digest refuses non-ASCII strings (a TypeError, i.e. a 500).
    if not cookie or not hmac.compare_digest(csrf_token_field.encode(errors="replace"), csrf_token(request).encode()):
        raise CsrfFailed()


CsrfChecked = Depends(check_csrf)
