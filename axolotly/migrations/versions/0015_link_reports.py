"""link_reports: episode links are counted per family, and only trusted URLs are kept

Revision ID: 0015
Revises: 0014

episode_links.reported_count becomes the number of families that reported the link (one
link_reports row each), kept by triggers here so no code path can miscount. Existing counts were
per request (one device could outvote a family) and name no family: they restart at 0, so an
unverified link reaches kids again once enough families report it. Existing links whose URL is
not an https link on the provider's hosts or one of its app schemes are deleted. The downgrade
drops the table and its triggers; it cannot bring back deleted links or the old counts.
"""

import sqlalchemy as sa
from alembic import op

# A leaf module with no project imports: the registry's hosts and schemes at upgrade time decide.
from axolotly.catalog.providers import PROVIDERS_BY_ID, is_trusted_url

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

# Counted with increments, not recounts: a recount in a concurrent transaction does not see the
# other's uncommitted row and would overwrite its count.
COUNT_TRIGGERS = {
    "insert": (
        "NEW TABLE AS new_rows",
        """
        UPDATE episode_links l SET reported_count = l.reported_count + c.families
        FROM (SELECT link_id, count(*) AS families FROM new_rows WHERE link_id IS NOT NULL GROUP BY link_id) c
        WHERE l.id = c.link_id;""",
    ),
    "delete": (
        "OLD TABLE AS old_rows",
        """
        UPDATE episode_links l SET reported_count = greatest(l.reported_count - c.families, 0)
        FROM (SELECT link_id, count(*) AS families FROM old_rows WHERE link_id IS NOT NULL GROUP BY link_id) c
        WHERE l.id = c.link_id;""",
    ),
    "update": (
        "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        """
        UPDATE episode_links l SET reported_count = greatest(l.reported_count - c.families, 0)
        FROM (SELECT o.link_id, count(*) AS families FROM old_rows o JOIN new_rows n ON n.id = o.id
              WHERE o.link_id IS NOT NULL AND o.link_id IS DISTINCT FROM n.link_id GROUP BY o.link_id) c
        WHERE l.id = c.link_id;
        UPDATE episode_links l SET reported_count = l.reported_count + c.families
        FROM (SELECT n.link_id, count(*) AS families FROM old_rows o JOIN new_rows n ON n.id = o.id
              WHERE n.link_id IS NOT NULL AND o.link_id IS DISTINCT FROM n.link_id GROUP BY n.link_id) c
        WHERE l.id = c.link_id;""",
    ),
}


# Launcher versions (migration 0012) are bumped on episode_links changes that can change what kids
# see. A family's report changes reported_count, and past LINK_MIN_FAMILIES (at most
# MAX_LINK_MIN_FAMILIES, config.py) more families change nothing a kid can see but the order of
# two trusted links: counts are compared capped, so a popular link does not rewrite the version of
# every kid allowing its show, in every family, with every new report (nor lock their rows).
MAX_LINK_MIN_FAMILIES = 10
KIDS_OF_CHANGED_EPISODES = """
    UPDATE kid_profiles SET launcher_version = nextval('launcher_version_seq')
    WHERE id IN (SELECT p.kid_profile_id FROM kid_profiles_titles p
                 JOIN episodes e ON e.title_id = p.title_id JOIN changed_rows c ON c.episode_id = e.id
                 {where});"""
VISIBLE = "WHERE c.verified OR c.reported_count > 0"
LINK_BUMPS = {
    "insert": KIDS_OF_CHANGED_EPISODES.format(where=VISIBLE),
    "delete": KIDS_OF_CHANGED_EPISODES.format(where=VISIBLE),
    "update": f"""
    UPDATE kid_profiles SET launcher_version = nextval('launcher_version_seq')
    WHERE id IN (SELECT p.kid_profile_id FROM kid_profiles_titles p
                 JOIN episodes e ON e.title_id = p.title_id
                 JOIN changed_rows c ON true JOIN old_rows o ON o.id = c.id
                 WHERE e.id IN (c.episode_id, o.episode_id)
                   AND (c.episode_id, c.platform, c.url, c.verified, least(c.reported_count, {MAX_LINK_MIN_FAMILIES}))
                       IS DISTINCT FROM
                       (o.episode_id, o.platform, o.url, o.verified, least(o.reported_count, {MAX_LINK_MIN_FAMILIES})));""",
}
ALL_CHANGES = KIDS_OF_CHANGED_EPISODES.format(where="")  # migration 0012's bodies, for the downgrade


def _replace_link_bumps(bodies: dict[str, str]) -> None:
    for event, body in bodies.items():
        op.execute(f"""
            CREATE OR REPLACE FUNCTION bump_launcher_on_episode_links_{event}() RETURNS trigger
            LANGUAGE plpgsql AS $$ BEGIN {body}
            RETURN NULL; END $$;
        """)


def _delete_untrusted_links() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, platform, url FROM episode_links")).all()
    untrusted = [
        row.id
        for row in rows
        if row.platform not in PROVIDERS_BY_ID or not is_trusted_url(PROVIDERS_BY_ID[row.platform], row.url)
    ]
    if untrusted:
        bind.execute(sa.text("DELETE FROM episode_links WHERE id = ANY(:ids)"), {"ids": untrusted})


def upgrade() -> None:
    op.create_table(
        "link_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("link_id", sa.Integer(), nullable=True),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=50), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("reported_title_id", sa.Integer(), nullable=True),
        sa.Column("reported_tmdb_id", sa.Integer(), nullable=True),
        sa.Column("reported_season", sa.Integer(), nullable=True),
        sa.Column("reported_episode", sa.Integer(), nullable=True),
        sa.Column("reported_title", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["family_id"], ["users.id"], name=op.f("fk_link_reports_family_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["link_id"], ["episode_links.id"], name=op.f("fk_link_reports_link_id_episode_links"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link_reports")),
    )
    op.create_index("uq_link_reports_link_family", "link_reports", ["link_id", "family_id"], unique=True)
    op.create_index(
        "uq_link_reports_pending_family_url",
        "link_reports",
        ["family_id", "platform", sa.text("md5(url)")],
        unique=True,
        postgresql_where=sa.text("link_id IS NULL"),
    )
    op.create_index("idx_link_reports_family_id", "link_reports", ["family_id"], unique=False)
    for event, (tables, statement) in COUNT_TRIGGERS.items():
        function = f"count_families_on_link_reports_{event}"
        op.execute(f"""
            CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN {statement}
            RETURN NULL; END $$;
            CREATE TRIGGER {function} AFTER {event.upper()} ON link_reports
            REFERENCING {tables} FOR EACH STATEMENT EXECUTE FUNCTION {function}();
        """)
    op.execute("UPDATE episode_links SET reported_count = 0 WHERE reported_count <> 0")
    _delete_untrusted_links()
    _replace_link_bumps(LINK_BUMPS)


def downgrade() -> None:
    _replace_link_bumps({event: ALL_CHANGES for event in LINK_BUMPS})
    for event in COUNT_TRIGGERS:
        function = f"count_families_on_link_reports_{event}"
        op.execute(f"DROP TRIGGER IF EXISTS {function} ON link_reports; DROP FUNCTION IF EXISTS {function}();")
    op.drop_table("link_reports")
