from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from axolotly.models.base import Base, created_at_column

BCRYPT_HASH_PATTERN = r"^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$"


class KidProfile(Base):
    __tablename__ = "kid_profiles"
    __table_args__ = (
        Index("idx_kid_profiles_family_id", "family_id"),
        CheckConstraint(f"pin_hash ~ '{BCRYPT_HASH_PATTERN}'", name="pin_hash_is_bcrypt"),
        CheckConstraint("age BETWEEN 0 AND 17", name="age_range"),
        CheckConstraint("pin_failed_attempts >= 0", name="pin_failed_attempts_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    pin_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = created_at_column()
    age: Mapped[int | None] = mapped_column(SmallInteger)
    # Durable lockout state: five wrong PINs lock the profile (see families/kids.py).
    pin_failed_attempts: Mapped[int] = mapped_column(SmallInteger, server_default="0")
    pin_locked_until: Mapped[datetime | None]
    # Bumped by database triggers whenever anything this kid's launcher shows changes (ETag).
    launcher_version: Mapped[int] = mapped_column(BigInteger, server_default="0")
