from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from axolotly.models.base import Base, created_at_column


class PairingRequest(Base):
    """The 3-step flow of older launchers: the device shows `code`, a parent confirms it."""

    __tablename__ = "pairing_requests"
    __table_args__ = (
        Index("idx_pairing_requests_device_id", "device_id", unique=True),
        Index("idx_pairing_requests_code", "code", unique=True),
        Index("idx_pairing_requests_family_id", "family_id"),
        CheckConstraint("code ~ '^[0-9]{6}$'", name="code_six_digits"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[str] = mapped_column(String(255))
    code: Mapped[str] = mapped_column(String(6))
    # Set when a parent confirms; the device's next poll turns the request into a device.
    family_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = created_at_column()
    expires_at: Mapped[datetime]
