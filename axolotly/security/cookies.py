"""The page session cookie as the request dependencies read it (accounts/deps.py), below the
pages that set it (web/session.py): which cookie, what it names, and the redirect to log in.

Here rather than in web/ so that request dependencies import nothing of the pages (the import
contracts' layers: pages -> request dependencies -> services).
"""

from fastapi import Request

from axolotly.security import tokens
from axolotly.security.tokens import WebSession

SESSION = "axolotly_web"


class LoginRequired(Exception):
    """Raised by page dependencies; web/pages.py turns it into a redirect to the log-in page."""

    def __init__(self, target: str = "/login"):
        self.target = target


def page_session(request: Request) -> WebSession | None:
    """The page session this browser's cookie names (signature and expiry checked, not the database)."""
    return tokens.web_session(request.cookies.get(SESSION))
