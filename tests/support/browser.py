"""The real-browser harness: Debian's Chromium through Playwright against a live server.

Its fixtures (`server`, `browser`) are given to the browser tests by tests/web/conftest.py."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright

from tests.support.mailbox import Inbox, local_smtp_server
from tests.support.pg import demo_database
from tests.support.processes import live_server

INBOXES: dict[str, Inbox] = {}  # base URL -> its mail server's inbox


CHROMIUM = "/usr/bin/chromium"


# The suite's photographs go to a git-ignored folder; `make screenshots` sets docs/screenshots.
SCREENSHOTS = Path(
    os.environ.get("SCREENSHOT_DIR") or Path(__file__).resolve().parents[2] / ".axolotly" / "screenshots"
)


@pytest.fixture(scope="module")
def server(server_url):
    """uvicorn on its own database (the offline catalog, the demo family with the admin), mailing
    through a real local SMTP server (password reset links)."""
    with (
        local_smtp_server() as inbox,
        live_server(demo_database(server_url, "axolotly_browser"), env={"MAIL_URL": inbox.mail_url}) as base,
    ):
        INBOXES[base] = inbox  # so that modules importing only `server` need no other fixture
        yield base
        del INBOXES[base]


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        yield chromium
        chromium.close()


def new_page(browser, base: str, outside: list[str]) -> Page:
    """A fresh browser tab; `outside` collects every request to another host and every
    Content-Security-Policy violation (the browser reports those on the console), which the
    tests expect to stay empty."""
    context = browser.new_context(base_url=base, viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.on("request", lambda request: None if request.url.startswith(base) else outside.append(request.url))
    page.on(
        "console",
        lambda message: (
            outside.append(f"CSP violation: {message.text}")
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    return page


def shot(page: Page, name: str, full_page: bool = True) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


def submit(page: Page, button: str) -> None:
    page.get_by_role("button", name=button).click()
    page.wait_for_load_state()


def log_in(page: Page, email: str, password: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    submit(page, "Log in")
