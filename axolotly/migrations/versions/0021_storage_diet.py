"""storage per family under 10,000 bytes (issue 16)

Revision ID: 0021
Revises: 0020

Policies are ~85% of a family's bytes (80 rows in `make bench-size`), so most of the diet is there:
- `kid_profiles_titles.id` goes: nothing refers to it, and (kid_profile_id, title_id) was already
  unique. That pair becomes the primary key, under the spec's index name `idx_kpt_profile_title`,
  so the table keeps two indexes instead of three.
- `kid_profiles_titles.blocked_episodes` is NULL when nothing is blocked (nine policies in ten) instead
  of `'[]'`: with the id gone this brings the row from 56 to 48 bytes. A check keeps one spelling of
  "nothing blocked" (NULL, never `'[]'`); the model reads NULL as [] (models/base.py).
- `streaming_service_selection.id` goes the same way: `family_id` (one selection per family) is the
  primary key, under the spec's index name `idx_streaming_family_id`.
- `devices.api_key_digest` is the 32-byte HMAC itself (`bytea`), not its 64 hex characters.

The ALTER ... TYPE ... USING of the two rewritten tables rebuilds them (and their indexes), so an
existing database does not keep the dropped columns' bytes in its old rows. The rebuild holds an
ACCESS EXCLUSIVE lock on those tables while it runs (it reads and writes every policy): upgrade a
large database in a maintenance window.
"""

from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

BLOCKED_CHECK = "blocked_episodes IS NULL OR (jsonb_typeof(blocked_episodes) = 'array' AND blocked_episodes <> '[]')"


def upgrade() -> None:
    op.execute("""
        ALTER TABLE kid_profiles_titles DROP CONSTRAINT pk_kid_profiles_titles;
        ALTER TABLE kid_profiles_titles DROP COLUMN id;
        ALTER TABLE kid_profiles_titles ADD CONSTRAINT idx_kpt_profile_title PRIMARY KEY USING INDEX idx_kpt_profile_title;
        ALTER TABLE kid_profiles_titles ALTER COLUMN blocked_episodes DROP DEFAULT,
            ALTER COLUMN blocked_episodes DROP NOT NULL,
            ALTER COLUMN blocked_episodes TYPE jsonb USING NULLIF(blocked_episodes, '[]'::jsonb);
    """)
    op.create_check_constraint(
        op.f("ck_kid_profiles_titles_blocked_episodes_not_empty"), "kid_profiles_titles", BLOCKED_CHECK
    )

    op.execute("""
        ALTER TABLE streaming_service_selection DROP CONSTRAINT pk_streaming_service_selection;
        ALTER TABLE streaming_service_selection DROP COLUMN id;
        ALTER TABLE streaming_service_selection
            ADD CONSTRAINT idx_streaming_family_id PRIMARY KEY USING INDEX idx_streaming_family_id;
    """)

    op.execute("""
        ALTER TABLE devices ALTER COLUMN api_key_digest TYPE bytea USING decode(api_key_digest, 'hex');
    """)
    op.create_check_constraint(op.f("ck_devices_api_key_digest_sha256"), "devices", "octet_length(api_key_digest) = 32")


def downgrade() -> None:
    op.drop_constraint(op.f("ck_devices_api_key_digest_sha256"), "devices", type_="check")
    op.execute("ALTER TABLE devices ALTER COLUMN api_key_digest TYPE varchar(64) USING encode(api_key_digest, 'hex')")

    op.execute("""
        ALTER TABLE streaming_service_selection DROP CONSTRAINT idx_streaming_family_id;
        ALTER TABLE streaming_service_selection ADD COLUMN id serial;
        ALTER TABLE streaming_service_selection ADD CONSTRAINT pk_streaming_service_selection PRIMARY KEY (id);
        CREATE UNIQUE INDEX idx_streaming_family_id ON streaming_service_selection (family_id);
    """)

    op.drop_constraint(op.f("ck_kid_profiles_titles_blocked_episodes_not_empty"), "kid_profiles_titles", type_="check")
    op.execute("""
        ALTER TABLE kid_profiles_titles DROP CONSTRAINT idx_kpt_profile_title;
        ALTER TABLE kid_profiles_titles ADD COLUMN id serial;
        ALTER TABLE kid_profiles_titles ADD CONSTRAINT pk_kid_profiles_titles PRIMARY KEY (id);
        CREATE UNIQUE INDEX idx_kpt_profile_title ON kid_profiles_titles (kid_profile_id, title_id);
        UPDATE kid_profiles_titles SET blocked_episodes = '[]' WHERE blocked_episodes IS NULL;
        ALTER TABLE kid_profiles_titles ALTER COLUMN blocked_episodes SET DEFAULT '[]',
            ALTER COLUMN blocked_episodes SET NOT NULL;
    """)
