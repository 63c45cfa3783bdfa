from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, false
from sqlalchemy.orm import Mapped, mapped_column

from axolotly.models.base import Base, created_at_column


class PairingCode(Base):
    __tablename__ = "pairing_codes"
    __table_args__ = (
        Index("idx_pairing_codes_code", "code", unique=True),
        Index("idx_pairing_codes_expires_at", "expires_at"),
        Index("idx_pairing_codes_family_id", "family_id"),
        CheckConstraint("code ~ '^[0-9]{6}$'", name="code_six_digits"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(6))
    family_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = created_at_column()
    expires_at: Mapped[datetime]
    used: Mapped[bool] = mapped_column(server_default=false())
