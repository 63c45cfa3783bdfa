"""What deleting an account takes with it, counted for the page that asks "are you sure?".

The owner's account is the family (every family_id points at it): deleting it deletes, by the
database's ON DELETE CASCADE, everything below. A co-parent's deletion takes only their account
and membership; the family and everything it owns stays.
"""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from axolotly.families.context import family_of, owner_of
from axolotly.families.library_rows import library_rows
from axolotly.families.scoping import owned_by
from axolotly.families.settings import default_name
from axolotly.models import (
    AuditEvent,
    ContentReport,
    Device,
    FamilyMember,
    KidProfile,
    KidProfileTitle,
    TitleRequest,
    User,
)


@dataclass(frozen=True)
class DeletionSummary:
    is_owner: bool
    family_name: str
    kids: list[str]
    devices: int
    library_titles: int
    kid_rules: int  # allow/deny rules on titles, over all kids
    requests: int
    reports: int
    activity_events: int
    co_parents: list[str]  # their emails: they keep their accounts but lose this family
    owner_email: str


def _count(db: Session, model, family_id: int) -> int:
    return db.scalar(owned_by(select(func.count()).select_from(model), model, family_id)) or 0


def _library_size(db: Session, family_id: int) -> int:
    return db.scalar(select(func.count(library_rows(family_id).c.title_id.distinct()))) or 0


def deletion_summary(db: Session, user: User) -> DeletionSummary:
    family = family_of(db, user)
    owner = owner_of(db, family.id)
    kids = list(db.scalars(owned_by(select(KidProfile.name), KidProfile, family.id).order_by(KidProfile.name)))
    kid_rules = (
        db.scalar(owned_by(select(func.count()).select_from(KidProfileTitle).join(KidProfile), KidProfile, family.id))
        or 0
    )
    co_parents = list(
        db.scalars(
            owned_by(
                select(User.email).join(FamilyMember, FamilyMember.user_id == User.id), FamilyMember, family.id
            ).order_by(User.email)
        )
    )
    return DeletionSummary(
        is_owner=family.is_owner,
        family_name=owner.family_name or default_name(owner.email),
        kids=kids,
        devices=_count(db, Device, family.id),
        library_titles=_library_size(db, family.id),
        kid_rules=kid_rules,
        requests=_count(db, TitleRequest, family.id),
        reports=_count(db, ContentReport, family.id),
        activity_events=_count(db, AuditEvent, family.id),
        co_parents=co_parents,
        owner_email=owner.email,
    )
