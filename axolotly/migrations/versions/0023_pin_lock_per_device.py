"""PIN lockout per kid profile and device (issue 15)

A lock moves from kid_profiles (one per profile: a sibling on another device could lock a kid out
everywhere) to pin_lockouts, one row per kid and device (device NULL: the parent API's check).
Locks of the old kind are not carried over (their device is unknown): at most 15 minutes of an
existing lockout are lifted by the upgrade. The old per-profile guess counters go with them.

Revision ID: 0023
Revises: 0022
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pin_lockouts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("kid_profile_id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=True),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["family_id"], ["users.id"], name=op.f("fk_pin_lockouts_family_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["kid_profile_id"],
            ["kid_profiles.id"],
            name=op.f("fk_pin_lockouts_kid_profile_id_kid_profiles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["device_id"], ["devices.id"], name=op.f("fk_pin_lockouts_device_id_devices"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pin_lockouts")),
    )
    op.create_index("uq_pin_lockouts_kid_device", "pin_lockouts", ["kid_profile_id", "device_id"], unique=True)
    op.create_index(
        "uq_pin_lockouts_kid_parent_api",
        "pin_lockouts",
        ["kid_profile_id"],
        unique=True,
        postgresql_where=sa.text("device_id IS NULL"),
    )
    op.create_index("idx_pin_lockouts_device_id", "pin_lockouts", ["device_id"])
    op.create_index("idx_pin_lockouts_family_id", "pin_lockouts", ["family_id"])
    op.drop_constraint(op.f("ck_kid_profiles_pin_failed_attempts_not_negative"), "kid_profiles", type_="check")
    op.drop_column("kid_profiles", "pin_locked_until")
    op.drop_column("kid_profiles", "pin_failed_attempts")
    # Guess counters keyed by profile alone ("pin:kid:<id>"); the new keys name the device too.
    op.execute(r"DELETE FROM rate_limits WHERE key ~ '^pin:kid:[0-9]+$'")


def downgrade() -> None:
    op.add_column(
        "kid_profiles", sa.Column("pin_failed_attempts", sa.SmallInteger(), server_default="0", nullable=False)
    )
    op.add_column("kid_profiles", sa.Column("pin_locked_until", sa.DateTime(timezone=True), nullable=True))
    op.create_check_constraint(
        op.f("ck_kid_profiles_pin_failed_attempts_not_negative"), "kid_profiles", "pin_failed_attempts >= 0"
    )
    # The old display kept one lock per profile: the latest still running.
    op.execute(
        "UPDATE kid_profiles k SET pin_locked_until = l.until FROM "
        "(SELECT kid_profile_id, max(locked_until) AS until FROM pin_lockouts WHERE locked_until > now() "
        "GROUP BY kid_profile_id) l WHERE l.kid_profile_id = k.id"
    )
    op.drop_table("pin_lockouts")
    op.execute(r"DELETE FROM rate_limits WHERE key LIKE 'pin:kid:%:%'")
