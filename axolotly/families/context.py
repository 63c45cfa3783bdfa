"""Who acts for which family: one context for the API and the pages.

A family is its owner's users row (every family_id column points at it, as the spec has it);
co-parents are users listed in family_members and act for the owner's family with the same
rights, except inviting and removing co-parents, removing the owner or deleting the family.
"""

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from axolotly.errors import NotFound, Unauthorized
from axolotly.i18n import N_
from axolotly.models import FamilyMember, User

# The API answers these in English; pages translate them (marked for the catalog).
SIGNED_OUT = N_("You were signed out: sign in again")
NOT_FOUND = N_("Not found")


class FamilyRole(StrEnum):
    OWNER = "owner"
    CO_PARENT = "co_parent"


@dataclass(frozen=True)
class FamilyContext:
    id: int  # the family id: the owner's user id
    user: User  # who is acting
    role: FamilyRole

    @property
    def is_owner(self) -> bool:
        return self.role is FamilyRole.OWNER


def family_of(db: Session, user: User) -> FamilyContext:
    family_id = db.scalar(select(FamilyMember.family_id).where(FamilyMember.user_id == user.id))
    if family_id is None:
        return FamilyContext(user.id, user, FamilyRole.OWNER)
    return FamilyContext(family_id, user, FamilyRole.CO_PARENT)


def owner_of(db: Session, family_id: int) -> User:
    """The users row that is the family (its name and owner), e.g. for a paired device's pages."""
    return db.get_one(User, family_id)


def act_for_family(db: Session, user: User) -> FamilyContext:
    """The user's family, and the session remembers who acts (the audit trail names them)."""
    db.info["actor"] = user.email
    db.info["actor_id"] = user.id  # who answered kids' requests by a direct decision (families/library.py)
    return family_of(db, user)


def still_acting_for(db: Session, acting_for: FamilyContext) -> None:
    """What was true before TMDB's wait (seconds) is checked again where the write happens: a
    password change or "sign out everywhere" in between ends the request (401), and a co-parent
    removed from the family in between writes nothing to it (404, as for any row not theirs)."""
    epoch = db.scalar(select(User.token_epoch).where(User.id == acting_for.user.id))
    if epoch is None or epoch != acting_for.user.token_epoch:
        raise Unauthorized(SIGNED_OUT)
    if act_for_family(db, acting_for.user).id != acting_for.id:
        raise NotFound(NOT_FOUND)
