from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, String, func
from sqlalchemy.orm import Mapped, mapped_column

from axolotly.models.base import Base


class ImportIdMap(Base):
    """The older backend's id of a row -> Axolotly's id, per source and kind (axolotly/importer/).

    `source` is the older database's identity (its cluster's system identifier and its name): the
    same old id of another installation is another row. `fingerprint` (md5 of the source row) tells
    a second import what changed since the first; `written` is what the import last wrote of the
    columns a parent may change in Axolotly (a device's kid and name) or the titles it wrote a kid's
    policies for, so a top-up neither reverts a parent's change nor deletes a parent's approval.
    No foreign key: `new_id` points at a different table per kind.
    """

    __tablename__ = "import_id_map"

    source: Mapped[str] = mapped_column(String(100), primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), primary_key=True)
    old_id: Mapped[int] = mapped_column(primary_key=True)
    new_id: Mapped[int]
    fingerprint: Mapped[str] = mapped_column(String(32))
    written: Mapped[list[Any] | None]
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
