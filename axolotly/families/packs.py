"""Applying a starter pack (catalog/packs.py) to a family: its titles join the family library,
and, when the parent asks, are allowed for chosen kids, in one transaction."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from axolotly.audit import service as audit
from axolotly.catalog import packs
from axolotly.enums import PolicyKind
from axolotly.families.context import FamilyContext
from axolotly.families.kids import get_kid
from axolotly.families.library import ensure_in_library
from axolotly.models import KidProfile, KidProfileTitle
from axolotly.policies.service import now_utc, set_policy


@dataclass(frozen=True)
class Applied:
    titles: int  # in the pack
    added: int  # new in the family library
    allowed: dict[int, int]  # kid id -> titles newly allowed


def apply_pack(db: Session, family: FamilyContext, pack_id: int, allow_for_kid_ids: list[int]) -> Applied:
    """Idempotent: titles already in the library stay as they are, and a kid's existing rule on a
    title (an explicit deny above all) is kept; a pack never overrides a parent's decision.
    Every kid is checked before anything is written (another family's kid is 404)."""
    pack = packs.get_pack(db, pack_id)
    kids = [get_kid(db, family.id, kid_id) for kid_id in dict.fromkeys(allow_for_kid_ids)]
    added = sum(ensure_in_library(db, family.id, title_id, family.user.id) for title_id in pack.title_ids)
    audit.record(
        db,
        family.id,
        "library_added",
        f"Added the starter pack “{pack.pack.name}”: {added} new title(s) in the library",
    )
    return Applied(len(pack.title_ids), added, {kid.id: _allow_all(db, kid, pack.title_ids) for kid in kids})


def _allow_all(db: Session, kid: KidProfile, title_ids: list[int]) -> int:
    ruled = (
        set(
            db.scalars(
                select(KidProfileTitle.title_id).where(
                    KidProfileTitle.kid_profile_id == kid.id,
                    KidProfileTitle.title_id.in_(title_ids),
                    KidProfileTitle.in_force_at(
                        now_utc()
                    ),  # an ended allow rules nothing: the pack allows the title again
                )
            )
        )
        if title_ids
        else set()
    )
    fresh = [title_id for title_id in title_ids if title_id not in ruled]
    for title_id in fresh:
        set_policy(db, kid, title_id, PolicyKind.ALLOW)
    return len(fresh)
