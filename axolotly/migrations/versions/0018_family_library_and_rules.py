"""family library (family_titles) and rules per kid; launcher versions follow both

Revision ID: 0018
Revises: 0017

- family_titles: the titles a family's parents added; every title with a policy in the family is
  backfilled into it (a policy's title is always in the library from now on).
- kid_profiles: rules_mode ('allow_list' for every existing kid, so no launcher changes by
  surprise), max_movie_rating, max_tv_rating, block_unrated (on), blocked_tags (content_tags names).
- Launcher versions (migration 0012's triggers) also move when a kid's rules change, when the
  family library changes, when a title's certification or tags or an episode's tags change, and
  for every kid whose family has the title in its library (rules-mode kids see library titles
  without a policy).
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

MOVIE_RATINGS = ("G", "PG", "PG-13", "R", "NC-17")
TV_RATINGS = ("TV-Y", "TV-Y7", "TV-G", "TV-PG", "TV-14", "TV-MA")

# Kids who may see titles in `changed`: a policy on it, or (in rules mode) its family has it in the library.
KIDS_OF = """
    SELECT p.kid_profile_id FROM kid_profiles_titles p JOIN {changed} c ON p.title_id = c.{title}
    UNION
    SELECT k.id FROM kid_profiles k JOIN family_titles f ON f.family_id = k.family_id JOIN {changed} c ON f.title_id = c.{title}
    WHERE k.rules_mode = 'rules'"""
BUMP = "UPDATE kid_profiles SET launcher_version = nextval('launcher_version_seq') WHERE id IN ({kids});"

TITLE_COLUMNS = "title, media_type, poster_path, backdrop_path, certification, providers, tags"
EPISODE_COLUMNS = "season_number, episode_number, name, title_id, tags"
NEW_BODIES = {
    "titles_insert": BUMP.format(kids=KIDS_OF.format(changed="changed_rows", title="id")),
    "titles_delete": BUMP.format(kids=KIDS_OF.format(changed="changed_rows", title="id")),
    "titles_update": BUMP.format(
        kids=KIDS_OF.format(
            changed=f"(SELECT c.id FROM changed_rows c JOIN old_rows o ON o.id = c.id "
            f"WHERE ({', '.join('c.' + x.strip() for x in TITLE_COLUMNS.split(','))}) IS DISTINCT FROM "
            f"({', '.join('o.' + x.strip() for x in TITLE_COLUMNS.split(','))}))",
            title="id",
        )
    ),
    "episodes_insert": BUMP.format(kids=KIDS_OF.format(changed="changed_rows", title="title_id")),
    "episodes_delete": BUMP.format(kids=KIDS_OF.format(changed="changed_rows", title="title_id")),
    "episodes_update": BUMP.format(
        kids=KIDS_OF.format(
            changed=f"(SELECT c.title_id FROM changed_rows c JOIN old_rows o ON o.id = c.id "
            f"WHERE ({', '.join('c.' + x.strip() for x in EPISODE_COLUMNS.split(','))}) IS DISTINCT FROM "
            f"({', '.join('o.' + x.strip() for x in EPISODE_COLUMNS.split(','))}))",
            title="title_id",
        )
    ),
}
# episode_links (0015's visibility-aware bodies): the same filters, over library kids too.
LINK_KIDS = KIDS_OF.format(
    changed="(SELECT e.title_id FROM episodes e JOIN changed_rows c ON c.episode_id = e.id {where})", title="title_id"
)
NEW_BODIES |= {
    "episode_links_insert": BUMP.format(kids=LINK_KIDS.format(where="WHERE c.verified OR c.reported_count > 0")),
    "episode_links_delete": BUMP.format(kids=LINK_KIDS.format(where="WHERE c.verified OR c.reported_count > 0")),
    "episode_links_update": BUMP.format(
        kids=KIDS_OF.format(
            changed="(SELECT e.title_id FROM episodes e JOIN changed_rows c ON true JOIN old_rows o ON o.id = c.id "
            "WHERE e.id IN (c.episode_id, o.episode_id) "
            "AND (c.episode_id, c.platform, c.url, c.verified, least(c.reported_count, 10)) IS DISTINCT FROM "
            "(o.episode_id, o.platform, o.url, o.verified, least(o.reported_count, 10)))",
            title="title_id",
        )
    ),
}

# Only rules-mode kids see library titles without a policy (a mode change bumps on its own).
LIBRARY_BUMP = BUMP.format(
    kids="SELECT k.id FROM kid_profiles k JOIN changed_rows c ON c.family_id = k.family_id WHERE k.rules_mode = 'rules'"
)
RULES_BUMP = """
    CREATE FUNCTION bump_launcher_on_kid_rules() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF (NEW.rules_mode, NEW.max_movie_rating, NEW.max_tv_rating, NEW.block_unrated, NEW.blocked_tags)
           IS DISTINCT FROM (OLD.rules_mode, OLD.max_movie_rating, OLD.max_tv_rating, OLD.block_unrated, OLD.blocked_tags)
        THEN NEW.launcher_version := nextval('launcher_version_seq');
        END IF;
        RETURN NEW;
    END $$;
    CREATE TRIGGER bump_launcher_on_kid_rules BEFORE UPDATE ON kid_profiles
    FOR EACH ROW EXECUTE FUNCTION bump_launcher_on_kid_rules();
