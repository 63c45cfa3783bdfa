"""A real SMTP server for tests (aiosmtpd on 127.0.0.1) and the mail it received: the password
reset tests and the browser walk read their reset links from it."""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from urllib.parse import quote

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from axolotly.db.cluster import free_port

SMTP_USER, SMTP_PASSWORD = "axolotly", "s3cret/pass word"


class Inbox:
    """An SMTP server's handler that keeps every message (and who logged in to send it)."""

    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.logins: list[str] = []
        self.mail_url = ""  # MAIL_URL for this server, set when it runs

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.original_content or envelope.content, policy=policy.default))
        return "250 OK"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data == (SMTP_USER.encode(), SMTP_PASSWORD.encode())
        if ok:
            self.logins.append(auth_data.login.decode())
        return AuthResult(success=ok)


@contextmanager
def local_smtp_server() -> Iterator[Inbox]:
    """A real SMTP server on 127.0.0.1 that wants a log-in (no TLS: it is local)."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(
        inbox, hostname="127.0.0.1", port=port, authenticator=inbox.authenticate, auth_require_tls=False
    )
    controller.start()
    inbox.mail_url = f"smtp://{SMTP_USER}:{quote(SMTP_PASSWORD, safe='')}@127.0.0.1:{port}"
    try:
        yield inbox
    finally:
        controller.stop()


def reset_link(message: EmailMessage) -> str:
    return re.search(r"https?://\S+/reset-password/\S+", message.get_content())[0]
