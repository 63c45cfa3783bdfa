"""Mounts the pages on the app: routers, static files, log-in redirects, page errors."""

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from axolotly.web import (admin_pages, auth_pages, catalog_pages, family_pages, kid_pages, library_pages, members_pages,
                          ota_pages, pack_pages, posters, requests_pages, screen_time_pages)
from axolotly.web.session import LoginRequired


def install(app: FastAPI) -> None:
    for router in (auth_pages.router, family_pages.router, members_pages.router, catalog_pages.router, library_pages.router,
                   kid_pages.router, admin_pages.router, ota_pages.router, pack_pages.router, posters.router,
                   requests_pages.router, screen_time_pages.router):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")

    @app.exception_handler(LoginRequired)
    def _login(request: Request, error: LoginRequired) -> RedirectResponse:
        return RedirectResponse(error.target, status_code=303)


def is_page(request: Request) -> bool:
    """Everything that is not the JSON API (or ops endpoints) is a page."""
    path = request.url.path
    return not (path.startswith("/api/") or path in ("/healthz", "/metrics", "/openapi.json"))
