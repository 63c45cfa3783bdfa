"""Security headers on every response: pages, the API, static files, errors, 304s.

A pure ASGI middleware wrapped around the whole app, outside Starlette's error middleware, so a
500 page carries them too; the header list is built once, so the launcher's hot path pays one
list concatenation per response.

The pages' Content-Security-Policy allows scripts and styles from our own origin only: no
inline script, no event handler attribute (templates load static/*.js, which reads data-*
attributes), so user data that reaches an attribute can never run. Posters come from TMDB.
FastAPI's /docs and /redoc are its own HTML (an inline script, Swagger UI or ReDoc from a CDN)
and render no user data: they get a looser policy of their own rather than none.
"""

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from axolotly.config import get_settings

PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https://image.tmdb.org; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    "font-src https://fonts.gstatic.com; img-src 'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly; "
    "worker-src blob:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
DOCS_PATHS = frozenset({"/docs", "/docs/oauth2-redirect", "/redoc"})
HSTS = "max-age=31536000"  # a year; subdomains are the operator's to decide, not ours


def header_list(policy: str, hsts: bool) -> list[tuple[bytes, bytes]]:
    headers = {
        "content-security-policy": policy,
        "x-frame-options": "DENY",  # frame-ancestors for browsers that predate it
        "x-content-type-options": "nosniff",
        "referrer-policy": "same-origin",
    }
    if hsts:
        headers["strict-transport-security"] = HSTS
    return [(name.encode(), value.encode()) for name, value in headers.items()]


class SecurityHeaders:
    def __init__(self, app: ASGIApp, hsts: bool):
        self.app = app
        self.page_headers = header_list(PAGE_POLICY, hsts)
        self.docs_headers = header_list(DOCS_POLICY, hsts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = self.docs_headers if scope["path"] in DOCS_PATHS else self.page_headers

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install(app: FastAPI) -> None:
    """Around the whole middleware stack: `add_middleware` would sit inside Starlette's error
    middleware, whose 500 answers would then go out without the headers."""
    hsts = get_settings().cookie_secure  # Secure cookies mean the site is served over TLS
    build_stack = app.build_middleware_stack
    app.build_middleware_stack = lambda: SecurityHeaders(build_stack(), hsts)  # type: ignore[method-assign]  # wraps the whole stack
