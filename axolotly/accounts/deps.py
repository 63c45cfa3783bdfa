"""Who is calling: the parent or admin behind a Bearer token (an access token: a page session or
kid token is refused, as is a token older than the user's last password change or sign-out
everywhere), or behind a page session cookie (a `web` token whose session was not logged out:
accounts/web_sessions.py) for the pages."""

from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from axolotly.accounts.service import token_user
from axolotly.accounts.web_sessions import session_user, why_signed_out
from axolotly.db.engine import get_session
from axolotly.enums import UserRole
from axolotly.errors import Forbidden, Unauthorized
from axolotly.i18n import N_, speak_parents_choice
from axolotly.models import User
from axolotly.security.cookies import LoginRequired, page_session
from axolotly.security.tokens import TokenType, user_claims

bearer = HTTPBearer(auto_error=False)
# scope="function": the session's exit (the commit) runs when the route returns, before any byte
# of the response is sent; the default ("request") would commit after the client has its answer.
DbSession = Annotated[Session, Depends(get_session, scope="function")]


def current_user(db: DbSession, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> User:
    if credentials is None:
        raise Unauthorized("Not authenticated", headers={"WWW-Authenticate": "Bearer"})
    user = token_user(db, user_claims(credentials.credentials, TokenType.ACCESS))
    if user is None:
        raise Unauthorized("Invalid or expired token", headers={"WWW-Authenticate": "Bearer"})
    return user


def require_admin(user: User) -> User:
    """The one admin check, for the API (Bearer) and the pages (cookie)."""
    if user.role != UserRole.ADMIN:
        raise Forbidden(N_("Admins only"))
    return user


def current_admin(user: Annotated[User, Depends(current_user)]) -> User:
    return require_admin(user)


CurrentUser = Annotated[User, Depends(current_user)]
CurrentAdmin = Annotated[User, Depends(current_admin)]


# -- the pages: the same users behind a page session cookie (security/cookies.py) ----------------


def optional_page_user(request: Request, db: DbSession) -> User | None:
    session = page_session(request)
    user = session_user(db, session)
    if user is None and session is not None:  # for the log-in page: why this session ended
        request.state.signed_out_reason = why_signed_out(db, session)
    if user is not None:  # the page, its flash messages and the route's words: in the parent's language
        speak_parents_choice(user.language)
    return user


def page_user(request: Request, user: Annotated[User | None, Depends(optional_page_user)]) -> User:
    if user is None:
        target = f"/login?next={quote(request.url.path, safe='/')}"
        if reason := getattr(request.state, "signed_out_reason", None):
            target += f"&reason={reason}"
        raise LoginRequired(target)
    return user


def page_admin(user: Annotated[User, Depends(page_user)]) -> User:
    return require_admin(user)


OptionalWebUser = Annotated[User | None, Depends(optional_page_user)]
WebUser = Annotated[User, Depends(page_user)]
WebAdmin = Annotated[User, Depends(page_admin)]
