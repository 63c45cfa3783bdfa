"""import from the older backend: id mapping table, legacy device-key digests

Revision ID: 0032
Revises: 0031
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_id_map",
        sa.Column("source", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("old_id", sa.Integer(), nullable=False),
        sa.Column("new_id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(32), nullable=False),
        sa.Column("written", postgresql.JSONB(), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("source", "kind", "old_id", name="pk_import_id_map"),
    )
    op.add_column("devices", sa.Column("legacy_key_sha256", sa.LargeBinary(), nullable=True))
    op.create_check_constraint(
        op.f("ck_devices_legacy_key_sha256_length"), "devices", "octet_length(legacy_key_sha256) = 32"
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_devices_legacy_key_sha256_length"), "devices", type_="check")
    op.drop_column("devices", "legacy_key_sha256")
    op.drop_table("import_id_map")
