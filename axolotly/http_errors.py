"""Every error becomes a response in one place: a clear `detail`, the right status, never a 500 for
bad input.

- Domain errors (axolotly/errors.py) carry their own status.
- Request validation: launcher routes answer 400 with a string `detail` (the Android client shows
  it); the parent and admin API answer 422 with pydantic's list, minus the echoed input (which may
  hold a lone surrogate that cannot even be encoded in the response).
- Database errors that reach here are mapped by SQLSTATE class: bad data 400, a conflicting write
  (also a failed commit) 409, an unreachable database 503 with Retry-After. A 2xx is never sent
  for a failed commit: the session commits before the response (db/engine.py).
- The same for psycopg's own errors (the launcher's async pool, launcher/reads.py): a lost or
  refused connection (AdminShutdown, OperationalError) and either pool's timeout are a 503 too.
- A browser page gets its error as a page: the pages hand in how (`install(app, page_error=...)`),
  so this module, below the pages and the routers, imports neither.
"""

import logging
from collections.abc import Callable
from typing import TypeVar

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from psycopg_pool import PoolTimeout as AsyncPoolTimeout
from sqlalchemy.exc import DataError, DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout  # the pool had no connection in time

from axolotly.errors import BadRequest, Conflict, DomainError, Invalid, ServiceUnavailable
from axolotly.i18n import N_

PageError = Callable[[Request, DomainError], Response]

logger = logging.getLogger(__name__)

PAIR_PATH = "/api/pair"
LAUNCHER_PREFIXES = (
    "/api/pair",
    "/api/device/",
    "/api/launcher/",
    "/api/apps",
    "/api/time-limits",
    "/api/stats",
    "/api/usage-logs",
    "/api/ota/",
    "/api/requests",
)


def is_launcher_route(path: str) -> bool:
    return path.startswith(LAUNCHER_PREFIXES)


def is_page(request: Request) -> bool:
    """Everything that is not the JSON API (or ops endpoints) is a page, unless the caller asks for
    JSON only (the pairing page's poll: `Accept: application/json`)."""
    path = request.url.path
    if path.startswith("/api/") or path in ("/healthz", "/metrics", "/openapi.json"):
        return False
    accept = request.headers.get("accept", "")
    return not ("application/json" in accept and "text/html" not in accept)


def _error_text(error: dict) -> str:
    location = ".".join(str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path", "header"))
    message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
    return f"{location}: {message}" if location else message


def validation_failed(request: Request, error: RequestValidationError, page_error: PageError) -> Response:
    errors = error.errors()
    if request.url.path == PAIR_PATH:  # the launcher contract fixes this text
        return JSONResponse({"detail": "Invalid pairing code format"}, status_code=400)
    text = "; ".join(_error_text(e) for e in errors[:3]) or "Invalid request"
    if is_launcher_route(request.url.path):
        return JSONResponse({"detail": text}, status_code=400)
    if is_page(request):
        return page_error(request, Invalid(text))
    listed = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")} for e in errors]
    return JSONResponse({"detail": listed}, status_code=422)


def domain_error(request: Request, error: DomainError, page_error: PageError) -> Response:
    if is_page(request):
        return page_error(request, error)
    status = error.status_code
    if status == Invalid.status_code and is_launcher_route(request.url.path):
        status = BadRequest.status_code  # the launcher contract has one status for bad input
    return JSONResponse({"detail": error.detail}, status_code=status, headers=error.headers)


def as_domain_error(error: DBAPIError | psycopg.Error) -> DomainError | None:
    """The domain meaning of a database error (SQLAlchemy's or psycopg's), or None for a real bug (a 500)."""
    driver_error = error.orig if isinstance(error, DBAPIError) else error
    state = getattr(driver_error, "sqlstate", None) or ""
    # A data exception (out of range, bad encoding), or psycopg refusing a NUL byte before sending.
    if state.startswith("22") or isinstance(error, (DataError, psycopg.DataError)):
        return BadRequest(N_("A value is out of range or not valid text"))
    if state.startswith("23") or state in ("40001", "40P01"):
        return Conflict(N_("This change conflicts with another one; reload and try again"))
    unavailable = (
        state.startswith(("08", "57P"))
        or isinstance(driver_error, psycopg.OperationalError)
        or isinstance(error, OperationalError)
    )
    if unavailable or (isinstance(error, DBAPIError) and error.connection_invalidated):
        # The client only hears "try again"; the operator needs to know why.
        logger.warning("database unavailable (503): %s: %s", type(driver_error).__name__, driver_error)
        return DATABASE_UNAVAILABLE
    return None


DATABASE_UNAVAILABLE = ServiceUnavailable(N_("The database is unavailable; try again shortly"), retry_after_seconds=5)


Caught = TypeVar("Caught", bound=Exception)


def _handle(app: FastAPI, kind: type[Caught], handler: Callable[[Request, Caught], Response]) -> None:
    """Register a handler typed by what it catches (Starlette types every handler by Exception)."""
    app.add_exception_handler(kind, handler)  # type: ignore[arg-type]  # only `kind` ever reaches it


def install(app: FastAPI, page_error: PageError) -> None:
    """`page_error`: how a browser page shows a refused request (web/templating.py)."""

    def invalid_request(request: Request, error: RequestValidationError) -> Response:
        return validation_failed(request, error, page_error)

    def refused(request: Request, error: DomainError) -> Response:
        return domain_error(request, error, page_error)

    _handle(app, RequestValidationError, invalid_request)
    _handle(app, DomainError, refused)

    def database_error(request: Request, error: DBAPIError | psycopg.Error) -> Response:
        mapped = as_domain_error(error)
        if mapped is None:
            raise error
        return refused(request, mapped)

    def unencodable_text(request: Request, error: UnicodeError) -> Response:
        return refused(request, BadRequest("Text must be valid Unicode (no lone surrogates)"))

    def pool_exhausted(request: Request, error: PoolTimeout | AsyncPoolTimeout) -> Response:
        logger.warning("database unavailable (503): no pooled connection in time: %s", error)
        return refused(request, DATABASE_UNAVAILABLE)

    _handle(app, DBAPIError, database_error)
    _handle(app, psycopg.Error, database_error)
    _handle(app, PoolTimeout, pool_exhausted)
    _handle(app, AsyncPoolTimeout, pool_exhausted)
    _handle(app, UnicodeError, unencodable_text)
