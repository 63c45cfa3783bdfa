"""users.family_name: what a paired launcher shows as its family

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("users", sa.Column("family_name", sa.String(length=100), nullable=True))


def downgrade() -> None:
    op.drop_column("users", "family_name")
