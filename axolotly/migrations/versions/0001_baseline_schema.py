"""baseline schema

Revision ID: 0001
Revises:
Create Date: 2026-11-25 08:46:12.522297

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""

    op.create_table(
        "content_tags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=100), nullable=False),
        sa.Column("category", sa.String(length=50), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_tags")),
    )
    op.create_index("idx_content_tags_tag", "content_tags", ["tag"], unique=True)
    op.create_table(
        "titles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tmdb_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("media_type", sa.String(length=20), nullable=False),
        sa.Column("overview", sa.Text(), nullable=True),
        sa.Column("poster_path", sa.String(length=255), nullable=True),
        sa.Column("backdrop_path", sa.String(length=255), nullable=True),
        sa.Column("release_date", sa.Date(), nullable=True),
        sa.Column("rating", sa.String(length=10), nullable=True),
        sa.Column("genres", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False),
        sa.Column("providers", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False),
        sa.Column("tags", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False),
        sa.Column("last_synced", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("media_type IN ('movie', 'tv')", name=op.f("ck_titles_media_type")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_titles")),
    )
    op.create_index("idx_titles_media_type", "titles", ["media_type"], unique=False)
    op.create_index("idx_titles_tmdb_id", "titles", ["tmdb_id"], unique=True)
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=255), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=50), server_default="parent", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("role IN ('parent', 'admin')", name=op.f("ck_users_role")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
    )
    op.create_index("idx_users_email", "users", ["email"], unique=True)
    op.create_index("idx_users_role", "users", ["role"], unique=False)
    op.create_table(
        "content_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("title_id", sa.Integer(), nullable=False),
        sa.Column("issue_type", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=50), server_default="pending", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'resolved', 'dismissed')", name=op.f("ck_content_reports_status")),
        sa.ForeignKeyConstraint(
            ["family_id"], ["users.id"], name=op.f("fk_content_reports_family_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["title_id"], ["titles.id"], name=op.f("fk_content_reports_title_id_titles"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_reports")),
    )
    op.create_index("idx_content_reports_family_id", "content_reports", ["family_id"], unique=False)
    op.create_index("idx_content_reports_status", "content_reports", ["status"], unique=False)
    op.create_index("idx_content_reports_title_id", "content_reports", ["title_id"], unique=False)
    op.create_table(
        "episodes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tmdb_episode_id", sa.Integer(), nullable=False),
        sa.Column("title_id", sa.Integer(), nullable=False),
        sa.Column("season_number", sa.Integer(), nullable=False),
        sa.Column("episode_number", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=True),
        sa.Column("overview", sa.Text(), nullable=True),
        sa.Column("air_date", sa.Date(), nullable=True),
        sa.Column("thumbnail_path", sa.String(length=255), nullable=True),
        sa.Column("tags", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False),
        sa.ForeignKeyConstraint(
            ["title_id"], ["titles.id"], name=op.f("fk_episodes_title_id_titles"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_episodes")),
        sa.UniqueConstraint("tmdb_episode_id", name=op.f("uq_episodes_tmdb_episode_id")),
    )
    op.create_index(
        "idx_episodes_season_episode", "episodes", ["title_id", "season_number", "episode_number"], unique=False
    )
    op.create_index("idx_episodes_title_id", "episodes", ["title_id"], unique=False)
    op.create_table(
        "kid_profiles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("pin_hash", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "pin_hash ~ '^\\$2[aby]\\$\\d\\d\\$[./A-Za-z0-9]{53}$'", name=op.f("ck_kid_profiles_pin_hash_is_bcrypt")
        ),
        sa.ForeignKeyConstraint(
            ["family_id"], ["users.id"], name=op.f("fk_kid_profiles_family_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kid_profiles")),
    )
    op.create_index("idx_kid_profiles_family_id", "kid_profiles", ["family_id"], unique=False)
    op.create_table(
        "pairing_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=6), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.CheckConstraint("code ~ '^[0-9]{6}$'", name=op.f("ck_pairing_codes_code_six_digits")),
        sa.ForeignKeyConstraint(
            ["family_id"], ["users.id"], name=op.f("fk_pairing_codes_family_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pairing_codes")),
    )
    op.create_index("idx_pairing_codes_code", "pairing_codes", ["code"], unique=True)
    op.create_index("idx_pairing_codes_expires_at", "pairing_codes", ["expires_at"], unique=False)
    op.create_index("idx_pairing_codes_family_id", "pairing_codes", ["family_id"], unique=False)
    op.create_table(
        "streaming_service_selection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("selected_services", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["family_id"], ["users.id"], name=op.f("fk_streaming_service_selection_family_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_streaming_service_selection")),
    )
    op.create_index("idx_streaming_family_id", "streaming_service_selection", ["family_id"], unique=True)
    op.create_table(
        "devices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.String(length=255), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("kid_profile_id", sa.Integer(), nullable=True),
        sa.Column("friendly_name", sa.String(length=100), nullable=True),
        sa.Column("paired_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("last_active", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["family_id"], ["users.id"], name=op.f("fk_devices_family_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["kid_profile_id"],
            ["kid_profiles.id"],
            name=op.f("fk_devices_kid_profile_id_kid_profiles"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_devices")),
    )
    op.create_index("idx_devices_device_id", "devices", ["device_id"], unique=True)
    op.create_index("idx_devices_family_id", "devices", ["family_id"], unique=False)
    op.create_index("idx_devices_kid_profile_id", "devices", ["kid_profile_id"], unique=False)
    op.create_table(
        "episode_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("episode_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=50), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("verified", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("reported_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("reported_count >= 0", name=op.f("ck_episode_links_reported_count_not_negative")),
        sa.ForeignKeyConstraint(
            ["episode_id"], ["episodes.id"], name=op.f("fk_episode_links_episode_id_episodes"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_episode_links")),
    )
    op.create_index("idx_episode_links_episode_platform", "episode_links", ["episode_id", "platform"], unique=False)
    op.create_table(
        "kid_profiles_titles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kid_profile_id", sa.Integer(), nullable=False),
        sa.Column("title_id", sa.Integer(), nullable=False),
        sa.Column("policy", sa.String(length=20), nullable=False),
        sa.Column("blocked_episodes", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("policy IN ('allow', 'deny')", name=op.f("ck_kid_profiles_titles_policy")),
        sa.ForeignKeyConstraint(
            ["kid_profile_id"],
            ["kid_profiles.id"],
            name=op.f("fk_kid_profiles_titles_kid_profile_id_kid_profiles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["title_id"], ["titles.id"], name=op.f("fk_kid_profiles_titles_title_id_titles"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kid_profiles_titles")),
    )
    op.create_index("idx_kpt_profile_title", "kid_profiles_titles", ["kid_profile_id", "title_id"], unique=True)
    op.create_index("idx_kpt_title_id", "kid_profiles_titles", ["title_id"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""

    op.drop_index("idx_kpt_title_id", table_name="kid_profiles_titles")
    op.drop_index("idx_kpt_profile_title", table_name="kid_profiles_titles")
    op.drop_table("kid_profiles_titles")
    op.drop_index("idx_episode_links_episode_platform", table_name="episode_links")
    op.drop_table("episode_links")
    op.drop_index("idx_devices_kid_profile_id", table_name="devices")
    op.drop_index("idx_devices_family_id", table_name="devices")
    op.drop_index("idx_devices_device_id", table_name="devices")
    op.drop_table("devices")
    op.drop_index("idx_streaming_family_id", table_name="streaming_service_selection")
    op.drop_table("streaming_service_selection")
    op.drop_index("idx_pairing_codes_family_id", table_name="pairing_codes")
    op.drop_index("idx_pairing_codes_expires_at", table_name="pairing_codes")
    op.drop_index("idx_pairing_codes_code", table_name="pairing_codes")
    op.drop_table("pairing_codes")
    op.drop_index("idx_kid_profiles_family_id", table_name="kid_profiles")
    op.drop_table("kid_profiles")
    op.drop_index("idx_episodes_title_id", table_name="episodes")
    op.drop_index("idx_episodes_season_episode", table_name="episodes")
    op.drop_table("episodes")
    op.drop_index("idx_content_reports_title_id", table_name="content_reports")
    op.drop_index("idx_content_reports_status", table_name="content_reports")
    op.drop_index("idx_content_reports_family_id", table_name="content_reports")
    op.drop_table("content_reports")
    op.drop_index("idx_users_role", table_name="users")
    op.drop_index("idx_users_email", table_name="users")
    op.drop_table("users")
    op.drop_index("idx_titles_tmdb_id", table_name="titles")
    op.drop_index("idx_titles_media_type", table_name="titles")
    op.drop_table("titles")
    op.drop_index("idx_content_tags_tag", table_name="content_tags")
    op.drop_table("content_tags")
