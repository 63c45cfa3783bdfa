"""users.token_epoch: a password change or "sign out everywhere" ends every older token and session

Revision ID: 0017
Revises: 0016

Access tokens and page sessions carry the epoch they were issued in (claim `ep`); bumping it
invalidates them all. Tokens issued before this revision carry no epoch and are refused: everyone
signs in again once.
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("users", sa.Column("token_epoch", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    op.drop_column("users", "token_epoch")