"""


def _replace(function: str, body: str) -> None:
    op.execute(f"""CREATE OR REPLACE FUNCTION bump_launcher_on_{function}() RETURNS trigger
                   LANGUAGE plpgsql AS $$ BEGIN {body}
                   RETURN NULL; END $$;""")


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{value}'" for value in values)


def upgrade() -> None:
    op.create_table(
        "family_titles",
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("title_id", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("added_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["family_id"], ["users.id"], name=op.f("fk_family_titles_family_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["title_id"], ["titles.id"], name=op.f("fk_family_titles_title_id_titles"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["added_by"], ["users.id"], name=op.f("fk_family_titles_added_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("family_id", "title_id", name=op.f("pk_family_titles")),
    )
    op.create_index("idx_family_titles_title_id", "family_titles", ["title_id"], unique=False)
    op.execute("""
        INSERT INTO family_titles (family_id, title_id, added_at)
        SELECT k.family_id, p.title_id, min(p.created_at)
        FROM kid_profiles_titles p JOIN kid_profiles k ON k.id = p.kid_profile_id
        GROUP BY k.family_id, p.title_id
    """)
    op.add_column(
        "kid_profiles", sa.Column("rules_mode", sa.String(length=10), server_default="allow_list", nullable=False)
    )
    op.add_column("kid_profiles", sa.Column("max_movie_rating", sa.String(length=10), nullable=True))
    op.add_column("kid_profiles", sa.Column("max_tv_rating", sa.String(length=10), nullable=True))
    op.add_column("kid_profiles", sa.Column("block_unrated", sa.Boolean(), server_default=sa.true(), nullable=False))
    op.add_column(
        "kid_profiles",
        sa.Column("blocked_tags", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False),
    )
    op.create_check_constraint(
        op.f("ck_kid_profiles_rules_mode"), "kid_profiles", "rules_mode IN ('allow_list', 'rules')"
    )
    op.create_check_constraint(
        op.f("ck_kid_profiles_max_movie_rating"), "kid_profiles", f"max_movie_rating IN ({_in(MOVIE_RATINGS)})"
    )
    op.create_check_constraint(
        op.f("ck_kid_profiles_max_tv_rating"), "kid_profiles", f"max_tv_rating IN ({_in(TV_RATINGS)})"
    )
    op.execute(RULES_BUMP)
    for event in ("insert", "delete"):
        function = f"bump_launcher_on_family_titles_{event}"
        op.execute(f"""
            CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN {LIBRARY_BUMP} RETURN NULL; END $$;
            CREATE TRIGGER {function} AFTER {event.upper()} ON family_titles
            REFERENCING {"NEW" if event == "insert" else "OLD"} TABLE AS changed_rows
            FOR EACH STATEMENT EXECUTE FUNCTION {function}();
        """)
    for function, body in NEW_BODIES.items():
        _replace(function, body)


def downgrade() -> None:
    # 0015's and 0012's bodies: only kids with a policy on the title.
    old_kids = "SELECT p.kid_profile_id FROM kid_profiles_titles p JOIN {changed} c ON p.title_id = c.{title}"
    old = {
        "titles_insert": BUMP.format(kids=old_kids.format(changed="changed_rows", title="id")),
        "titles_delete": BUMP.format(kids=old_kids.format(changed="changed_rows", title="id")),
        "titles_update": BUMP.format(
            kids=old_kids.format(
                changed="(SELECT c.id FROM changed_rows c JOIN old_rows o ON o.id = c.id WHERE "
                "(c.title, c.media_type, c.poster_path, c.backdrop_path, c.certification, c.providers) IS DISTINCT "
                "FROM (o.title, o.media_type, o.poster_path, o.backdrop_path, o.certification, o.providers))",
                title="id",
            )
        ),
        "episodes_insert": BUMP.format(kids=old_kids.format(changed="changed_rows", title="title_id")),
        "episodes_delete": BUMP.format(kids=old_kids.format(changed="changed_rows", title="title_id")),
        "episodes_update": BUMP.format(
            kids=old_kids.format(
                changed="(SELECT c.title_id FROM changed_rows c JOIN old_rows o ON o.id = c.id WHERE "
                "(c.season_number, c.episode_number, c.name, c.title_id) IS DISTINCT FROM "
                "(o.season_number, o.episode_number, o.name, o.title_id))",
                title="title_id",
            )
        ),
        "episode_links_insert": BUMP.format(
            kids=old_kids.format(
                changed="(SELECT e.title_id FROM episodes e JOIN changed_rows c ON c.episode_id = e.id "
                "WHERE c.verified OR c.reported_count > 0)",
                title="title_id",
            )
        ),
        "episode_links_delete": BUMP.format(
            kids=old_kids.format(
                changed="(SELECT e.title_id FROM episodes e JOIN changed_rows c ON c.episode_id = e.id "
                "WHERE c.verified OR c.reported_count > 0)",
                title="title_id",
            )
        ),
        "episode_links_update": BUMP.format(
            kids=old_kids.format(
                changed="(SELECT e.title_id FROM episodes e JOIN changed_rows c ON true JOIN old_rows o ON o.id = c.id "
                "WHERE e.id IN (c.episode_id, o.episode_id) "
                "AND (c.episode_id, c.platform, c.url, c.verified, least(c.reported_count, 10)) IS DISTINCT FROM "
                "(o.episode_id, o.platform, o.url, o.verified, least(o.reported_count, 10)))",
                title="title_id",
            )
        ),
    }
    for function, body in old.items():
        _replace(function, body)
    for event in ("insert", "delete"):
        function = f"bump_launcher_on_family_titles_{event}"
        op.execute(f"DROP TRIGGER IF EXISTS {function} ON family_titles; DROP FUNCTION IF EXISTS {function}();")
    op.execute("DROP TRIGGER bump_launcher_on_kid_rules ON kid_profiles; DROP FUNCTION bump_launcher_on_kid_rules();")
    for column in ("blocked_tags", "block_unrated", "max_tv_rating", "max_movie_rating", "rules_mode"):
        op.drop_column("kid_profiles", column)
    op.drop_table("family_titles")
