"""pg_trgm similarity search over titles (issue 15)

Revision ID: 0024
Revises: 0023
"""

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it.
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_index(
        "idx_titles_title_trgm",
        "titles",
        ["title"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"title": "gin_trgm_ops"},
    )


def downgrade() -> None:
    op.drop_index(
        "idx_titles_title_trgm", table_name="titles", postgresql_using="gin", postgresql_ops={"title": "gin_trgm_ops"}
    )
    op.execute(sa.text("DROP EXTENSION IF EXISTS pg_trgm"))
