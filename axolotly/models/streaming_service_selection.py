from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, func
from sqlalchemy.orm import Mapped, mapped_column

from axolotly.models.base import Base, json_list_column


class StreamingServiceSelection(Base):
    """The family's services, in the order the launcher shows them."""

    __tablename__ = "streaming_service_selection"
    # One selection per family: the spec's unique index.
    __table_args__ = (
        Index("idx_streaming_family_id", "family_id", unique=True),
        CheckConstraint("jsonb_typeof(selected_services) = 'array'", name="selected_services_array"),  # migration 0029
    )

    id: Mapped[int] = mapped_column(primary_key=True)  # the spec's SERIAL PRIMARY KEY (migration 0027)
    family_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    selected_services: Mapped[list[Any]] = json_list_column()
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
