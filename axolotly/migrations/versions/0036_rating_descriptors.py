"""Titles keep the content descriptors of their certifications, per country (issue 25)

US TV ratings come with descriptors ("TV-PG-LV": TV-PG for coarse language and violence). The
rating alone is what the scales compare, and `titles.certifications` stays {"US": "TV-PG"} (the
launcher's statement and the decision read it); the descriptors sit beside it as
`titles.rating_descriptors` ({"US": ["L", "V"]}: per country, only where there are some), an
object like `certifications` (migration 0035).

Revision ID: 0036
Revises: 0035
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0036"
down_revision = "0035"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("titles", sa.Column("rating_descriptors", postgresql.JSONB(), server_default="{}", nullable=False))
    op.create_check_constraint(
        op.f("ck_titles_rating_descriptors_object"), "titles", "jsonb_typeof(rating_descriptors) = 'object'"
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_titles_rating_descriptors_object"), "titles", type_="check")
    op.drop_column("titles", "rating_descriptors")
