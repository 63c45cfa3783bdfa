"""co-parents: family_members, family_invitations, and who acted in audit_events

Revision ID: 0016
Revises: 0015

A family stays the owner's users row (family_id columns point at it, as the spec has it);
co-parents are users listed in family_members, invited by single-use tokens.
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "family_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["family_id"], ["users.id"], name=op.f("fk_family_members_family_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_family_members_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_family_members")),
    )
    op.create_index("uq_family_members_user_id", "family_members", ["user_id"], unique=True)
    op.create_index("idx_family_members_family_id", "family_members", ["family_id"], unique=False)
    op.create_table(
        "family_invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("token_digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("accepted_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["family_id"], ["users.id"], name=op.f("fk_family_invitations_family_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["accepted_by"], ["users.id"], name=op.f("fk_family_invitations_accepted_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_family_invitations")),
    )
    op.create_index("uq_family_invitations_token_digest", "family_invitations", ["token_digest"], unique=True)
    op.create_index("idx_family_invitations_family_id", "family_invitations", ["family_id"], unique=False)
    op.add_column("audit_events", sa.Column("actor", sa.String(length=255), nullable=True))


def downgrade() -> None:
    op.drop_column("audit_events", "actor")
    op.drop_table("family_invitations")
    op.drop_table("family_members")
