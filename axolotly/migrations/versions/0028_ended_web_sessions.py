"""Log-out ends the session on the server (issue 21)

Page session tokens carry a random session id (`sid`); logging out records it here until the
token would have expired, and a page request whose session id is listed is not signed in. The
cleanup job prunes expired rows. Page sessions issued before this revision carry no session id
and are refused: everyone logs in once more after the upgrade.

Revision ID: 0028
Revises: 0027
"""

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ended_web_sessions",
        sa.Column("sid", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sid", name=op.f("pk_ended_web_sessions")),
    )
    op.create_index("idx_ended_web_sessions_expires_at", "ended_web_sessions", ["expires_at"])


def downgrade() -> None:
    op.drop_table("ended_web_sessions")
