"""Cookie sessions and CSRF for the pages (the tokens themselves: security/tokens.py; the session
cookie as the request dependencies read it, below the pages: security/cookies.py).

- Parents and admins: `axolotly_web`, a page session token (typ=web) in an HttpOnly, SameSite=Lax
  cookie (`Secure` with COOKIE_SECURE). Log-out ends that session on the server too
  (accounts/web_sessions.py); a password change or "sign out everywhere" ends every older one
  (users.token_epoch).
- Kid web launcher: `axolotly_device` holds a paired browser's device id and key (exactly what
  an Android launcher holds), `axolotly_kid` a kid token for the kid who entered their PIN.
- CSRF (double submit): `axolotly_csrf` is a random HttpOnly cookie; every form carries
  HMAC(secret, that cookie), which a cross-site page can neither read nor compute. A POST that
  says it comes from another site (Origin, Referer, Sec-Fetch-Site) is refused before that, with
  a plain 403: only a same-site form that went stale is offered again, ready to send.
"""

import hashlib
import hmac
import secrets
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Form, HTTPException, Request, Response

from axolotly.config import get_settings
from axolotly.errors import DomainError
from axolotly.i18n import N_, gettext
from axolotly.security import tokens
from axolotly.security.cookies import SESSION, page_session

CSRF, DEVICE, KID = "axolotly_csrf", "axolotly_device", "axolotly_kid"

# Only pages check these forms, so their refusals are told in the reader's language.
FORM_EXPIRED = N_("The form expired: check what you typed and send it again")
FROM_ANOTHER_SITE = N_(
    "This form was sent from another site, so nothing was done. "
    "If you meant to do this, open Axolotly yourself and do it there."
)
STALE_FORM_UNPROVEN = N_("This form has expired, so nothing was done. Open the page again and send it from there.")


class CsrfFailed(DomainError):
    """`fields`: what the refused form sent (its text fields), so the page can offer it again."""

    status_code = 403

    def __init__(self, fields: list[tuple[str, str]] | None = None):
        super().__init__(gettext(FORM_EXPIRED))
        self.fields = fields or []


class CrossSitePost(HTTPException):
    """A form sent from another site: a plain 403 page, nothing of it shown again. An HTTP error,
    not a DomainError, on purpose: page_error would offer a refused form back with a fresh token,
    turning a cross-site auto-submit into one click on our own page."""

    def __init__(self, detail: str | None = None):
        super().__init__(403, detail or gettext(FROM_ANOTHER_SITE))


class UnprovenStaleForm(CrossSitePost):
    """A stale token from a sender that says nothing of where the form was: refused the same plain
    way, since only a form proven to come from our own page may be offered back."""

    def __init__(self) -> None:
        super().__init__(gettext(STALE_FORM_UNPROVEN))


def set_cookie(response: Response, name: str, value: str, max_age: int | None = None) -> None:
    response.set_cookie(
        name, value, max_age=max_age, httponly=True, samesite="lax", secure=get_settings().cookie_secure, path="/"
    )


# -- parents and admins -------------------------------------------------------------------------


def start_session(response: Response, user_id: int, token_epoch: int) -> None:
    """A page session for the user in their current token epoch (also after a password change)."""
    token, lifetime = tokens.web_session_token(user_id, token_epoch)
    set_cookie(response, SESSION, token, lifetime)


def end_session(response: Response) -> None:
    """Forgets the cookie on this browser (log-out also ends the session itself: `page_session`)."""
    response.delete_cookie(SESSION, path="/")


# -- kid web launcher ---------------------------------------------------------------------------


def start_kid_session(response: Response, device_id: str, kid_id: int, pin_hash: str) -> None:
    token, lifetime = tokens.kid_token(device_id, kid_id, pin_hash)
    set_cookie(response, KID, token, lifetime)


def kid_claims(request: Request, pin_hash: str) -> dict | None:
    """The kid cookie's claims while the kid's PIN is still the one it was earned with
    (`pin_hash`: the kid's current kid_profiles.pin_hash); a new PIN ends it."""
    return tokens.kid_claims(request.cookies.get(KID), pin_hash)


def signed_in(request: Request) -> bool:
    """A valid page-session token (signature and expiry only, no database): enough to show the
    menu on an error page, never to grant anything."""
    return page_session(request) is not None


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


def from_another_site(request: Request) -> bool:
    """The browser says this request comes from a page of another site (or an opaque origin,
    `Origin: null`, such as a sandboxed frame). A request that says nothing (an old browser, a
    script) is judged by its CSRF token alone."""
    if request.headers.get("sec-fetch-site") == "cross-site":
        return True
    ours = _our_hosts(request)
    for header in ("origin", "referer"):
        sender = request.headers.get(header)
        if sender and _host(sender) not in ours:
            return True
    return False


def from_our_own_page(request: Request) -> bool:
    """The browser says the form was sent from one of our pages: only then may a stale form come
    back with its values (one click to send again). Saying nothing is no proof."""
    if request.headers.get("sec-fetch-site") == "same-origin":
        return True
    ours = _our_hosts(request)
    return any(
        _host(sender) in ours for sender in (request.headers.get("origin"), request.headers.get("referer")) if sender
    )


def _our_hosts(request: Request) -> set[str | None]:
    """Our address as the request names it, and as PUBLIC_URL does (behind a proxy that rewrites Host)."""
    return {request.url.netloc, _host(get_settings().public_url or "")} - {"", None}


def _host(url: str) -> str | None:
    """host[:port] of a URL; None when it cannot be read ("http://[::1": urlsplit raises)."""
    try:
        return urlsplit(url).netloc
    except ValueError:
        return None


async def check_csrf(request: Request, csrf_token_field: Annotated[str, Form(alias="csrf_token")] = "") -> None:
    if from_another_site(request):
        raise CrossSitePost()
    cookie = request.cookies.get(CSRF)
    # Bytes, not str: compare_digest refuses non-ASCII strings (a TypeError, i.e. a 500).
    if not cookie or not hmac.compare_digest(csrf_token_field.encode(errors="replace"), csrf_token(request).encode()):
        if not from_our_own_page(request):
            raise UnprovenStaleForm()
        form = await request.form()  # already parsed for the route: this reads no more of the body
        raise CsrfFailed(
            [(name, value) for name, value in form.multi_items() if isinstance(value, str) and name != "csrf_token"]
        )


CsrfChecked = Depends(check_csrf)
