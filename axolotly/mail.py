"""Outgoing mail, through the `MAIL_URL` setting.

- unset (or `console://`): the console backend, which prints each mail to the server log
  (development: the reset link is read there);
- `smtp://user:pass@host:port`: plain SMTP (port 25 by default), logging in when a user is given;
- `smtp+starttls://…` (port 587 by default): SMTP upgraded with STARTTLS before logging in;
- `smtps://…` (port 465 by default): SMTP over TLS from the first byte.
A `?from=` parameter sets the sender (default `Axolotly <no-reply@localhost>`).

Mail is sent after the response (a background task of the route): a slow or failing server
neither delays the answer nor tells a caller whether a mail went out at all.
"""

import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

from axolotly.config import get_settings

logger = logging.getLogger("axolotly.mail")

DEFAULT_SENDER = "Axolotly <no-reply@localhost>"
SMTP_TIMEOUT_SECONDS = 20
DEFAULT_PORTS = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str  # plain text (always: the fallback of every mail client)
    html: str | None = None  # an HTML alternative (the weekly summary's bar chart)
    # Extra headers: Message-ID (a notification's idempotency key), List-Unsubscribe (RFC 8058).
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Transport:
    scheme: str  # "console" or a key of DEFAULT_PORTS
    host: str = ""
    port: int = 0
    username: str | None = None
    password: str | None = None
    sender: str = DEFAULT_SENDER


def parse_mail_url(url: str | None) -> Transport:
    """The transport a MAIL_URL names; ValueError for one we cannot use."""
    if not url or url.strip() in ("console", "console://"):
        return Transport("console")
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise ValueError(f"MAIL_URL: unknown scheme {scheme!r} (use smtp, smtp+starttls, smtps or console)")
    if not parts.hostname:
        raise ValueError("MAIL_URL: no host")
    sender = parse_qs(parts.query).get("from", [DEFAULT_SENDER])[0]
    return Transport(
        scheme,
        parts.hostname,
        parts.port or DEFAULT_PORTS[scheme],
        unquote(parts.username) if parts.username else None,
        unquote(parts.password) if parts.password else None,
        sender,
    )


def transport() -> Transport:
    return parse_mail_url(get_settings().mail_url)


def is_console() -> bool:
    """True when mail only reaches the server log (the pages say so in development)."""
    try:
        return transport().scheme == "console"
    except ValueError:
        return False


def send(mail: Mail) -> None:
    """Sends one mail; raises on a bad MAIL_URL or an SMTP failure (see `send_quietly`)."""
    config = transport()
    if config.scheme == "console":  # as plain text, not quoted-printable: a link must stay clickable
        logger.warning(
            "Mail (console backend: set MAIL_URL to send it)\nFrom: %s\nTo: %s\nSubject: %s\n\n%s",
            config.sender,
            mail.to,
            mail.subject,
            mail.body,
        )
        return
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = config.sender, mail.to, mail.subject
    for name, value in mail.headers:
        message[name] = value
    message.set_content(mail.body)
    if mail.html is not None:
        message.add_alternative(mail.html, subtype="html")
    smtp: smtplib.SMTP
    if config.scheme == "smtps":
        smtp = smtplib.SMTP_SSL(
            config.host, config.port, timeout=SMTP_TIMEOUT_SECONDS, context=ssl.create_default_context()
        )
    else:
        smtp = smtplib.SMTP(config.host, config.port, timeout=SMTP_TIMEOUT_SECONDS)
    with smtp:
        if config.scheme == "smtp+starttls":
            smtp.starttls(context=ssl.create_default_context())
        if config.username:
            smtp.login(config.username, config.password or "")
        smtp.send_message(message)


def send_quietly(mail: Mail) -> None:
    """For background tasks: a failure is logged (the request has been answered already)."""
    try:
        send(mail)
    except (OSError, smtplib.SMTPException, ValueError):
        logger.exception("Could not send mail %r to %s", mail.subject, mail.to)
