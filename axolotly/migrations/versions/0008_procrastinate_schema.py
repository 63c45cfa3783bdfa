"""procrastinate's job tables and functions (durable jobs on the same database)

Revision ID: 0008
Revises: 0007

Applies the schema of the pinned procrastinate version (pyproject.toml). Upgrading procrastinate
means a new migration that runs the package's own migration files for the versions in between.
"""

from alembic import op
from procrastinate.schema import SchemaManager

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(SchemaManager.get_schema())


def downgrade() -> None:
    op.execute("""
        DROP TABLE IF EXISTS procrastinate_events, procrastinate_periodic_defers,
            procrastinate_jobs, procrastinate_workers CASCADE;
        DO $$
        DECLARE r record;
        BEGIN
            FOR r IN SELECT p.oid::regprocedure AS signature FROM pg_proc p
                     WHERE p.pronamespace = 'public'::regnamespace AND p.proname LIKE 'procrastinate%'
            LOOP
                EXECUTE 'DROP ROUTINE IF EXISTS ' || r.signature || ' CASCADE';
            END LOOP;
            FOR r IN SELECT t.typname FROM pg_type t
                     WHERE t.typnamespace = 'public'::regnamespace AND t.typname LIKE 'procrastinate%'
                       AND t.typtype IN ('e', 'c', 'd')
            LOOP
                EXECUTE 'DROP TYPE IF EXISTS ' || quote_ident(r.typname) || ' CASCADE';
            END LOOP;
        END $$;
    """)
