"""A family's activity trail. `record` joins the caller's transaction: the event commits with the
change it describes, or neither does."""

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from axolotly.db.results import affected_rows
from axolotly.families.scoping import owned_by
from axolotly.i18n import N_
from axolotly.models import AuditEvent

# What the trail calls each action (the page translates them; the summaries are stored words).
ACTIONS = {
    "login": N_("Log-in"),
    "login_failed": N_("Failed log-in"),
    "device_paired": N_("Device paired"),
    "paused": N_("Pause"),
    "device_unpaired": N_("Device unpaired"),
    "policy_changed": N_("Policy changed"),
    "episodes_blocked": N_("Episodes"),
    "pin_changed": N_("PIN changed"),
    "pin_locked": N_("PIN lockout"),
    "kid_added": N_("Kid added"),
    "kid_deleted": N_("Kid deleted"),
    "password_changed": N_("Password changed"),
    "signed_out_everywhere": N_("Signed out everywhere"),
    "email_changed": N_("Email changed"),
    "name_changed": N_("Name changed"),
    "account_deleted": N_("Account deleted"),
    "member_invited": N_("Invitation"),
    "member_joined": N_("Co-parent joined"),
    "member_removed": N_("Co-parent removed"),
    "library_added": N_("Added to the library"),
    "library_removed": N_("Removed from the library"),
    "rules_changed": N_("Rules changed"),
    "title_requested": N_("Kid asked"),
    "request_answered": N_("Request answered"),
    "pin_unlocked": N_("PIN unlocked"),
    "family_changed": N_("Family settings"),
    "screen_time_changed": N_("Screen time"),
    "bonus_time": N_("Bonus time"),
    "time_requested": N_("Kid asked for more time"),
    "time_request_answered": N_("Request answered"),
    "ask_list_changed": N_("Asking a parent"),
    "allow_ended": N_("Allow ended"),
    "family_exported": N_("Data exported"),
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
