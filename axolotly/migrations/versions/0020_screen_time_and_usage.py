"""screen time per kid, family time zone, usage history (partitioned) and its daily rollup

Revision ID: 0020
Revises: 0019
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The family's clock: "today", bedtimes and usage days are read in this IANA zone.
    op.add_column("users", sa.Column("time_zone", sa.String(length=64), server_default="UTC", nullable=False))

    for column in (
        sa.Column("screen_time_enabled", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("school_day_limit_minutes", sa.SmallInteger(), nullable=True),
        sa.Column("weekend_limit_minutes", sa.SmallInteger(), nullable=True),
        sa.Column("school_day_bedtime_start", sa.Time(), nullable=True),
        sa.Column("school_day_bedtime_end", sa.Time(), nullable=True),
        sa.Column("weekend_bedtime_start", sa.Time(), nullable=True),
        sa.Column("weekend_bedtime_end", sa.Time(), nullable=True),
        sa.Column("bonus_minutes", sa.SmallInteger(), server_default="0", nullable=False),
        sa.Column("bonus_day", sa.Date(), nullable=True),
    ):
        op.add_column("kid_profiles", column)
    for name, condition in (
        ("school_day_limit_range", "school_day_limit_minutes BETWEEN 0 AND 1440"),
        ("weekend_limit_range", "weekend_limit_minutes BETWEEN 0 AND 1440"),
        ("school_day_bedtime", _bedtime_check("school_day")),
        ("weekend_bedtime", _bedtime_check("weekend")),
        ("bonus_minutes_range", "bonus_minutes BETWEEN 0 AND 1440"),
    ):
        op.create_check_constraint(op.f(f"ck_kid_profiles_{name}"), "kid_profiles", condition)

    op.create_table(
        "usage_sessions",
        sa.Column("kid_profile_id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=True),
        sa.Column("title_id", sa.Integer(), nullable=True),
        sa.Column("app_id", sa.String(length=64), nullable=False),
        sa.Column("app_name", sa.String(length=200), server_default="", nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seconds", sa.Integer(), nullable=False),
        sa.CheckConstraint("seconds BETWEEN 0 AND 86400", name=op.f("ck_usage_sessions_seconds_range")),
        sa.CheckConstraint("ended_at >= started_at", name=op.f("ck_usage_sessions_ends_after_start")),
        sa.ForeignKeyConstraint(
            ["kid_profile_id"],
            ["kid_profiles.id"],
            ondelete="CASCADE",
            name=op.f("fk_usage_sessions_kid_profile_id_kid_profiles"),
        ),
        postgresql_partition_by="RANGE (started_at)",
    )
    op.create_index(
        "uq_usage_sessions_identity",
        "usage_sessions",
        ["kid_profile_id", "device_id", "app_id", "started_at"],
        unique=True,
        postgresql_nulls_not_distinct=True,
    )
    # Partitions from last month to two months ahead; the periodic job keeps them ahead from now on.
    op.execute("""
        DO $$
        DECLARE month date;
        BEGIN
            FOR month IN SELECT generate_series(date_trunc('month', now() AT TIME ZONE 'UTC' - interval '31 days'),
                                                date_trunc('month', now() AT TIME ZONE 'UTC' + interval '62 days'),
                                                interval '1 month')
            LOOP
                EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF usage_sessions FOR VALUES FROM (%L) TO (%L)',
                               'usage_sessions_' || to_char(month, '"y"YYYY"m"MM'),
                               month::timestamp AT TIME ZONE 'UTC', (month + interval '1 month') AT TIME ZONE 'UTC');
            END LOOP;
        END $$
    """)

    op.create_table(
        "usage_daily",
        sa.Column("kid_profile_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("app_id", sa.String(length=64), nullable=False),
        sa.Column("title_id", sa.Integer(), nullable=True),
        sa.Column("app_name", sa.String(length=200), server_default="", nullable=False),
        sa.Column("seconds", sa.Integer(), server_default="0", nullable=False),
        sa.Column("sessions", sa.Integer(), server_default="0", nullable=False),
        sa.CheckConstraint("seconds >= 0 AND sessions >= 0", name=op.f("ck_usage_daily_not_negative")),
        sa.ForeignKeyConstraint(
            ["kid_profile_id"],
            ["kid_profiles.id"],
            ondelete="CASCADE",
            name=op.f("fk_usage_daily_kid_profile_id_kid_profiles"),
        ),
        sa.PrimaryKeyConstraint("kid_profile_id", "day", "app_id", name=op.f("pk_usage_daily")),
    )


def _bedtime_check(day_kind: str) -> str:
    start, end = f"{day_kind}_bedtime_start", f"{day_kind}_bedtime_end"
    return f"({start} IS NULL) = ({end} IS NULL) AND ({start} IS NULL OR {start} <> {end})"


def downgrade() -> None:
    op.drop_table("usage_daily")
    op.drop_table("usage_sessions")  # and its partitions
    for name in (
        "bonus_day",
        "bonus_minutes",
        "weekend_bedtime_end",
        "weekend_bedtime_start",
        "school_day_bedtime_end",
        "school_day_bedtime_start",
        "weekend_limit_minutes",
        "school_day_limit_minutes",
        "screen_time_enabled",
    ):
        op.drop_column("kid_profiles", name)  # its check constraints go with it
    op.drop_column("users", "time_zone")
