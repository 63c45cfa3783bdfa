"""Starter packs for parents: read them, apply one to the family library (families/packs.py)."""

from fastapi import APIRouter

from axolotly.accounts.deps import DbSession
from axolotly.catalog import packs
from axolotly.catalog.pack_schemas import ApplyPack, PackApplied, PackOut
from axolotly.families.deps import CurrentFamily
from axolotly.families.packs import apply_pack
from axolotly.types import RowId

router = APIRouter(prefix="/api/parent/starter-packs", tags=["starter packs"])


@router.get("", response_model=list[PackOut])
def list_starter_packs(family: CurrentFamily, db: DbSession) -> list[PackOut]:
    return [pack.out() for pack in packs.list_packs(db)]


@router.post("/{pack_id}/apply", response_model=PackApplied)
def apply_starter_pack(pack_id: RowId, body: ApplyPack, family: CurrentFamily, db: DbSession) -> PackApplied:
    """Adds the pack's titles to the family library and, for `kid_ids`, allows those the kid has
    no rule on yet (an explicit deny stays). Another family's kid is 404, and nothing is written."""
    applied = apply_pack(db, family, pack_id, body.kid_ids)
    return PackApplied(pack_id=pack_id, titles=applied.titles, added=applied.added, allowed_for=list(applied.allowed))
