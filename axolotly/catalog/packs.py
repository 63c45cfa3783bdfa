"""Starter packs: admin-curated sets of catalog titles (applying one to a family lives in
families/packs.py, since it writes the family library and kids' policies, which the catalog never
touches)."""

from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from axolotly.catalog.pack_schemas import PackIn, PackOut
from axolotly.catalog.schemas import TitleSummary
from axolotly.errors import Conflict, Invalid, NotFound
from axolotly.i18n import N_
from axolotly.models import StarterPack, StarterPackTitle, Title


@dataclass(frozen=True)
class Pack:
    pack: StarterPack
    titles: list[Title]  # in the pack's order

    @property
    def title_ids(self) -> list[int]:
        return [title.id for title in self.titles]

    def out(self) -> PackOut:
        pack = self.pack
        return PackOut(
            id=pack.id,
            name=pack.name,
            description=pack.description,
            min_age=pack.min_age,
            max_age=pack.max_age,
            title_ids=self.title_ids,
            titles=[TitleSummary.model_validate(title) for title in self.titles],
        )


def _with_titles(db: Session, packs: list[StarterPack]) -> list[Pack]:
    """The packs and their titles in two statements, however many packs."""
    titles: dict[int, list[Title]] = {pack.id: [] for pack in packs}
    if packs:
        rows = db.execute(
            select(StarterPackTitle.pack_id, Title)
            .join(Title, Title.id == StarterPackTitle.title_id)
            .where(StarterPackTitle.pack_id.in_(titles))
            .order_by(StarterPackTitle.position, Title.title, Title.id)
        )
        for pack_id, title in rows.tuples():
            titles[pack_id].append(title)
    return [Pack(pack, titles[pack.id]) for pack in packs]


def list_packs(db: Session) -> list[Pack]:
    """Youngest first, packs for every age last."""
    statement = select(StarterPack).order_by(
        StarterPack.min_age.asc().nulls_last(), StarterPack.max_age.asc().nulls_last(), StarterPack.name
    )
    return _with_titles(db, list(db.scalars(statement)))


def _pack_row(db: Session, pack_id: int) -> StarterPack:
    pack = db.get(StarterPack, pack_id, populate_existing=True)
    if pack is None:
        raise NotFound(N_("Starter pack not found"))
    return pack


def get_pack(db: Session, pack_id: int) -> Pack:
    return _with_titles(db, [_pack_row(db, pack_id)])[0]


def _check_titles(db: Session, title_ids: list[int]) -> None:
    known = set(db.scalars(select(Title.id).where(Title.id.in_(title_ids)))) if title_ids else set()
    unknown = [title_id for title_id in title_ids if title_id not in known]
    if unknown:
        raise Invalid(N_("Unknown title id(s): %(ids)s"), ids=", ".join(map(str, unknown)))


def save_pack(db: Session, pack_id: int | None, body: PackIn) -> Pack:
    """Creates a pack (pack_id None) or replaces one's fields and titles; names are unique
    (case-insensitively: two packs a parent cannot tell apart would be a mistake)."""
    pack = StarterPack() if pack_id is None else _pack_row(db, pack_id)
    _check_titles(db, body.title_ids)
    same_name = select(StarterPack.id).where(func.lower(StarterPack.name) == body.name.lower())
    if db.scalar(same_name.where(StarterPack.id != pack_id) if pack_id else same_name) is not None:
        raise Conflict(N_("A starter pack named %(name)s exists already"), name=repr(body.name))
    pack.name, pack.description, pack.min_age, pack.max_age = body.name, body.description, body.min_age, body.max_age
    try:
        with db.begin_nested():
            db.add(pack)
            db.flush()
    except IntegrityError:  # a concurrent pack took the name
        raise Conflict(N_("A starter pack named %(name)s exists already"), name=repr(body.name)) from None
    db.execute(delete(StarterPackTitle).where(StarterPackTitle.pack_id == pack.id))
    db.add_all(
        StarterPackTitle(pack_id=pack.id, title_id=title_id, position=position)
        for position, title_id in enumerate(body.title_ids)
    )
    db.flush()
    return get_pack(db, pack.id)


def delete_pack(db: Session, pack_id: int) -> str:
    """Removes the pack (not its titles, nor what families added from it); returns its name."""
    name = db.execute(delete(StarterPack).where(StarterPack.id == pack_id).returning(StarterPack.name)).scalar()
    if name is None:
        raise NotFound(N_("Starter pack not found"))
    return name
