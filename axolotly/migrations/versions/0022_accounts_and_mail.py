"""account page and password reset (issue 15)

Revision ID: 0022
Revises: 0021
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # placeholder: filled by the work that owns this revision


def downgrade() -> None:
    pass
