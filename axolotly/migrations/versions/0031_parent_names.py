"""Parents' display names, and which sign-outs a password change caused (issue 23)

`users.display_name` (null: the pages name the parent by email) is how the members page, the
activity trail and answered requests name a parent. `users.password_changed_epoch` is the token
epoch a password change (or reset) moved the account to: a page session older than it was signed
out by that change, and the log-in page says so (one "sign out everywhere" says nothing of the
kind). Both are null until used: no byte more per family until then.

Revision ID: 0031
Revises: 0030
"""

import sqlalchemy as sa
from alembic import op

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("users", sa.Column("display_name", sa.String(length=100), nullable=True))
    op.add_column("users", sa.Column("password_changed_epoch", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column("users", "password_changed_epoch")
    op.drop_column("users", "display_name")
