"""a policy puts its title in the family library: family_titles keeps only titles without one

Revision ID: 0025
Revises: 0024

Issue 16's storage budget (<= 10,000 bytes a family): a family with 80 policies also had a
`family_titles` row for each of their titles (~87 bytes each, 3,466 bytes a family). The library is
now `family_titles` plus the titles the family's kids have a policy on (families/library_rows.py).
- The rows of titles with a policy in the family go (their triggers off: nothing a launcher shows
  changes, so no version moves).
- Launcher versions: a policy added or removed for one kid also moves the versions of the family's
  rules-mode kids (their library changed), as does a kid deleted (the app writes the kid's titles
  back to the library first; a deletion in psql does not), and a catalog change to a title moves
  those of the rules-mode kids of every family with a policy on it.
Downgrade writes the rows back (added when the first policy on the title was set).
"""

from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

BUMP = "UPDATE kid_profiles SET launcher_version = nextval('launcher_version_seq') WHERE id IN ({kids});"
# Kids who may see titles in `changed`: a policy on it, or (in rules mode) it is in their family library.
KIDS_OF_0018 = """
    SELECT p.kid_profile_id FROM kid_profiles_titles p JOIN {changed} c ON p.title_id = c.{title}
    UNION
    SELECT k.id FROM kid_profiles k JOIN family_titles f ON f.family_id = k.family_id JOIN {changed} c ON f.title_id = c.{title}
    WHERE k.rules_mode = 'rules'"""
KIDS_OF = (
    KIDS_OF_0018
    + """
    UNION
    SELECT k.id FROM kid_profiles k JOIN kid_profiles s ON s.family_id = k.family_id
    JOIN kid_profiles_titles p ON p.kid_profile_id = s.id JOIN {changed} c ON p.title_id = c.{title}
    WHERE k.rules_mode = 'rules'"""
)

TITLE_COLUMNS = ("title", "media_type", "poster_path", "backdrop_path", "certification", "providers", "tags")
EPISODE_COLUMNS = ("season_number", "episode_number", "name", "title_id", "tags")


def _changed(columns: tuple[str, ...], title: str) -> str:
    return (
        f"(SELECT c.{title} FROM changed_rows c JOIN old_rows o ON o.id = c.id "
        f"WHERE ({', '.join('c.' + x for x in columns)}) IS DISTINCT FROM ({', '.join('o.' + x for x in columns)}))"
    )


def catalog_bodies(kids_of: str) -> dict[str, str]:
    """Migration 0018's trigger bodies on the catalog tables, over `kids_of`."""
    link_titles = (
        "(SELECT e.title_id FROM episodes e JOIN changed_rows c ON c.episode_id = e.id "
        "WHERE c.verified OR c.reported_count > 0)"
    )
    return {
        "titles_insert": BUMP.format(kids=kids_of.format(changed="changed_rows", title="id")),
        "titles_delete": BUMP.format(kids=kids_of.format(changed="changed_rows", title="id")),
        "titles_update": BUMP.format(kids=kids_of.format(changed=_changed(TITLE_COLUMNS, "id"), title="id")),
        "episodes_insert": BUMP.format(kids=kids_of.format(changed="changed_rows", title="title_id")),
        "episodes_delete": BUMP.format(kids=kids_of.format(changed="changed_rows", title="title_id")),
        "episodes_update": BUMP.format(
            kids=kids_of.format(changed=_changed(EPISODE_COLUMNS, "title_id"), title="title_id")
        ),
        "episode_links_insert": BUMP.format(kids=kids_of.format(changed=link_titles, title="title_id")),
        "episode_links_delete": BUMP.format(kids=kids_of.format(changed=link_titles, title="title_id")),
        "episode_links_update": BUMP.format(
            kids=kids_of.format(
                changed="(SELECT e.title_id FROM episodes e JOIN changed_rows c ON true JOIN old_rows o ON o.id = c.id "
                "WHERE e.id IN (c.episode_id, o.episode_id) "
                "AND (c.episode_id, c.platform, c.url, c.verified, least(c.reported_count, 10)) IS DISTINCT FROM "
                "(o.episode_id, o.platform, o.url, o.verified, least(o.reported_count, 10)))",
                title="title_id",
            )
        ),
    }


POLICY_KIDS_0012 = "SELECT kid_profile_id FROM changed_rows"
# A policy added or removed changes the library of the family's rules-mode kids too.
POLICY_KIDS = (
    POLICY_KIDS_0012
    + """
    UNION
    SELECT k.id FROM kid_profiles k JOIN kid_profiles s ON s.family_id = k.family_id
    JOIN changed_rows c ON c.kid_profile_id = s.id WHERE k.rules_mode = 'rules'"""
)


KID_DELETED = """
    CREATE FUNCTION bump_launcher_on_kid_profiles_delete() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE kid_profiles SET launcher_version = nextval('launcher_version_seq')
        WHERE rules_mode = 'rules' AND family_id IN (SELECT family_id FROM deleted_kids);
        RETURN NULL;
    END $$;
    CREATE TRIGGER bump_launcher_on_kid_profiles_delete AFTER DELETE ON kid_profiles
    REFERENCING OLD TABLE AS deleted_kids FOR EACH STATEMENT EXECUTE FUNCTION bump_launcher_on_kid_profiles_delete();
"""


def _replace(function: str, body: str) -> None:
    op.execute(f"""CREATE OR REPLACE FUNCTION bump_launcher_on_{function}() RETURNS trigger
                   LANGUAGE plpgsql AS $$ BEGIN {body}
                   RETURN NULL; END $$;""")


def _replace_all(kids_of: str, policy_kids: str) -> None:
    for function, body in catalog_bodies(kids_of).items():
        _replace(function, body)
    for event in ("insert", "delete"):
        _replace(f"kid_profiles_titles_{event}", BUMP.format(kids=policy_kids))


def upgrade() -> None:
    op.execute("""
        ALTER TABLE family_titles DISABLE TRIGGER bump_launcher_on_family_titles_delete;
        DELETE FROM family_titles f USING kid_profiles k, kid_profiles_titles p
        WHERE k.family_id = f.family_id AND p.kid_profile_id = k.id AND p.title_id = f.title_id;
        ALTER TABLE family_titles ENABLE TRIGGER bump_launcher_on_family_titles_delete;
    """)
    _replace_all(KIDS_OF, POLICY_KIDS)
    op.execute(KID_DELETED)


def downgrade() -> None:
    op.execute(
        "DROP TRIGGER bump_launcher_on_kid_profiles_delete ON kid_profiles; "
        "DROP FUNCTION bump_launcher_on_kid_profiles_delete();"
    )
    _replace_all(KIDS_OF_0018, POLICY_KIDS_0012)
    op.execute("""
        ALTER TABLE family_titles DISABLE TRIGGER bump_launcher_on_family_titles_insert;
        INSERT INTO family_titles (family_id, title_id, added_at)
        SELECT k.family_id, p.title_id, min(p.created_at)
        FROM kid_profiles_titles p JOIN kid_profiles k ON k.id = p.kid_profile_id
        GROUP BY k.family_id, p.title_id
        ON CONFLICT DO NOTHING;
        ALTER TABLE family_titles ENABLE TRIGGER bump_launcher_on_family_titles_insert;
    """)
