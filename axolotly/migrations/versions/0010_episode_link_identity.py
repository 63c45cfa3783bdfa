"""one episode_links row per (episode, platform, url), so device reports bump instead of duplicating

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "uq_episode_links_episode_platform_url",
        "episode_links",
        ["episode_id", "platform", sa.text("md5(url)")],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("uq_episode_links_episode_platform_url", table_name="episode_links")
