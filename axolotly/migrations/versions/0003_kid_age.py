"""kid_profiles.age (optional, 0-17)

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("kid_profiles", sa.Column("age", sa.SmallInteger(), nullable=True))
    op.create_check_constraint(op.f("ck_kid_profiles_age_range"), "kid_profiles", "age BETWEEN 0 AND 17")


def downgrade() -> None:
    op.drop_constraint(op.f("ck_kid_profiles_age_range"), "kid_profiles", type_="check")
    op.drop_column("kid_profiles", "age")
