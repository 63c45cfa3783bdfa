"""Which titles are in a family library, as SQL: the titles its parents added (`family_titles`)
and every title one of its kids has a policy on. A policy puts its title in the library without a
second row (migration 0025): most library titles have a policy, and a row per title and family
cost more than the budget of a family's storage allows."""

from sqlalchemy import Integer, Subquery, null, select, union_all

from axolotly.families.scoping import owned_by
from axolotly.models import FamilyTitle, KidProfile, KidProfileTitle


def library_rows(family_id: int | None = None) -> Subquery:
    """(family_id, title_id, added_at, added_by): a row per way a title is in a library (a title
    can be there both ways, and through several kids); one family's when given, else every family's."""
    added = select(FamilyTitle.family_id, FamilyTitle.title_id, FamilyTitle.added_at, FamilyTitle.added_by)
    ruled = select(
        KidProfile.family_id,
        KidProfileTitle.title_id,
        KidProfileTitle.created_at.label("added_at"),
        null().cast(Integer).label("added_by"),
    ).join(KidProfile, KidProfile.id == KidProfileTitle.kid_profile_id)
    if family_id is not None:
        added, ruled = owned_by(added, FamilyTitle, family_id), owned_by(ruled, KidProfile, family_id)
    return union_all(added, ruled).subquery("library_rows")
