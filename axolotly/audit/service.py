"""A family's activity trail. `record` joins the caller's transaction: the event commits with the
change it describes, or neither does."""

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from axolotly.db.results import affected_rows
from axolotly.families.scoping import owned_by
from axolotly.models import AuditEvent

ACTIONS = {
    "login": "Log-in",
    "login_failed": "Failed log-in",
    "device_paired": "Device paired",
    "device_unpaired": "Device unpaired",
    "policy_changed": "Policy changed",
    "episodes_blocked": "Episodes",
    "pin_changed": "PIN changed",
    "pin_locked": "PIN lockout",
    "kid_added": "Kid added",
    "kid_deleted": "Kid deleted",
    "password_changed": "Password changed",
    "signed_out_everywhere": "Signed out everywhere",
    "email_changed": "Email changed",
    "name_changed": "Name changed",
    "account_deleted": "Account deleted",
    "member_invited": "Invitation",
    "member_joined": "Co-parent joined",
    "member_removed": "Co-parent removed",
    "library_added": "Added to the library",
    "library_removed": "Removed from the library",
    "rules_changed": "Rules changed",
    "title_requested": "Kid asked",
    "request_answered": "Request answered",
    "pin_unlocked": "PIN unlocked",
    "family_changed": "Family settings",
    "screen_time_changed": "Screen time",
    "bonus_time": "Bonus time",
    "time_requested": "Kid asked for more time",
    "time_request_answered": "Request answered",
    "ask_list_changed": "Asking a parent",
}


def record(db: Session, family_id: int, action: str, summary: str) -> None:
    """`actor`: who acts in this session (families/context.py sets it), None for a device."""
    if action not in ACTIONS:  # a programming error: every action the trail records is listed
        raise ValueError(f"unknown audit action {action!r}")
    db.add(AuditEvent(family_id=family_id, action=action, summary=summary, actor=db.info.get("actor")))
    db.flush()


def recent(db: Session, family_id: int, limit: int = 100) -> list[AuditEvent]:
    return list(
        db.scalars(
            owned_by(select(AuditEvent), AuditEvent, family_id)
            .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
            .limit(limit)
        )
    )


PRUNE_BATCH = 10_000


def prune(db: Session, before: datetime, batch: int = PRUNE_BATCH) -> int:
    """Deletes up to `batch` events older than `before`, oldest first, found through the index on
    `created_at` (the job repeats, a transaction each)."""
    expired = select(AuditEvent.id).where(AuditEvent.created_at < before).order_by(AuditEvent.created_at).limit(batch)
    return affected_rows(db.execute(delete(AuditEvent).where(AuditEvent.id.in_(expired))))
