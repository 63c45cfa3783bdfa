from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column

from axolotly.models.base import Base


class Device(Base):
    __tablename__ = "devices"
    __table_args__ = (
        Index("idx_devices_device_id", "device_id", unique=True),
        Index("idx_devices_family_id", "family_id"),
        # Kid deletion sets this column to NULL through the foreign key.
        Index("idx_devices_kid_profile_id", "kid_profile_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[str] = mapped_column(String(255))
    family_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kid_profile_id: Mapped[int | None] = mapped_column(
        ForeignKey("kid_profiles.id", ondelete="SET NULL")
    )
    friendly_name: Mapped[str | None] = mapped_column(String(100))
    paired_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    last_active: Mapped[datetime | None]
    # HMAC-SHA256 (server secret) of the API key; the key itself is shown once and never stored.
    api_key_digest: Mapped[str | None] = mapped_column(String(64))
