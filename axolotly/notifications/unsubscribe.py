"""One-click unsubscribe (RFC 8058) from a mailed notification, with no log-in.

The link carries a signed token (security/tokens.py `unsubscribe`: the user and the event, for
180 days); the token is the authority, so the page needs neither a session nor a CSRF token.
Opening the link (GET, which mail scanners do on their own) only shows what would stop; the
button, or a mail client's `List-Unsubscribe=One-Click` POST, turns "<event>.email" off in the
user's `notifications_off`, once however often it is sent.
"""

from dataclasses import dataclass
from urllib.parse import quote

from sqlalchemy import literal, select, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session

from axolotly.accounts.links import link_base
from axolotly.errors import BadRequest
from axolotly.i18n import N_
from axolotly.models import User
from axolotly.security import tokens
from axolotly.types import PG_INT_MAX

CHANNEL = "email"
DEV_ADDRESS = "http://127.0.0.1:8000"  # `make run`'s address: links of a development server without PUBLIC_URL
SETTINGS_PATH = "/account/notifications"
BAD_LINK = N_(
    "This unsubscribe link is not valid: it may be cut short or too old. "
    "Log in and turn the email off in your notification settings."
)
# Whole sentences per event whose mails carry the link (`%(email)s`: the address they go to).
SENTENCES = {
    "weekly_summary": {
        "ask": N_("Stop the weekly summary emails to %(email)s?"),
        "done": N_("You will no longer get the weekly summary emails at %(email)s."),
        "button": N_("Stop the weekly summary"),
    },
}


@dataclass(frozen=True)
class Unsubscription:
    user_id: int
    email: str
    language: str | None  # the page speaks the mail's language
    event: str
    is_off: bool  # the email is off already (the page says so instead of asking)

    def words(self, which: str) -> str:
        return SENTENCES[self.event][which]


def unsubscribe_url(user_id: int, event: str) -> str:
    """The absolute link a mail to this user carries (PUBLIC_URL; see accounts/links.py)."""
    return f"{_base()}/unsubscribe?token={quote(tokens.unsubscribe_token(user_id, event))}"


def settings_url() -> str:
    return f"{_base()}{SETTINGS_PATH}"


def _base() -> str:
    """PUBLIC_URL; a development server without it: `make run`'s address. Production without it
    raises (a 503 in a request; in the delivery job, a failure the admin sees with its reason)."""
    return link_base(DEV_ADDRESS, "Unsubscribe links")


def mail_headers(url: str) -> tuple[tuple[str, str], ...]:
    """RFC 2369 + RFC 8058: the mail client's own "Unsubscribe" button POSTs to the link."""
    return (("List-Unsubscribe", f"<{url}>"), ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))


def _pair(event: str) -> str:
    return f"{event}.{CHANNEL}"


def _claims(token: str | None) -> tuple[int, str]:
    claims = tokens.unsubscribe_claims(token)
    if claims is None or not 0 < claims[0] <= PG_INT_MAX or claims[1] not in SENTENCES:
        raise BadRequest(BAD_LINK)
    return claims


def look_up(db: Session, token: str | None) -> Unsubscription:
    """What the link would stop (nothing is changed); BadRequest for a bad, forged or expired link,
    or one whose account is gone."""
    user_id, event = _claims(token)
    row = db.execute(
        select(User.email, User.language, User.notifications_off.contains([_pair(event)]).label("off")).where(
            User.id == user_id
        )
    ).first()
    if row is None:
        raise BadRequest(BAD_LINK)
    return Unsubscription(user_id, row.email, row.language, event, bool(row.off))


def unsubscribe(db: Session, token: str | None) -> Unsubscription:
    """Turns the link's email off. One statement that appends only when absent: two clicks (or a
    click and the mail client's POST) at once still leave one entry."""
    user_id, event = _claims(token)
    pair = [_pair(event)]
    off = User.notifications_off
    db.execute(
        update(User)
        .where(User.id == user_id, ~off.contains(pair))
        .values(notifications_off=off.op("||")(literal(pair, JSONB)))
    )
    return look_up(db, token)
