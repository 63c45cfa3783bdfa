"""Mounts the pages on the app: routers, static files, log-in redirects, page errors.

Errors: a browser route answers 404/405/422/500 with a page (menu, a way back), the JSON API and
ops endpoints keep JSON (`http_errors.is_page`). Domain and validation errors reach pages through
http_errors.py -> templating.page_error (main.py hands it in); here are the two that do not: Starlette's HTTP errors
(unknown path, wrong method) and the unexpected exception (a 500).
"""

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from axolotly.http_errors import is_page
from axolotly.i18n import N_
from axolotly.security.cookies import LoginRequired
from axolotly.web import (
    admin_pages,
    auth_pages,
    catalog_pages,
    delivery_pages,
    family_pages,
    kid_pages,
    library_pages,
    members_pages,
    notification_pages,
    ota_pages,
    pack_pages,
    posters,
    requests_pages,
    screen_time_pages,
    unsubscribe_pages,
)
from axolotly.web.templating import error_page

# Marked for the catalog; error_page translates them into the request's language (templating.translated).
HTTP_ERROR_TEXT = {
    404: N_("There is no page at this address. It may have moved, or the link was mistyped."),
    405: N_("This page cannot be used that way. Go back and use its buttons."),
}
FAVICON = (Path(__file__).parent / "static" / "favicon.svg").read_bytes()
SERVER_ERROR_TEXT = N_("Something went wrong on our side and nothing was changed. Try again, or go back.")


def install(app: FastAPI) -> None:
    for router in (
        auth_pages.router,
        family_pages.router,
        delivery_pages.router,
        members_pages.router,
        notification_pages.router,
        catalog_pages.router,
        library_pages.router,
        kid_pages.router,
        admin_pages.router,
        ota_pages.router,
        pack_pages.router,
        posters.router,
        requests_pages.router,
        screen_time_pages.router,
        unsubscribe_pages.router,
    ):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")

    # Browsers ask for /favicon.ico on their own; base.html names it too (an SVG: one small file,
    # sharp at every size). Cached for a day.
    @app.get("/favicon.ico", include_in_schema=False)
    def _favicon() -> Response:
        return Response(FAVICON, media_type="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"})

    @app.exception_handler(LoginRequired)
    def _login(request: Request, error: LoginRequired) -> Response:
        if not is_page(request):  # a script's poll (JSON) cannot follow a redirect to a form
            return JSONResponse({"detail": "Log in again"}, status_code=401)
        return RedirectResponse(error.target, status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, error: StarletteHTTPException) -> Response:
        if not is_page(request):
            return await http_exception_handler(request, error)
        text = HTTP_ERROR_TEXT.get(error.status_code) or str(error.detail)
        return error_page(request, error.status_code, text, dict(error.headers or {}))

    # Starlette hands this to its outermost middleware: it answers, then re-raises, so the
    # traceback is still logged by the server.
    @app.exception_handler(Exception)
    def _server_error(request: Request, error: Exception) -> Response:
        if not is_page(request):
            return JSONResponse({"detail": "Internal server error"}, status_code=500)
        return error_page(request, 500, SERVER_ERROR_TEXT)
