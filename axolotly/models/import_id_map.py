from datetime import datetime

from sqlalchemy import DateTime, String, func
from sqlalchemy.orm import Mapped, mapped_column

from axolotly.models.base import Base


class ImportIdMap(Base):
    """The older backend's id of a row -> Axolotly's id, per kind (axolotly/importer/).

    `fingerprint` (md5 of the source row) tells a second import what changed since the first.
    No foreign key: `new_id` points at a different table per kind.
    """

    __tablename__ = "import_id_map"

    kind: Mapped[str] = mapped_column(String(30), primary_key=True)
    old_id: Mapped[int] = mapped_column(primary_key=True)
    new_id: Mapped[int]
    fingerprint: Mapped[str] = mapped_column(String(32))
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
