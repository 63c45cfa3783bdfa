"""the spec's schema back: policy and selection ids, '[]' accepted; family_titles.added_by indexed (issue 21)

Revision ID: 0027
Revises: 0026

Migration 0021 traded two columns of the spec for bytes; the spec is the floor (rows written in its
shape by plain SQL or an older backend must be accepted), so they come back:
- `kid_profiles_titles.id` and `streaming_service_selection.id`, `SERIAL PRIMARY KEY` as the spec
  writes them; existing rows are numbered by the rewrite ADD COLUMN makes. PostgreSQL appends an
  added column, so `id` is the last column: statements that name their columns (every ORM, the
  spec's own examples) do not see the difference.
- `idx_kpt_profile_title` and `idx_streaming_family_id` are the spec's unique indexes again, no
  longer primary keys.
- `blocked_episodes = '[]'` is accepted, meaning what NULL means: nothing blocked. The app keeps
  writing NULL (models/base.py, SparseJsonList: 8 bytes less a policy row); the launcher's
  statements say `COALESCE(blocked_episodes, '[]')` and the model reads both as []. What stays
  refused is anything but an array (or JSON null, which older SQLAlchemy JSON columns write for
  None): an object or a number would read differently in SQL (`@>`) and in Python.
- `family_titles.added_by` gets an index: removing a co-parent sets it to NULL through the foreign
  key, which scanned the whole table.

Both policy and selection tables are rewritten (ADD COLUMN with a sequence default) under an
ACCESS EXCLUSIVE lock: upgrade a large database in a maintenance window.
"""

from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None

BLOCKED_ARRAY = "blocked_episodes IS NULL OR jsonb_typeof(blocked_episodes) IN ('array', 'null')"
BLOCKED_NOT_EMPTY_0021 = (
    "blocked_episodes IS NULL OR (jsonb_typeof(blocked_episodes) = 'array' AND blocked_episodes <> '[]')"
)


def upgrade() -> None:
    op.drop_constraint(op.f("ck_kid_profiles_titles_blocked_episodes_not_empty"), "kid_profiles_titles", type_="check")
    op.create_check_constraint(
        op.f("ck_kid_profiles_titles_blocked_episodes_array"), "kid_profiles_titles", BLOCKED_ARRAY
    )
    op.execute("""
        ALTER TABLE kid_profiles_titles DROP CONSTRAINT idx_kpt_profile_title;
        ALTER TABLE kid_profiles_titles ADD COLUMN id serial;
        ALTER TABLE kid_profiles_titles ADD CONSTRAINT pk_kid_profiles_titles PRIMARY KEY (id);
        CREATE UNIQUE INDEX idx_kpt_profile_title ON kid_profiles_titles (kid_profile_id, title_id);

        ALTER TABLE streaming_service_selection DROP CONSTRAINT idx_streaming_family_id;
        ALTER TABLE streaming_service_selection ADD COLUMN id serial;
        ALTER TABLE streaming_service_selection ADD CONSTRAINT pk_streaming_service_selection PRIMARY KEY (id);
        CREATE UNIQUE INDEX idx_streaming_family_id ON streaming_service_selection (family_id);
    """)
    op.create_index("idx_family_titles_added_by", "family_titles", ["added_by"])


def downgrade() -> None:
    op.drop_index("idx_family_titles_added_by", table_name="family_titles")
    op.execute("""
        ALTER TABLE streaming_service_selection DROP CONSTRAINT pk_streaming_service_selection;
        ALTER TABLE streaming_service_selection DROP COLUMN id;
        ALTER TABLE streaming_service_selection
            ADD CONSTRAINT idx_streaming_family_id PRIMARY KEY USING INDEX idx_streaming_family_id;

        ALTER TABLE kid_profiles_titles DROP CONSTRAINT pk_kid_profiles_titles;
        ALTER TABLE kid_profiles_titles DROP COLUMN id;
        ALTER TABLE kid_profiles_titles ADD CONSTRAINT idx_kpt_profile_title PRIMARY KEY USING INDEX idx_kpt_profile_title;
    """)
    op.drop_constraint(op.f("ck_kid_profiles_titles_blocked_episodes_array"), "kid_profiles_titles", type_="check")
    # 0021 has one spelling of "nothing blocked".
    op.execute("UPDATE kid_profiles_titles SET blocked_episodes = NULL WHERE blocked_episodes IN ('[]', 'null')")
    op.create_check_constraint(
        op.f("ck_kid_profiles_titles_blocked_episodes_not_empty"), "kid_profiles_titles", BLOCKED_NOT_EMPTY_0021
    )
