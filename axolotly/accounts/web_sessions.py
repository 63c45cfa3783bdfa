"""Page sessions that end on the server: log-out ends one, the token epoch ends them all.

A page session lives in its signed token (security/tokens.py): logging in writes nothing. Logging
out records the token's session id as ended until the token's own expiry, so a copy of the
cookie (another tab's, a stolen one) stops working at once; the cleanup job prunes the rows.
"""

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from axolotly.models import EndedWebSession, User
from axolotly.security.tokens import WebSession


def session_user(db: Session, session: WebSession | None) -> User | None:
    """The user of a page session still on: their epoch, and not logged out (one statement, the
    log-out check a primary-key probe)."""
    if session is None:
        return None
    ended = select(EndedWebSession.sid).where(EndedWebSession.sid == session.sid).exists()
    return db.scalar(select(User).where(User.id == session.user_id, User.token_epoch == session.epoch, ~ended))


def end(db: Session, session: WebSession | None) -> None:
    """This session is over, whoever holds a copy of its cookie (logging out twice is fine)."""
    if session is None:
        return
    db.execute(
        insert(EndedWebSession)
        .values(sid=session.sid, expires_at=session.expires_at)
        .on_conflict_do_nothing(index_elements=[EndedWebSession.sid])
    )


PASSWORD_CHANGED = "password-changed"  # noqa: S105  # a reason in the log-in URL, not a secret


def why_signed_out(db: Session, session: WebSession) -> str | None:
    """PASSWORD_CHANGED when a password change or reset ended this (signed, unexpired) session,
    for the log-in page to say so; None otherwise (logged out, signed out everywhere, no account)."""
    changed = db.scalar(select(User.password_changed_epoch).where(User.id == session.user_id))
    return PASSWORD_CHANGED if changed is not None and session.epoch < changed else None
