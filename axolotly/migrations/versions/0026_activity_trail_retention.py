"""an index on audit_events.created_at for AUDIT_RETENTION_DAYS (issue 16)

Revision ID: 0026
Revises: 0025

The daily job deletes events past retention in batches, oldest first, through this index. Not
BRIN, though the trail is appended in time order: deleted space is reused by new events, and a
BRIN range's summary only ever widens, so every range that once held old events would keep
matching and be read again each day.
"""

from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("idx_audit_events_created_at", "audit_events", ["created_at"], unique=False)


def downgrade() -> None:
    op.drop_index("idx_audit_events_created_at", table_name="audit_events")
