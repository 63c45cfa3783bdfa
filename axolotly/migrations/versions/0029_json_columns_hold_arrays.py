"""every JSON column holds an array (issue 21)

The spec describes each JSON column as an "Array of ...", and every reader (pages, API schemas,
the launcher's `@>` and `jsonb_array_elements`) takes it as one: an object or a number written by
hand was a 500 on pages of every family that sees the row. A check per column now refuses anything
but an array; `kid_profiles_titles.blocked_episodes` has had its own since 0027 (NULL, an array or
JSON null, all "nothing blocked").

Rows already holding something else (an object, a string, a number, JSON null) would make the new
check fail, so they are first set to '[]' (no genres, providers, tags, blocked tags, services): a
value no reader could use becomes "nothing", which is what the pages would have shown had they not
crashed. That update fires the ETag triggers, so the launcher versions of the kids who see those
rows are bumped: right, since what their launcher shows may change. Only rows with a non-array
are touched; the checks then scan each table once under its lock.
"""

from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None

# (table, column): the check's name is "<column>_array" (models/base.py NAMING_CONVENTION adds "ck_<table>_").
ARRAY_COLUMNS = (
    ("titles", "genres"),
    ("titles", "providers"),
    ("titles", "tags"),
    ("episodes", "tags"),
    ("kid_profiles", "blocked_tags"),
    ("streaming_service_selection", "selected_services"),
)


def upgrade() -> None:
    for table, column in ARRAY_COLUMNS:
        op.execute(f"UPDATE {table} SET {column} = '[]' WHERE jsonb_typeof({column}) <> 'array'")
        op.create_check_constraint(op.f(f"ck_{table}_{column}_array"), table, f"jsonb_typeof({column}) = 'array'")


def downgrade() -> None:
    for table, column in reversed(ARRAY_COLUMNS):
        op.drop_constraint(op.f(f"ck_{table}_{column}_array"), table, type_="check")
