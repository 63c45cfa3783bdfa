"""Family isolation in one place: a row of another family is "not found", never "forbidden"."""

from typing import TypeVar

from sqlalchemy import Delete, Select, Update, select
from sqlalchemy.orm import Session

from axolotly.errors import NotFound

Row = TypeVar("Row")
Statement = TypeVar("Statement", Select, Update, Delete)


def owned_by(statement: Statement, model, family_id: int) -> Statement:
    """The statement narrowed to the family's rows: every family-owned query goes through here."""
    return statement.where(model.family_id == family_id)


def get_owned(db: Session, model: type[Row], row_id: int, family_id: int, what: str, *, lock: bool = False) -> Row:
    statement = owned_by(select(model).where(model.id == row_id), model, family_id)
    if lock:
        statement = statement.with_for_update()
    row = db.execute(statement).scalar_one_or_none()
    if row is None:
        raise NotFound(f"{what} not found")
    return row
