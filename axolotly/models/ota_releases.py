from datetime import datetime

from sqlalchemy import CheckConstraint, Index, String, Text, true
from sqlalchemy.orm import Mapped, mapped_column

from axolotly.models.base import Base, created_at_column


class OtaRelease(Base):
    """A launcher APK an admin published; the OTA manifest offers the newest active one per channel.

    The artifact (version, URL, SHA-256) is immutable once published: devices may already hold it
    and check its digest. Only what steers the rollout (active, percentage, minimum, notes) changes.
    """

    __tablename__ = "ota_releases"
    __table_args__ = (
        # Also the manifest's lookup: newest active release of a channel.
        Index("uq_ota_releases_channel_version_code", "channel", "version_code", unique=True),
        CheckConstraint("channel IN ('production', 'beta')", name="known_channel"),
        CheckConstraint("rollout_percentage BETWEEN 0 AND 100", name="rollout_percentage_range"),
        CheckConstraint("sha256 ~ '^[0-9a-f]{64}$'", name="sha256_hex"),
        CheckConstraint("version_code > 0", name="version_code_positive"),
        CheckConstraint("min_version_code BETWEEN 0 AND version_code", name="min_version_code_range"),
        CheckConstraint("apk_url LIKE 'https://%'", name="apk_url_https"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_name: Mapped[str] = mapped_column(String(50))
    version_code: Mapped[int]
    apk_url: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(20))
    # Devices below it must update whatever the rollout says; 0 = no minimum. Never NULL: the
    # manifest sends it as a plain int to a client that parses non-null fields.
    min_version_code: Mapped[int] = mapped_column(server_default="0")
    release_notes: Mapped[str] = mapped_column(Text, server_default="")
    rollout_percentage: Mapped[int] = mapped_column(server_default="100")
    active: Mapped[bool] = mapped_column(server_default=true())
    created_at: Mapped[datetime] = created_at_column()
