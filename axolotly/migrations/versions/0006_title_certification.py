"""titles.certification (TV-Y, PG, ...): the launcher's ageRating

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("titles", sa.Column("certification", sa.String(length=10), nullable=True))


def downgrade() -> None:
    op.drop_column("titles", "certification")
