"""A family's country and a parent's language (issue 25)

`users.country` (ISO 3166-1 alpha-2, on the family owner's row like the time zone) decides the
rating scales a kid's caps are read in, the streaming services a family can pick and where a title
streams; existing families were all read in the US scales, so they start as "US". `users.language`
is each parent's own choice of page language (null: the browser's Accept-Language decides); the
owner's choice is the family's language, in which the kid launcher speaks.

Revision ID: 0034
Revises: 0033
"""

import sqlalchemy as sa
from alembic import op

revision = "0034"
down_revision = "0033"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("users", sa.Column("country", sa.String(length=2), server_default="US", nullable=False))
    op.add_column("users", sa.Column("language", sa.String(length=2), nullable=True))
    op.create_check_constraint(op.f("ck_users_country"), "users", "country ~ '^[A-Z]{2}$'")
    op.create_check_constraint(op.f("ck_users_language"), "users", "language IN ('en', 'de', 'es', 'fr')")


def downgrade() -> None:
    op.drop_constraint(op.f("ck_users_language"), "users", type_="check")
    op.drop_constraint(op.f("ck_users_country"), "users", type_="check")
    op.drop_column("users", "language")
    op.drop_column("users", "country")
