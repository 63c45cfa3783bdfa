import pytest

from axolotly.config import get_settings
from tests.support.mailbox import local_smtp_server

PUBLIC_URL = "https://axolotly.example"


@pytest.fixture
def inbox(monkeypatch):
    """A real SMTP server as MAIL_URL, and PUBLIC_URL for the links the mails carry."""
    with local_smtp_server() as server:
        monkeypatch.setenv("MAIL_URL", server.mail_url)
        monkeypatch.setenv("PUBLIC_URL", PUBLIC_URL)
        get_settings.cache_clear()
        yield server
        monkeypatch.undo()
        get_settings.cache_clear()


# The real-browser fixtures, for the phone test of this folder.
from tests.support.browser import browser, server  # noqa: E402

__all__ = ["browser", "inbox", "server"]
