"""kid_profiles.launcher_version, bumped by triggers on everything a kid's launcher shows

Revision ID: 0012
Revises: 0011

The launcher's ETag is (kid, launcher_version). Triggers, not application code, bump it, so no
code path (API, admin, worker, psql) can change what a kid sees without changing the ETag.
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

TRIGGERS = {
    # table: what to bump when its rows change
    "kid_profiles_titles": """
        UPDATE kid_profiles SET launcher_version = nextval('launcher_version_seq')
        WHERE id IN (SELECT kid_profile_id FROM changed_rows);""",
    "streaming_service_selection": """
        UPDATE kid_profiles SET launcher_version = nextval('launcher_version_seq')
        WHERE family_id IN (SELECT family_id FROM changed_rows);""",
    "titles": """
        UPDATE kid_profiles SET launcher_version = nextval('launcher_version_seq')
        WHERE id IN (SELECT p.kid_profile_id FROM kid_profiles_titles p JOIN changed_rows c ON p.title_id = c.id);""",
    "episodes": """
        UPDATE kid_profiles SET launcher_version = nextval('launcher_version_seq')
        WHERE id IN (SELECT p.kid_profile_id FROM kid_profiles_titles p JOIN changed_rows c ON p.title_id = c.title_id);""",
    "episode_links": """
        UPDATE kid_profiles SET launcher_version = nextval('launcher_version_seq')
        WHERE id IN (SELECT p.kid_profile_id FROM kid_profiles_titles p
                     JOIN episodes e ON e.title_id = p.title_id JOIN changed_rows c ON c.episode_id = e.id);""",
}


# On UPDATE of catalog rows only columns the launcher shows count (a TMDB re-sync that changes
# nothing visible, or only last_synced, keeps every ETag).
VISIBLE_UPDATES = {
    "titles": """
        UPDATE kid_profiles SET launcher_version = nextval('launcher_version_seq')
        WHERE id IN (SELECT p.kid_profile_id FROM kid_profiles_titles p
                     JOIN changed_rows c ON p.title_id = c.id JOIN old_rows o ON o.id = c.id
                     WHERE (c.title, c.media_type, c.poster_path, c.backdrop_path, c.certification, c.providers)
                           IS DISTINCT FROM
                           (o.title, o.media_type, o.poster_path, o.backdrop_path, o.certification, o.providers));""",
    "episodes": """
        UPDATE kid_profiles SET launcher_version = nextval('launcher_version_seq')
        WHERE id IN (SELECT p.kid_profile_id FROM kid_profiles_titles p
                     JOIN changed_rows c ON p.title_id = c.title_id JOIN old_rows o ON o.id = c.id
                     WHERE (c.season_number, c.episode_number, c.name, c.title_id)
                           IS DISTINCT FROM (o.season_number, o.episode_number, o.name, o.title_id));""",
}


def upgrade() -> None:
    op.execute("CREATE SEQUENCE launcher_version_seq")
    op.add_column("kid_profiles", sa.Column("launcher_version", sa.BigInteger(), server_default="0", nullable=False))
    for table, body in TRIGGERS.items():
        # Statement-level triggers with transition tables: one UPDATE per statement, however many rows.
        for event, tables in (
            ("INSERT", "NEW TABLE AS changed_rows"),
            ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS changed_rows"),
            ("DELETE", "OLD TABLE AS changed_rows"),
        ):
            function = f"bump_launcher_on_{table}_{event.lower()}"
            statement = VISIBLE_UPDATES.get(table, body) if event == "UPDATE" else body
            op.execute(f"""
                CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN {statement}
                RETURN NULL; END $$;
                CREATE TRIGGER {function} AFTER {event} ON {table}
                REFERENCING {tables} FOR EACH STATEMENT EXECUTE FUNCTION {function}();
            """)


def downgrade() -> None:
    for table in TRIGGERS:
        for event in ("insert", "update", "delete"):
            function = f"bump_launcher_on_{table}_{event}"
            op.execute(f"DROP TRIGGER IF EXISTS {function} ON {table}; DROP FUNCTION IF EXISTS {function}();")
    op.drop_column("kid_profiles", "launcher_version")
    op.execute("DROP SEQUENCE launcher_version_seq")
