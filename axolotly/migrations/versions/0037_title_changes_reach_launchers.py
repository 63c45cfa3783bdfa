"""A title's ratings and services per country reach the launchers; a scale's places are unique (issue 25)

- The launcher's statement reads `titles.certifications` and `titles.providers_by_country`
  (migration 0035), yet the `titles` update trigger (migration 0025) bumped launcher versions only
  for the older columns: a German rating or a British service changed in place left every launcher
  on its cached body. The trigger now watches both (not `rating_descriptors`: no launcher reads it).
- `rating_scales.position` becomes unique per scale: a cap compares places, and two ratings on one
  place would compare as equal. Deferred to commit, so a refresh renumbers a scale in one statement.

Revision ID: 0037
Revises: 0036
"""

from alembic import op

revision = "0037"
down_revision = "0036"
branch_labels = None
depends_on = None

# Migration 0025's titles_update body: kids who may see a changed title (a policy on it, or in rules
# mode it is in their family library, added by hand or by a sibling's policy).
BUMP = "UPDATE kid_profiles SET launcher_version = nextval('launcher_version_seq') WHERE id IN ({kids});"
KIDS_OF = """
    SELECT p.kid_profile_id FROM kid_profiles_titles p JOIN {changed} c ON p.title_id = c.id
    UNION
    SELECT k.id FROM kid_profiles k JOIN family_titles f ON f.family_id = k.family_id JOIN {changed} c ON f.title_id = c.id
    WHERE k.rules_mode = 'rules'
    UNION
    SELECT k.id FROM kid_profiles k JOIN kid_profiles s ON s.family_id = k.family_id
    JOIN kid_profiles_titles p ON p.kid_profile_id = s.id JOIN {changed} c ON p.title_id = c.id
    WHERE k.rules_mode = 'rules'"""
TITLE_COLUMNS_0025 = ("title", "media_type", "poster_path", "backdrop_path", "certification", "providers", "tags")
TITLE_COLUMNS = (*TITLE_COLUMNS_0025, "certifications", "providers_by_country")
UNIQUE_POSITION = "uq_rating_scales_kind_country_position"


def _replace_titles_update(columns: tuple[str, ...]) -> None:
    changed = (
        f"(SELECT c.id FROM changed_rows c JOIN old_rows o ON o.id = c.id "
        f"WHERE ({', '.join('c.' + x for x in columns)}) IS DISTINCT FROM ({', '.join('o.' + x for x in columns)}))"
    )
    op.execute(f"""CREATE OR REPLACE FUNCTION bump_launcher_on_titles_update() RETURNS trigger
                   LANGUAGE plpgsql AS $$ BEGIN {BUMP.format(kids=KIDS_OF.format(changed=changed))}
                   RETURN NULL; END $$;""")


def upgrade() -> None:
    _replace_titles_update(TITLE_COLUMNS)
    op.create_unique_constraint(
        op.f(UNIQUE_POSITION),
        "rating_scales",
        ["kind", "country", "position"],
        deferrable=True,
        initially="DEFERRED",
    )


def downgrade() -> None:
    op.drop_constraint(op.f(UNIQUE_POSITION), "rating_scales", type_="unique")
    _replace_titles_update(TITLE_COLUMNS_0025)
