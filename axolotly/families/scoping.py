"""Family isolation in one place: a row of another family is "not found", never "forbidden".

Every condition on a family-owned table's `family_id` is written here (tests/test_scoping.py fails
on one written anywhere else); the launcher's hot statement (launcher/query.py) is the one
documented exception: it is raw SQL that states its own family filter once.
"""

from typing import Any, ClassVar, Protocol, TypeVar

from sqlalchemy import ColumnElement, Delete, Select, Update, select
from sqlalchemy.orm import QueryableAttribute, Session

from axolotly.errors import NotFound
from axolotly.i18n import N_


class FamilyOwned(Protocol):
    """A model of a family-owned table: its rows carry the owning family's id (`users.id`, never
    NULL: an unconfirmed pairing request belongs to no family yet and is not one).

    Written as the mapped class's attribute (what `Model.family_id` is), not `Mapped[int]`, which
    a type checker matches against the rows' `int` and so never against a model class.
    """

    family_id: ClassVar[QueryableAttribute[int]]


class FamilyOwnedRow(FamilyOwned, Protocol):
    id: ClassVar[QueryableAttribute[int]]


Row = TypeVar("Row", bound=FamilyOwnedRow)
Statement = TypeVar("Statement", Select[Any], Update, Delete)


def of_family(model: type[FamilyOwned], family_id: int) -> ColumnElement[bool]:
    """The condition "this row is the family's", for where a WHERE would be wrong (an outer join's ON)."""
    return model.family_id == family_id


def of_another_family(model: type[FamilyOwned], family_id: int) -> ColumnElement[bool]:
    """The condition "this row belongs to some other family": to refuse what is someone else's."""
    return model.family_id != family_id


def owned_by(statement: Statement, model: type[FamilyOwned], family_id: int) -> Statement:
    """The statement narrowed to the family's rows: every family-owned query goes through here."""
    return statement.where(of_family(model, family_id))


def get_owned(db: Session, model: type[Row], row_id: int, family_id: int, what: str, *, lock: bool = False) -> Row:
    statement = owned_by(select(model).where(model.id == row_id), model, family_id)
    if lock:
        statement = statement.with_for_update()
    row: Row | None = db.execute(statement).scalar_one_or_none()
    if row is None:
        # Whole sentences for the rows get_owned is asked for; another one names itself in English.
        sentences = {
            "Request": N_("Request not found"),
            "Device": N_("Device not found"),
            "Kid profile": N_("Kid profile not found"),
        }
        raise NotFound(sentences.get(what, N_("%(what)s not found")), what=what)
    return row
