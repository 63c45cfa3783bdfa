"""pairing_requests: the older launchers' 3-step pairing (device shows a code, parent confirms)

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pairing_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.String(length=255), nullable=False),
        sa.Column("code", sa.String(length=6), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("code ~ '^[0-9]{6}$'", name=op.f("ck_pairing_requests_code_six_digits")),
        sa.ForeignKeyConstraint(
            ["family_id"], ["users.id"], name=op.f("fk_pairing_requests_family_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pairing_requests")),
    )
    op.create_index("idx_pairing_requests_device_id", "pairing_requests", ["device_id"], unique=True)
    op.create_index("idx_pairing_requests_code", "pairing_requests", ["code"], unique=True)
    op.create_index("idx_pairing_requests_family_id", "pairing_requests", ["family_id"], unique=False)


def downgrade() -> None:
    op.drop_table("pairing_requests")
