"""NULL or JSON null in a JSON array column is read as nothing: '[]' (issue 21 review); the last
foreign keys without an index get one

The spec's JSON columns are "Array of ..." without NOT NULL, and the older backend's SQLAlchemy
JSON columns write JSON `null` for None: rows in those shapes, inserted by plain SQL or an older
backend, must be accepted ("we add, we never take away"), while every reader here takes an array.
A BEFORE trigger per table turns SQL NULL and JSON null into '[]' before the NOT NULL and array
checks look (PostgreSQL checks constraints after BEFORE triggers), so readers stay simple and the
row is accepted. `UPDATE OF` limits the cost to writes that name one of the columns (the launcher
version bumps of kid_profiles do not).
"""

from alembic import op

revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None

ARRAY_COLUMNS = {
    "titles": ("genres", "providers", "tags"),
    "episodes": ("tags",),
    "kid_profiles": ("blocked_tags",),
    "streaming_service_selection": ("selected_services",),
}


def _function(table: str) -> str:
    return f"{table}_json_nothing_is_empty"


# Foreign keys set to NULL when a parent is deleted: without an index, each deletion scanned the table.
ANSWERED_BY_INDEXES = (
    ("idx_family_invitations_accepted_by", "family_invitations", "accepted_by"),
    ("idx_title_requests_answered_by", "title_requests", "answered_by"),
    ("idx_time_requests_answered_by", "time_requests", "answered_by"),
)


def upgrade() -> None:
    for name, table, column in ANSWERED_BY_INDEXES:
        op.create_index(name, table, [column], postgresql_where=f"{column} IS NOT NULL")
    for table, columns in ARRAY_COLUMNS.items():
        body = "\n".join(
            f"    NEW.{column} := COALESCE(NULLIF(NEW.{column}, 'null'::jsonb), '[]'::jsonb);" for column in columns
        )
        op.execute(
            f"CREATE FUNCTION {_function(table)}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            f"BEGIN\n{body}\n    RETURN NEW;\nEND $$"
        )
        op.execute(
            f"CREATE TRIGGER {_function(table)} BEFORE INSERT OR UPDATE OF {', '.join(columns)} ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {_function(table)}()"
        )


def downgrade() -> None:
    for name, table, _ in reversed(ANSWERED_BY_INDEXES):
        op.drop_index(name, table_name=table)
    for table in reversed(ARRAY_COLUMNS):
        op.execute(f"DROP TRIGGER {_function(table)} ON {table}")
        op.execute(f"DROP FUNCTION {_function(table)}()")
