"""The family library: the titles a family's parents added, and every title one of its kids has a
policy on (library_rows.py); kids in `rules` mode choose from these (policies/evaluate.py).

`family_titles` holds the titles without a policy, a policy holds the rest. Setting a policy takes
over the title's row (claim_for_policy); removing a kid's policy, or the kid, writes the row back
(keep_in_library), so a title never leaves the library unless a parent removes it."""

from datetime import UTC, datetime
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import Exists, Integer, Select, Subquery, delete, func, literal, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from axolotly.audit import service as audit
from axolotly.catalog.service import get_title, has_episodes
from axolotly.db.results import affected_rows
from axolotly.enums import MediaType, RequestStatus
from axolotly.errors import NotFound
from axolotly.families.context import FamilyContext
from axolotly.families.library_rows import library_rows
from axolotly.families.scoping import owned_by
from axolotly.i18n import N_, gettext
from axolotly.jobs.registry import LOAD_EPISODES, defer_in_transaction
from axolotly.models import FamilyTitle, KidProfile, KidProfileTitle, Title, TitleRequest

Selected = TypeVar("Selected", bound=tuple[Any, ...])


class LibraryEntry(NamedTuple):
    added_at: datetime  # when a parent added it, or the first policy on it was set
    added_by: int | None  # the parent who added it by hand (None through a policy, or once they left)


def library_entries(family_id: int) -> Subquery:
    """The family library as a subquery: (title_id, added_at, added_by), one row per title."""
    rows = library_rows(family_id)
    return (
        select(
            rows.c.title_id, func.min(rows.c.added_at).label("added_at"), func.max(rows.c.added_by).label("added_by")
        )
        .group_by(rows.c.title_id)
        .subquery("library")
    )


def in_library_titles(statement: Select[Selected], family_id: int) -> Select[Selected]:
    """The statement (over Title) narrowed to the family library's titles."""
    return statement.where(Title.id.in_(select(library_rows(family_id).c.title_id)))


def list_library(db: Session, family_id: int) -> list[tuple[Title, LibraryEntry]]:
    """The family's titles, newest first."""
    entries = library_entries(family_id)
    statement = (
        select(Title, entries.c.added_at, entries.c.added_by)
        .join(entries, entries.c.title_id == Title.id)
        .order_by(entries.c.added_at.desc(), Title.title, Title.id)
    )
    return [(title, LibraryEntry(added_at, added_by)) for title, added_at, added_by in db.execute(statement)]


def library_title_ids(db: Session, family_id: int) -> set[int]:
    return set(db.scalars(select(library_rows(family_id).c.title_id)))


def _entry(db: Session, family_id: int, title_id: int) -> LibraryEntry | None:
    entries = library_entries(family_id)
    row = db.execute(select(entries.c.added_at, entries.c.added_by).where(entries.c.title_id == title_id)).first()
    return LibraryEntry(*row) if row else None


def in_library(db: Session, family_id: int, title_id: int) -> bool:
    return _entry(db, family_id, title_id) is not None


def _has_family_policy(family_id: int, title_id: int) -> Exists:
    kid_ids = owned_by(select(KidProfile.id), KidProfile, family_id)
    return (
        select(literal(1))
        .where(KidProfileTitle.title_id == title_id, KidProfileTitle.kid_profile_id.in_(kid_ids))
        .exists()
    )


def ensure_in_library(db: Session, family_id: int, title_id: int, added_by: int | None) -> bool:
    """Adds the title unless it is there already, by hand or through a policy (one statement,
    safe under concurrency); True when it was added."""
    missing = select(literal(family_id, Integer), literal(title_id, Integer), literal(added_by, Integer)).where(
        ~_has_family_policy(family_id, title_id)
    )
    statement = insert(FamilyTitle).from_select(["family_id", "title_id", "added_by"], missing)
    added = db.execute(statement.on_conflict_do_nothing().returning(FamilyTitle.title_id)).first() is not None
    if added and get_title(db, title_id).media_type == MediaType.TV and not has_episodes(db, title_id):
        # Rules-mode kids see library shows without a policy: their episodes must come too.
        defer_in_transaction(db, LOAD_EPISODES, title_id=title_id)
    return added


