"""One-click unsubscribe from a mailed notification, with no log-in (notifications/unsubscribe.py).

`GET /unsubscribe?token=…` only shows what would stop, with a button: mail scanners open links on
their own, and opening one must change nothing. `POST /unsubscribe?token=…` (the button, or a mail
client's RFC 8058 `List-Unsubscribe=One-Click`) turns the email off. Neither needs a session or a
CSRF token: the signed token is the authority, and all it can do is turn one email off. So the
POST comes from anywhere (a mail provider's server, a cross-site form) and no origin check applies.
"""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from axolotly.accounts.deps import DbSession
from axolotly.errors import BadRequest
from axolotly.i18n import gettext, set_language
from axolotly.notifications import unsubscribe
from axolotly.notifications.unsubscribe import Unsubscription
from axolotly.web.templating import error_page, render

router = APIRouter(include_in_schema=False)
# Anything may arrive here (a link cut short, mangled by a mail client): the service reads it and
# answers 400 for whatever is not a valid token of ours.
Token = Annotated[str, Query()]


def _page(request: Request, found: Unsubscription, token: str) -> HTMLResponse:
    set_language(found.language)  # the mail's language, when the parent chose one
    response = render(
        request,
        "unsubscribe.html",
        done=found.is_off,
        sentence=gettext(found.words("done" if found.is_off else "ask")) % {"email": found.email},
        button=gettext(found.words("button")),
        token=token,
        settings_path=unsubscribe.SETTINGS_PATH,
    )
    response.headers["Cache-Control"] = "no-store"  # the address is the token: kept out of caches
    return response


def _bad_link(request: Request, error: BadRequest) -> HTMLResponse:
    return error_page(request, error.status_code, error)


@router.get("/unsubscribe")
def unsubscribe_page(request: Request, db: DbSession, token: Token = "") -> HTMLResponse:
    try:
        return _page(request, unsubscribe.look_up(db, token), token)
    except BadRequest as error:
        return _bad_link(request, error)


@router.post("/unsubscribe")
def unsubscribe_now(request: Request, db: DbSession, token: Token = "") -> HTMLResponse:
    """The body (`List-Unsubscribe=One-Click`, or the page's button) is not read: the token decides."""
    try:
        return _page(request, unsubscribe.unsubscribe(db, token), token)
    except BadRequest as error:
        return _bad_link(request, error)
