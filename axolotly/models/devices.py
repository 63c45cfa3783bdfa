from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, Index, LargeBinary, String, false, func
from sqlalchemy.orm import Mapped, mapped_column

from axolotly.models.base import Base


class Device(Base):
    __tablename__ = "devices"
    __table_args__ = (
        Index("idx_devices_device_id", "device_id", unique=True),
        Index("idx_devices_family_id", "family_id"),
        # Kid deletion sets this column to NULL through the foreign key.
        Index("idx_devices_kid_profile_id", "kid_profile_id"),
        Index("idx_devices_watching_kid_id", "watching_kid_id"),
        CheckConstraint("octet_length(api_key_digest) = 32", name="api_key_digest_sha256"),
        CheckConstraint("octet_length(legacy_key_sha256) = 32", name="legacy_key_sha256_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[str] = mapped_column(String(255))
    family_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kid_profile_id: Mapped[int | None] = mapped_column(ForeignKey("kid_profiles.id", ondelete="SET NULL"))
    friendly_name: Mapped[str | None] = mapped_column(String(100))
    paired_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    last_active: Mapped[datetime | None]
    # HMAC-SHA256 (server secret) of the API key, the 32 bytes (not hex: migration 0021); the key
    # itself is shown once and never stored.
    api_key_digest: Mapped[bytes | None] = mapped_column(LargeBinary)
    # A device imported from the older backend (axolotly/importer/): the unsalted SHA-256 of its
    # key, as that backend stored it, until the device's first call replaces it with
    # api_key_digest (launcher/auth.py). NULL for every other device.
    legacy_key_sha256: Mapped[bytes | None] = mapped_column(LargeBinary)
    # What the launcher reports about itself (POST /api/device/info); NULL until it first does.
    device_model: Mapped[str | None] = mapped_column(String(100))
    device_manufacturer: Mapped[str | None] = mapped_column(String(100))
    app_version: Mapped[str | None] = mapped_column(String(50))
    app_version_code: Mapped[int | None]
    # Firebase tokens are ~160 characters today; the bound only keeps a hostile client from
    # storing megabytes.
    fcm_token: Mapped[str | None] = mapped_column(String(4096))
    info_updated_at: Mapped[datetime | None]
    # Migration 0030. False: only the assigned kid uses this device (a web launcher opens their
    # launcher, nobody else's); True: any kid of the family may sign in on it with their PIN.
    any_kid: Mapped[bool] = mapped_column(server_default=false())
    # Who the web launcher showed last, and when (devices/service.py: "who is watching now").
    watching_kid_id: Mapped[int | None] = mapped_column(ForeignKey("kid_profiles.id", ondelete="SET NULL"))
    watching_at: Mapped[datetime | None]
    # Proof of delivery (migration 0039): the kid's launcher version this device last fetched, and
    # since when; written by the launcher's device statement only when it changes (launcher/reads.py).
    held_version: Mapped[int | None] = mapped_column(BigInteger)
    held_since: Mapped[datetime | None]
