"""starter packs (admin-curated titles for the family library) and kids' title requests

Revision ID: 0019
Revises: 0018
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "starter_packs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("min_age", sa.SmallInteger(), nullable=True),
        sa.Column("max_age", sa.SmallInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "min_age IS NULL OR max_age IS NULL OR min_age <= max_age", name=op.f("ck_starter_packs_age_range")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_starter_packs")),
    )
    op.create_index("uq_starter_packs_name", "starter_packs", ["name"], unique=True)
    op.create_table(
        "starter_pack_titles",
        sa.Column("pack_id", sa.Integer(), nullable=False),
        sa.Column("title_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["pack_id"],
            ["starter_packs.id"],
            name=op.f("fk_starter_pack_titles_pack_id_starter_packs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["title_id"], ["titles.id"], name=op.f("fk_starter_pack_titles_title_id_titles"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("pack_id", "title_id", name=op.f("pk_starter_pack_titles")),
    )
    op.create_index("idx_starter_pack_titles_title_id", "starter_pack_titles", ["title_id"], unique=False)
    op.create_table(
        "title_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("kid_profile_id", sa.Integer(), nullable=False),
        sa.Column("title_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), server_default="open", nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_by", sa.Integer(), nullable=True),
        sa.CheckConstraint("status IN ('open', 'approved', 'declined')", name=op.f("ck_title_requests_status")),
        sa.ForeignKeyConstraint(
            ["family_id"], ["users.id"], name=op.f("fk_title_requests_family_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["kid_profile_id"],
            ["kid_profiles.id"],
            name=op.f("fk_title_requests_kid_profile_id_kid_profiles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["title_id"], ["titles.id"], name=op.f("fk_title_requests_title_id_titles"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["answered_by"], ["users.id"], name=op.f("fk_title_requests_answered_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_title_requests")),
    )
    op.create_index("idx_title_requests_family_status", "title_requests", ["family_id", "status"], unique=False)
    op.create_index("idx_title_requests_kid_profile_id", "title_requests", ["kid_profile_id"], unique=False)
    op.create_index("idx_title_requests_title_id", "title_requests", ["title_id"], unique=False)
    op.create_index(
        "uq_title_requests_open_kid_title",
        "title_requests",
        ["kid_profile_id", "title_id"],
        unique=True,
        postgresql_where=sa.text("status = 'open'"),
    )


def downgrade() -> None:
    op.drop_table("title_requests")
    op.drop_table("starter_pack_titles")
    op.drop_table("starter_packs")