def claim_for_policy(db: Session, family_id: int, title_id: int) -> None:
    """A policy now keeps the title in the library: its own row goes (called after the policy is written)."""
    db.execute(owned_by(delete(FamilyTitle), FamilyTitle, family_id).where(FamilyTitle.title_id == title_id))


def keep_in_library(db: Session, family_id: int, policies: Select[Any]) -> None:
    """Writes back the library rows of the titles of `policies` (a select of KidProfileTitle rows
    about to be deleted). Always, even when another kid's policy still holds the title: two
    removals at once could each count on the other's policy."""
    rows = policies.with_only_columns(literal(family_id, Integer), KidProfileTitle.title_id, KidProfileTitle.created_at)
    db.execute(insert(FamilyTitle).from_select(["family_id", "title_id", "added_at"], rows).on_conflict_do_nothing())


def add_to_library(db: Session, family: FamilyContext, title_id: int) -> LibraryEntry:
    """Adds a catalog title (imports nothing: an unknown title is 404); idempotent."""
    title = get_title(db, title_id)
    if ensure_in_library(db, family.id, title.id, family.user.id):
        audit.record(db, family.id, "library_added", f"Added “{title.title}” to the library")
    entry = _entry(db, family.id, title.id)
    if entry is None:  # ensured just above, in this transaction
        raise NotFound(N_("Title not found"))
    return entry


def titles_losing_rules(db: Session, family_id: int, title_id: int) -> list[str]:
    """Names of the family's kids with a policy on the title (removing it drops their policies)."""
    statement = select(KidProfile.name).join(KidProfileTitle, KidProfileTitle.kid_profile_id == KidProfile.id)
    statement = owned_by(statement, KidProfile, family_id).where(KidProfileTitle.title_id == title_id)
    # An allow whose end has come is no rule any more (policies/until.py): nobody loses it.
    statement = statement.where(KidProfileTitle.in_force_at(datetime.now(UTC)))
    return list(db.scalars(statement.order_by(KidProfile.name, KidProfile.id)))


def remove_from_library(db: Session, family: FamilyContext, title_id: int) -> int:
    """Removes the title and the policies of the family's kids on it; returns how many policies.
    Policies first: a policy removal writing the title back waits on them, and the library row's
    DELETE, a later statement, then sees what it wrote."""
    kid_ids = owned_by(select(KidProfile.id), KidProfile, family.id).scalar_subquery()
    policies = affected_rows(
        db.execute(
            delete(KidProfileTitle).where(
                KidProfileTitle.title_id == title_id, KidProfileTitle.kid_profile_id.in_(kid_ids)
            )
        )
    )
    removed = db.execute(
        owned_by(delete(FamilyTitle), FamilyTitle, family.id)
        .where(FamilyTitle.title_id == title_id)
        .returning(FamilyTitle.title_id)
    ).first()
    if removed is None and not policies:
        raise NotFound(N_("Title not in the family library"))
    # The note is stored as the kid and the parents read it: in the language of the parent who removed it.
    close_open_requests(
        db, family.id, title_id, None, RequestStatus.DECLINED, gettext("Removed from the family library")
    )
    title = get_title(db, title_id)
    audit.record(
        db,
        family.id,
        "library_removed",
        f"Removed “{title.title}” from the library" + (f" and {policies} rule(s) on it" if policies else ""),
    )
    return policies


def close_open_requests(
    db: Session, family_id: int, title_id: int, kid_id: int | None, status: RequestStatus, note: str
) -> None:
    """A parent's direct decision answers the kids' open requests for the title (one kid, or all)."""
    statement = owned_by(update(TitleRequest), TitleRequest, family_id).where(
        TitleRequest.title_id == title_id, TitleRequest.status == RequestStatus.OPEN
    )
    if kid_id is not None:
        statement = statement.where(TitleRequest.kid_profile_id == kid_id)
    db.execute(statement.values(status=status, note=note, answered_at=func.now(), answered_by=db.info.get("actor_id")))
