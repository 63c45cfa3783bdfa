"""device care and OTA: what a launcher reports about itself (devices.*), and ota_releases

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def device_info_columns() -> list[sa.Column]:
    """Fresh Column objects per call: alembic binds each to a table, so one cannot be reused."""
    return [
        sa.Column("device_model", sa.String(length=100), nullable=True),
        sa.Column("device_manufacturer", sa.String(length=100), nullable=True),
        sa.Column("app_version", sa.String(length=50), nullable=True),
        sa.Column("app_version_code", sa.Integer(), nullable=True),
        sa.Column("fcm_token", sa.String(length=4096), nullable=True),
        sa.Column("info_updated_at", sa.DateTime(timezone=True), nullable=True),
    ]


def upgrade() -> None:
    for column in device_info_columns():
        op.add_column("devices", column)
    op.create_table(
        "ota_releases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_name", sa.String(length=50), nullable=False),
        sa.Column("version_code", sa.Integer(), nullable=False),
        sa.Column("apk_url", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("min_version_code", sa.Integer(), server_default="0", nullable=False),
        sa.Column("release_notes", sa.Text(), server_default="", nullable=False),
        sa.Column("rollout_percentage", sa.Integer(), server_default="100", nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("channel IN ('production', 'beta')", name=op.f("ck_ota_releases_known_channel")),
        sa.CheckConstraint(
            "rollout_percentage BETWEEN 0 AND 100", name=op.f("ck_ota_releases_rollout_percentage_range")
        ),
        sa.CheckConstraint("sha256 ~ '^[0-9a-f]{64}$'", name=op.f("ck_ota_releases_sha256_hex")),
        sa.CheckConstraint("version_code > 0", name=op.f("ck_ota_releases_version_code_positive")),
        sa.CheckConstraint(
            "min_version_code BETWEEN 0 AND version_code", name=op.f("ck_ota_releases_min_version_code_range")
        ),
        sa.CheckConstraint("apk_url LIKE 'https://%'", name=op.f("ck_ota_releases_apk_url_https")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ota_releases")),
    )
    op.create_index("uq_ota_releases_channel_version_code", "ota_releases", ["channel", "version_code"], unique=True)


def downgrade() -> None:
    op.drop_table("ota_releases")
    for column in reversed(device_info_columns()):
        op.drop_column("devices", column.name)
