from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from axolotly.models.base import Base


class EndedWebSession(Base):
    """A page session logged out before its token expired (accounts/web_sessions.py).

    Looked up by its `sid` on every page request (the primary key: one index probe). Kept only
    until the token would have expired anyway (`expires_at`), then pruned by the cleanup job,
    so the table holds at most a day's log-outs. Sessions are not stored while they live: a
    log-in writes nothing, and ending all of a user's sessions is the token epoch's job.
    """

    __tablename__ = "ended_web_sessions"
    __table_args__ = (Index("idx_ended_web_sessions_expires_at", "expires_at"),)

    sid: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime]
