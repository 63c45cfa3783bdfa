"""Approvals that end by themselves, the episode that may finish (issue 27)

- `kid_profiles_titles.allowed_until`: an allow that ends at that instant (NULL: for good). Only
  an allow can end. Past it the title is decided by the rules alone, at once: the launcher reads
  `allowed_until > now()` and its ETag names the last allow that ended (launcher/reads.py), so no
  job has to run at that second; a periodic job later removes the ended row and writes the trail.
  Partial indexes: the kid's pending ends (the launcher's statement), and all ends (the job).
- `kid_profiles.episode_grace_minutes`: minutes an episode that started before the day's limit or
  bedtime may run on to finish it (0: off, the default; at most 30). A time-limits change: the
  "t<kid>" notification covers it (notify_kid_changes is redefined with the column).
- `episodes.runtime_minutes`: TMDB's runtime of the episode (NULL: unknown), what the grace needs.

Revision ID: 0040
Revises: 0039
"""

import sqlalchemy as sa
from alembic import op

revision = "0040"
down_revision = "0039"
branch_labels = None
depends_on = None

TIME_COLUMNS = (
    "screen_time_enabled",
    "school_day_limit_minutes",
    "weekend_limit_minutes",
    "school_day_bedtime_start",
    "school_day_bedtime_end",
    "weekend_bedtime_start",
    "weekend_bedtime_end",
    "bonus_minutes",
    "bonus_day",
    "paused_until",
)


def _notify_kid_changes(columns: tuple[str, ...]) -> str:
    new = ", ".join(f"NEW.{column}" for column in columns)
    old = ", ".join(f"OLD.{column}" for column in columns)
    return f"""
        CREATE OR REPLACE FUNCTION notify_kid_changes() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
            IF NEW.launcher_version IS DISTINCT FROM OLD.launcher_version THEN
                PERFORM pg_notify('axolotly_kids', NEW.id::text);
            END IF;
            IF ({new}) IS DISTINCT FROM ({old}) THEN
                PERFORM pg_notify('axolotly_kids', 't' || NEW.id);
            END IF;
            RETURN NULL;
        END $$;
    """


def upgrade() -> None:
    op.add_column("kid_profiles_titles", sa.Column("allowed_until", sa.DateTime(timezone=True), nullable=True))
    op.create_check_constraint(
        op.f("ck_kid_profiles_titles_until_allows"),
        "kid_profiles_titles",
        "allowed_until IS NULL OR policy = 'allow'",
    )
    op.create_index(
        "idx_kpt_kid_allowed_until",
        "kid_profiles_titles",
        ["kid_profile_id", "allowed_until"],
        postgresql_where=sa.text("allowed_until IS NOT NULL"),
    )
    op.create_index(
        "idx_kpt_allowed_until",
        "kid_profiles_titles",
        ["allowed_until"],
        postgresql_where=sa.text("allowed_until IS NOT NULL"),
    )
    op.add_column(
        "kid_profiles",
        sa.Column("episode_grace_minutes", sa.SmallInteger(), server_default="0", nullable=False),
    )
    op.create_check_constraint(
        op.f("ck_kid_profiles_episode_grace_range"), "kid_profiles", "episode_grace_minutes BETWEEN 0 AND 30"
    )
    op.add_column("episodes", sa.Column("runtime_minutes", sa.SmallInteger(), nullable=True))
    op.create_check_constraint(op.f("ck_episodes_runtime_range"), "episodes", "runtime_minutes BETWEEN 0 AND 1440")
    op.execute(_notify_kid_changes((*TIME_COLUMNS, "episode_grace_minutes")))


def downgrade() -> None:
    op.execute(_notify_kid_changes(TIME_COLUMNS))
    op.drop_constraint(op.f("ck_episodes_runtime_range"), "episodes", type_="check")
    op.drop_column("episodes", "runtime_minutes")
    op.drop_constraint(op.f("ck_kid_profiles_episode_grace_range"), "kid_profiles", type_="check")
    op.drop_column("kid_profiles", "episode_grace_minutes")
    op.drop_index("idx_kpt_allowed_until", table_name="kid_profiles_titles")
    op.drop_index("idx_kpt_kid_allowed_until", table_name="kid_profiles_titles")
    op.drop_constraint(op.f("ck_kid_profiles_titles_until_allows"), "kid_profiles_titles", type_="check")
    op.drop_column("kid_profiles_titles", "allowed_until")
