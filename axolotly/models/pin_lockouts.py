from datetime import datetime

from sqlalchemy import ForeignKey, Index, text
from sqlalchemy.orm import Mapped, mapped_column

from axolotly.models.base import Base, created_at_column


class PinLockout(Base):
    """A kid's profile locked on one device after 5 wrong PINs (families/kids.py).

    Per kid AND device, so a sibling guessing on the tablet cannot lock Emma out of the TV.
    `device_id` NULL is the parent API's own check (POST /api/parent/kids/{id}/verify-pin), which
    locks only itself. The guesses are counted in `rate_limits`; this row is what parents see
    and lift. A row whose `locked_until` has passed is stale and means nothing.
    """

    __tablename__ = "pin_lockouts"
    __table_args__ = (
        # NULLs are distinct here: the parent API's row is kept unique by the partial index below.
        Index("uq_pin_lockouts_kid_device", "kid_profile_id", "device_id", unique=True),
        Index(
            "uq_pin_lockouts_kid_parent_api", "kid_profile_id", unique=True, postgresql_where=text("device_id IS NULL")
        ),
        Index("idx_pin_lockouts_device_id", "device_id"),
        Index("idx_pin_lockouts_family_id", "family_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kid_profile_id: Mapped[int] = mapped_column(ForeignKey("kid_profiles.id", ondelete="CASCADE"))
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"))
    locked_until: Mapped[datetime]
    created_at: Mapped[datetime] = created_at_column()
