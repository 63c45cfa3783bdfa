"""devices.api_key_digest: HMAC-SHA256 of the device's API key (the key itself is never stored)

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("devices", sa.Column("api_key_digest", sa.String(length=64), nullable=True))


def downgrade() -> None:
    op.drop_column("devices", "api_key_digest")
