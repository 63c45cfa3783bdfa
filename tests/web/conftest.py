"""The real-browser fixtures (`server`, `browser`) for the browser tests of this folder."""

from tests.support.browser import browser, server

__all__ = ["browser", "server"]
