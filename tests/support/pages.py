"""The pages without a browser: a form's CSRF token, logging in, an app with a route that fails."""

import re

from fastapi import APIRouter

from tests.support.api import PASSWORD, sign_up


def csrf(client, path: str = "/login") -> str:
    return re.search(r'name="csrf_token" value="([0-9a-f]+)"', client.get(path).text)[1]


def log_in(client, email: str, password: str = PASSWORD):
    return client.post(
        "/login", data={"email": email, "password": password, "csrf_token": csrf(client)}, follow_redirects=False
    )


def logged_in_parent(client) -> dict:
    parent = sign_up(client)
    log_in(client, parent["email"])
    return parent


def failing_app(app):
    """The real app with one more route of each kind that raises a bug (an unexpected exception)."""
    broken = APIRouter()

    @broken.get("/family/broken")
    def broken_page():
        raise RuntimeError("a bug")

    @broken.get("/api/parent/broken")
    def broken_api():
        raise RuntimeError("a bug")

    app.include_router(broken)
    return app
