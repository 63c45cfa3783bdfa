"""Which language a page speaks, decided before any route runs (axolotly/i18n.py holds it).

A pure ASGI middleware: the parent's choice as the `axolotly_lang` cookie remembered it, else the
browser's Accept-Language, else English. The page dependency then reads the signed-in parent's own
setting (accounts/deps.py) and `render` refreshes the cookie when it differs, so the pages that
read no account (log-in, error pages) speak it too. The kid launcher (/kids) ignores the cookie
(a parent's browser language is not the family's): its pages set the family's language.

The JSON API (/api/...) is skipped outright: it answers in English, and the launcher's hot path
pays nothing for pages' words.
"""

from fastapi import FastAPI, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from axolotly.i18n import negotiate, parents_choice, start_request
from axolotly.web.session import set_cookie

LANGUAGE_COOKIE = "axolotly_lang"
REMEMBERED_FOR = 365 * 24 * 3600  # a year: it only says which words a browser reads
UNTRANSLATED_PREFIXES = ("/api/", "/static/", "/posters/")


def _header_languages(scope: Scope) -> tuple[str | None, str | None]:
    """(the language cookie's value, the Accept-Language header) of a request."""
    remembered = accept = None
    for name, value in scope["headers"]:
        if name == b"cookie" and remembered is None:
            for pair in value.decode("latin-1").split(";"):
                key, _, cookie = pair.strip().partition("=")
                if key == LANGUAGE_COOKIE:
                    remembered = cookie.strip('"')
        elif name == b"accept-language":
            accept = value.decode("latin-1")
    return remembered, accept


class RequestLanguage:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope["path"].startswith(UNTRANSLATED_PREFIXES):
            remembered, accept = _header_languages(scope)
            kid_page = scope["path"] == "/kids" or scope["path"].startswith("/kids/")
            # Set, never reset: Starlette's 500 page is rendered after this returns, in this task.
            start_request(None if kid_page else remembered, negotiate(accept))
        await self.app(scope, receive, send)


def remember_parents_choice(request_cookie: str | None, response: Response) -> None:
    """After a page that read the signed-in parent's setting: the cookie says the same."""
    read, choice = parents_choice()
    if not read or request_cookie == choice:
        return
    if choice:
        set_cookie(response, LANGUAGE_COOKIE, choice, REMEMBERED_FOR)
    else:
        response.delete_cookie(LANGUAGE_COOKIE, path="/")


def install(app: FastAPI) -> None:
    app.add_middleware(RequestLanguage)
