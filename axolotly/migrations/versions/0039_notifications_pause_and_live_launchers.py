"""Notifications, "pause now", and launchers told of changes at once (issue 26)

- `notifications`: what a parent is told (one row per recipient: the in-app list, read or not),
  written in the transaction of the event itself; `notification_deliveries`: the outbox of the
  outbound channels (email), one row per notification and channel (the idempotency key), delivered
  by a job, retried, its last failure kept for the admin. `dedupe_key` makes a notice that must be
  sent once (the weekly summary of one week) unique per recipient.
- `users.notifications_off` (event.channel pairs a parent turned off; every other one is on) and
  quiet hours (`quiet_hours_start/end`, in the family's zone: emails wait until they end).
- `kid_profiles.paused_until`: a parent's "pause now" (screen time off until then).
- `devices.held_version` / `held_since`: the launcher version the device last fetched and since
  when (proof that a change arrived); written only when it changes.
- Triggers `pg_notify('axolotly_kids', …)`: "<kid id>" when a kid's launcher version moves,
  "t<kid id>" when what /api/time-limits answers may have changed (screen-time settings, bonus,
  pause, the family's zone), "d<device id>" when a device changes kid or is unpaired. Each server
  worker LISTENs once and wakes the held polls of exactly those kids and devices.

Revision ID: 0039
Revises: 0038
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0039"
down_revision = "0038"
branch_labels = None
depends_on = None

EVENTS = (
    "title_request",
    "pin_locked",
    "device_paired",
    "device_repairing",
    "limit_reached",
    "co_parent_joined",
    "co_parent_left",
    "weekly_summary",
)
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


def _row(prefix: str) -> str:
    return ", ".join(f"{prefix}.{column}" for column in TIME_COLUMNS)


def upgrade() -> None:
    op.add_column("kid_profiles", sa.Column("paused_until", sa.DateTime(timezone=True), nullable=True))
    op.add_column("devices", sa.Column("held_version", sa.BigInteger(), nullable=True))
    op.add_column("devices", sa.Column("held_since", sa.DateTime(timezone=True), nullable=True))
    op.add_column("users", sa.Column("notifications_off", postgresql.JSONB(), server_default="[]", nullable=False))
    op.add_column("users", sa.Column("quiet_hours_start", sa.Time(), nullable=True))
    op.add_column("users", sa.Column("quiet_hours_end", sa.Time(), nullable=True))
    op.create_check_constraint(
        op.f("ck_users_notifications_off_array"), "users", "jsonb_typeof(notifications_off) = 'array'"
    )
    op.create_check_constraint(
        op.f("ck_users_quiet_hours"),
        "users",
        "(quiet_hours_start IS NULL) = (quiet_hours_end IS NULL) "
        "AND (quiet_hours_start IS NULL OR quiet_hours_start <> quiet_hours_end)",
    )

    events = ", ".join(f"'{event}'" for event in EVENTS)
    op.create_table(
        "notifications",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("family_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("recipient_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("event", sa.String(30), nullable=False),
        sa.Column("kid_profile_id", sa.Integer(), sa.ForeignKey("kid_profiles.id", ondelete="SET NULL")),
        sa.Column("facts", postgresql.JSONB(), server_default="{}", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True)),
        sa.Column("dedupe_key", sa.String(60)),
        sa.CheckConstraint(f"event IN ({events})", name=op.f("ck_notifications_event")),
        sa.CheckConstraint("jsonb_typeof(facts) = 'object'", name=op.f("ck_notifications_facts_object")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    op.create_index("idx_notifications_recipient_created", "notifications", ["recipient_id", "created_at"])
    op.create_index(
        "idx_notifications_unread", "notifications", ["recipient_id"], postgresql_where=sa.text("read_at IS NULL")
    )
    op.create_index("idx_notifications_family_id", "notifications", ["family_id"])
    op.create_index(
        "idx_notifications_kid_profile_id",
        "notifications",
        ["kid_profile_id"],
        postgresql_where=sa.text("kid_profile_id IS NOT NULL"),
    )
    op.create_index(
        "uq_notifications_once",
        "notifications",
        ["recipient_id", "event", "dedupe_key"],
        unique=True,
        postgresql_where=sa.text("dedupe_key IS NOT NULL"),
    )

    op.create_table(
        "notification_deliveries",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column(
            "notification_id",
            sa.BigInteger(),
            sa.ForeignKey("notifications.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("status", sa.String(10), server_default="pending", nullable=False),
        sa.Column("attempts", sa.SmallInteger(), server_default="0", nullable=False),
        sa.Column("not_before", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("last_error", sa.String(500)),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("channel IN ('email')", name=op.f("ck_notification_deliveries_channel")),
        sa.CheckConstraint("status IN ('pending', 'sent', 'failed')", name=op.f("ck_notification_deliveries_status")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_deliveries")),
    )
    # The idempotency key: one delivery per notification (so per recipient and event) and channel.
    op.create_index(
        "uq_notification_deliveries_notification_channel",
        "notification_deliveries",
        ["notification_id", "channel"],
        unique=True,
    )
    op.create_index(
        "idx_notification_deliveries_waiting",
        "notification_deliveries",
        ["not_before"],
        postgresql_where=sa.text("status = 'pending'"),
    )

    op.execute(f"""
        CREATE FUNCTION notify_kid_changes() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
            IF NEW.launcher_version IS DISTINCT FROM OLD.launcher_version THEN
                PERFORM pg_notify('axolotly_kids', NEW.id::text);
            END IF;
            IF ({_row("NEW")}) IS DISTINCT FROM ({_row("OLD")}) THEN
                PERFORM pg_notify('axolotly_kids', 't' || NEW.id);
            END IF;
            RETURN NULL;
        END $$;
        CREATE TRIGGER kid_profiles_notify AFTER UPDATE ON kid_profiles
            FOR EACH ROW EXECUTE FUNCTION notify_kid_changes();

        CREATE FUNCTION notify_family_zone() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
            PERFORM pg_notify('axolotly_kids', 't' || k.id) FROM kid_profiles k WHERE k.family_id = NEW.id;
            RETURN NULL;
        END $$;
        CREATE TRIGGER users_zone_notify AFTER UPDATE OF time_zone ON users
            FOR EACH ROW WHEN (NEW.time_zone IS DISTINCT FROM OLD.time_zone) EXECUTE FUNCTION notify_family_zone();

        CREATE FUNCTION notify_device_changes() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
            PERFORM pg_notify('axolotly_kids', 'd' || OLD.id);
            RETURN NULL;
        END $$;
        CREATE TRIGGER devices_kid_notify AFTER UPDATE OF kid_profile_id ON devices
            FOR EACH ROW WHEN (NEW.kid_profile_id IS DISTINCT FROM OLD.kid_profile_id)
            EXECUTE FUNCTION notify_device_changes();
        CREATE TRIGGER devices_delete_notify AFTER DELETE ON devices
            FOR EACH ROW EXECUTE FUNCTION notify_device_changes();
    """)


def downgrade() -> None:
    op.execute("""
        DROP TRIGGER devices_delete_notify ON devices;
        DROP TRIGGER devices_kid_notify ON devices;
        DROP FUNCTION notify_device_changes();
        DROP TRIGGER users_zone_notify ON users;
        DROP FUNCTION notify_family_zone();
        DROP TRIGGER kid_profiles_notify ON kid_profiles;
        DROP FUNCTION notify_kid_changes();
    """)
    op.drop_table("notification_deliveries")
    op.drop_table("notifications")
    op.drop_constraint(op.f("ck_users_quiet_hours"), "users", type_="check")
    op.drop_constraint(op.f("ck_users_notifications_off_array"), "users", type_="check")
    op.drop_column("users", "quiet_hours_end")
    op.drop_column("users", "quiet_hours_start")
    op.drop_column("users", "notifications_off")
    op.drop_column("devices", "held_since")
    op.drop_column("devices", "held_version")
    op.drop_column("kid_profiles", "paused_until")
