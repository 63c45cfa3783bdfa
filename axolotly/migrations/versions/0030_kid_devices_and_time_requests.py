"""Kid devices and time requests: a device's "any kid may use it", who is watching on it, the kid's
"ask a parent" list setting, and kids' requests for more screen time (issue 23).

Revision ID: 0030
Revises: 0029
"""

import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("devices", sa.Column("any_kid", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column("devices", sa.Column("watching_kid_id", sa.Integer(), nullable=True))
    op.add_column("devices", sa.Column("watching_at", sa.DateTime(timezone=True), nullable=True))
    op.create_foreign_key(
        op.f("fk_devices_watching_kid_id_kid_profiles"),
        "devices",
        "kid_profiles",
        ["watching_kid_id"],
        ["id"],
        ondelete="SET NULL",
    )
    op.create_index("idx_devices_watching_kid_id", "devices", ["watching_kid_id"], unique=False)
    op.add_column("kid_profiles", sa.Column("ask_list", sa.Boolean(), nullable=True))
    op.create_table(
        "time_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("kid_profile_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), server_default="open", nullable=False),
        sa.Column("minutes", sa.SmallInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_by", sa.Integer(), nullable=True),
        sa.CheckConstraint("status IN ('open', 'granted', 'declined')", name=op.f("ck_time_requests_status")),
        sa.CheckConstraint("minutes BETWEEN 1 AND 720", name=op.f("ck_time_requests_minutes_range")),
        sa.ForeignKeyConstraint(
            ["family_id"], ["users.id"], name=op.f("fk_time_requests_family_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["kid_profile_id"],
            ["kid_profiles.id"],
            name=op.f("fk_time_requests_kid_profile_id_kid_profiles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["answered_by"], ["users.id"], name=op.f("fk_time_requests_answered_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_time_requests")),
    )
    op.create_index("idx_time_requests_family_status", "time_requests", ["family_id", "status"], unique=False)
    op.create_index("idx_time_requests_kid_day", "time_requests", ["kid_profile_id", "day"], unique=False)
    op.create_index(
        "uq_time_requests_open_kid",
        "time_requests",
        ["kid_profile_id"],
        unique=True,
        postgresql_where=sa.text("status = 'open'"),
    )


def downgrade() -> None:
    op.drop_table("time_requests")
    op.drop_column("kid_profiles", "ask_list")
    op.drop_index("idx_devices_watching_kid_id", table_name="devices")
    op.drop_constraint(op.f("fk_devices_watching_kid_id_kid_profiles"), "devices", type_="foreignkey")
    op.drop_column("devices", "watching_at")
    op.drop_column("devices", "watching_kid_id")
    op.drop_column("devices", "any_kid")
