"""No JIT compilation for this database's statements (issue 25 review)

The launcher statement over a 2,000-title library is planned with generous row estimates (the JSON
arrays it unnests), which crosses `jit_above_cost`: PostgreSQL then spent ~3 s compiling a
statement that runs in ~100 ms. Every statement of this app is short OLTP work, so JIT never pays.
Set per database (`ALTER DATABASE ... SET jit = off`), which reaches every new session, through
PgBouncer too. A role that may not alter the database gets a notice and the operator's setting
stays (docs/operations.md says to set `jit = off` then).

Revision ID: 0038
Revises: 0037
"""

from alembic import op

revision = "0038"
down_revision = "0037"
branch_labels = None
depends_on = None


def _alter_database(clause: str) -> None:
    op.execute(
        f"""
        DO $$
        BEGIN
            EXECUTE format('ALTER DATABASE %I {clause}', current_database());
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE NOTICE 'jit stays as configured: this role may not alter the database';
        END $$;
        """
    )


def upgrade() -> None:
    _alter_database("SET jit = off")
    op.execute("SET jit = off")  # this session too


def downgrade() -> None:
    _alter_database("RESET jit")
