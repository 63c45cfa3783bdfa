"""a BRIN index on audit_events.created_at for AUDIT_RETENTION_DAYS (issue 16)

Revision ID: 0026
Revises: 0025

The daily job deletes events past retention in batches; a B-tree on created_at would cost about
20 bytes an event, a BRIN index a few pages for the whole trail (rows are appended in time order).
"""
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("idx_audit_events_created_brin", "audit_events", ["created_at"], unique=False,
                    postgresql_using="brin")


def downgrade() -> None:
    op.drop_index("idx_audit_events_created_brin", table_name="audit_events", postgresql_using="brin")
