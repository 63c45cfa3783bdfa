"""The family library: the titles a family's parents added; kids in `rules` mode choose from
these (policies/evaluate.py). A title with a policy for one of the family's kids is always in it."""

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from axolotly.audit import service as audit
from axolotly.catalog.service import get_title, has_episodes
from axolotly.enums import MediaType, RequestStatus
from axolotly.errors import NotFound
from axolotly.families.context import FamilyContext
from axolotly.families.scoping import owned_by
from axolotly.jobs.registry import LOAD_EPISODES, defer_in_transaction
from axolotly.models import FamilyTitle, KidProfile, KidProfileTitle, Title, TitleRequest


def list_library(db: Session, family_id: int) -> list[tuple[Title, FamilyTitle]]:
    """The family's titles, newest first."""
    statement = select(Title, FamilyTitle).join(Title, Title.id == FamilyTitle.title_id)
    statement = owned_by(statement, FamilyTitle, family_id).order_by(FamilyTitle.added_at.desc(), Title.title,
                                                                     Title.id)
    return [tuple(row) for row in db.execute(statement)]


def library_title_ids(db: Session, family_id: int) -> set[int]:
    return set(db.scalars(owned_by(select(FamilyTitle.title_id), FamilyTitle, family_id)))


def _entry(db: Session, family_id: int, title_id: int) -> FamilyTitle | None:
    statement = owned_by(select(FamilyTitle), FamilyTitle, family_id).where(FamilyTitle.title_id == title_id)
    return db.execute(statement.execution_options(populate_existing=True)).scalar_one_or_none()


def ensure_in_library(db: Session, family_id: int, title_id: int, added_by: int | None) -> bool:
    """Adds the title unless it is there already (one statement, safe under concurrency);
    True when it was added."""
    statement = insert(FamilyTitle).values(family_id=family_id, title_id=title_id, added_by=added_by)
    added = db.execute(statement.on_conflict_do_nothing().returning(FamilyTitle.title_id)).first() is not None
    if added and get_title(db, title_id).media_type == MediaType.TV and not has_episodes(db, title_id):
        # Rules-mode kids see library shows without a policy: their episodes must come too.
        defer_in_transaction(db, LOAD_EPISODES, title_id=title_id)
    return added


def in_library(db: Session, family_id: int, title_id: int) -> bool:
    return _entry(db, family_id, title_id) is not None


def add_to_library(db: Session, family: FamilyContext, title_id: int) -> FamilyTitle:
    """Adds a catalog title (imports nothing: an unknown title is 404); idempotent."""
    title = get_title(db, title_id)
    if ensure_in_library(db, family.id, title.id, family.user.id):
        audit.record(db, family.id, "library_added", f"Added “{title.title}” to the library")
    return _entry(db, family.id, title.id)


def titles_losing_rules(db: Session, family_id: int, title_id: int) -> list[str]:
    """Names of the family's kids with a policy on the title (removing it drops their policies)."""
    statement = select(KidProfile.name).join(KidProfileTitle, KidProfileTitle.kid_profile_id == KidProfile.id)
    statement = owned_by(statement, KidProfile, family_id).where(KidProfileTitle.title_id == title_id)
    return list(db.scalars(statement.order_by(KidProfile.name, KidProfile.id)))


def remove_from_library(db: Session, family: FamilyContext, title_id: int) -> int:
    """Removes the title and the policies of the family's kids on it; returns how many policies."""
    removed = db.execute(owned_by(delete(FamilyTitle), FamilyTitle, family.id)
                         .where(FamilyTitle.title_id == title_id).returning(FamilyTitle.title_id)).first()
    if removed is None:
        raise NotFound("Title not in the family library")
    kid_ids = owned_by(select(KidProfile.id), KidProfile, family.id).scalar_subquery()
    policies = db.execute(delete(KidProfileTitle).where(
        KidProfileTitle.title_id == title_id, KidProfileTitle.kid_profile_id.in_(kid_ids))).rowcount
    close_open_requests(db, family.id, title_id, None, RequestStatus.DECLINED, "Removed from the family library")
    title = get_title(db, title_id)
    audit.record(db, family.id, "library_removed", f"Removed “{title.title}” from the library"
                 + (f" and {policies} rule(s) on it" if policies else ""))
    return policies


def close_open_requests(db: Session, family_id: int, title_id: int, kid_id: int | None, status: RequestStatus,
                        note: str) -> None:
    """A parent's direct decision answers the kids' open requests for the title (one kid, or all)."""
    statement = owned_by(update(TitleRequest), TitleRequest, family_id).where(
        TitleRequest.title_id == title_id, TitleRequest.status == RequestStatus.OPEN)
    if kid_id is not None:
        statement = statement.where(TitleRequest.kid_profile_id == kid_id)
    db.execute(statement.values(status=status, note=note, answered_at=func.now(), answered_by=db.info.get("actor_id")))
