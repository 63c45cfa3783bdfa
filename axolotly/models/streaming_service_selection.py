from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, PrimaryKeyConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from axolotly.models.base import Base, json_list_column


class StreamingServiceSelection(Base):
    """The family's services, in the order the launcher shows them."""

    __tablename__ = "streaming_service_selection"
    # One selection per family: family_id is the key (no surrogate id, migration 0021), named as the
    # spec's unique index.
    __table_args__ = (PrimaryKeyConstraint("family_id", name="idx_streaming_family_id"),)

    family_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    selected_services: Mapped[list[Any]] = json_list_column()
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
