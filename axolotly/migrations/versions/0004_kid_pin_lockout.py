"""durable PIN lockout counters on kid_profiles

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "kid_profiles", sa.Column("pin_failed_attempts", sa.SmallInteger(), server_default="0", nullable=False)
    )
    op.add_column("kid_profiles", sa.Column("pin_locked_until", sa.DateTime(timezone=True), nullable=True))
    op.create_check_constraint(
        op.f("ck_kid_profiles_pin_failed_attempts_not_negative"), "kid_profiles", "pin_failed_attempts >= 0"
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_kid_profiles_pin_failed_attempts_not_negative"), "kid_profiles", type_="check")
    op.drop_column("kid_profiles", "pin_locked_until")
    op.drop_column("kid_profiles", "pin_failed_attempts")
