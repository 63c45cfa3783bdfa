"""Rating scales of every country, and titles' certifications and providers per country (issue 25)

`rating_scales` holds each country's movie and TV scale (seeded here from the shipped snapshot,
axolotly/data/rating_systems.json; a daily job refreshes it from TMDB). `position` is the scale's
own order, TMDB's `order` × 100, each rating a place of its own (TMDB gives Spain's 12 and 16 the
same order: they must not compare as equal); `min_age` is null for a rating that is no
classification ("NR", "Exempt"), which counts as unrated.

`titles.certifications` ({"GB": "12A", ...}, each on its country's scale of the title's kind) and
`titles.providers_by_country` ({"GB": ["netflix"], ...}) sit beside the spec's US-only
`certification` and `providers`, which stay and are still written. A kid's caps are ratings of the
family country's scales now: the US-only CHECKs go (the app validates against the scale), and the
columns widen for ratings such as "Restricted Screening".

Revision ID: 0035
Revises: 0034
"""

import json
from pathlib import Path

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0035"
down_revision = "0034"
branch_labels = None
depends_on = None

SNAPSHOT = Path(__file__).resolve().parents[2] / "data" / "rating_systems.json"
# The checks of 0018, put back on downgrade (caps outside the US scales become NULL: no cap there).
US_CAPS = {
    "max_movie_rating": ("G", "PG", "PG-13", "R", "NC-17"),
    "max_tv_rating": ("TV-Y", "TV-Y7", "TV-G", "TV-PG", "TV-14", "TV-MA"),
}
OBJECT_COLUMNS = ("certifications", "providers_by_country")


def _seed_rows() -> list[dict]:
    """`position`: TMDB's order × 100, plus the rating's place among those of the same order, by
    minimum age (no classification first), then as listed: TMDB gives Spain's 12 and 16 both 5, and
    a cap of 12 must never let a 16 through whichever TMDB lists first (ratings/refresh.py and
    ratings/scales.py scale_of order ties the same way)."""
    data = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    rows = []
    for kind in ("movie", "tv"):
        for country, ratings in data[kind].items():
            in_order = sorted(
                ratings, key=lambda r: (r["order"], r["min_age"] is not None, r["min_age"] or 0)
            )  # stable: equal ages stay as listed
            ties: dict[int, int] = {}
            for rating in in_order:
                ties[rating["order"]] = ties.get(rating["order"], -1) + 1
                rows.append(
                    {
                        "kind": kind,
                        "country": country,
                        "rating": rating["rating"],
                        "position": rating["order"] * 100 + ties[rating["order"]],
                        "min_age": rating["min_age"],
                        "meaning": rating.get("meaning") or "",
                    }
                )
    return rows


def upgrade() -> None:
    table = op.create_table(
        "rating_scales",
        sa.Column("kind", sa.String(length=5), nullable=False),
        sa.Column("country", sa.String(length=6), nullable=False),
        sa.Column("rating", sa.String(length=40), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("min_age", sa.SmallInteger(), nullable=True),
        sa.Column("meaning", sa.Text(), server_default="", nullable=False),
        sa.CheckConstraint("kind IN ('movie', 'tv')", name=op.f("ck_rating_scales_kind")),
        sa.CheckConstraint("country ~ '^[A-Z]{2}(-[A-Z0-9]{1,3})?$'", name=op.f("ck_rating_scales_country")),
        sa.CheckConstraint("min_age BETWEEN 0 AND 21", name=op.f("ck_rating_scales_min_age_range")),
        sa.PrimaryKeyConstraint("kind", "country", "rating", name=op.f("pk_rating_scales")),
    )
    op.bulk_insert(table, _seed_rows())
    for column in OBJECT_COLUMNS:
        op.add_column("titles", sa.Column(column, postgresql.JSONB(), server_default="{}", nullable=False))
        op.create_check_constraint(op.f(f"ck_titles_{column}_object"), "titles", f"jsonb_typeof({column}) = 'object'")
    for column in US_CAPS:
        op.drop_constraint(op.f(f"ck_kid_profiles_{column}"), "kid_profiles", type_="check")
        op.alter_column("kid_profiles", column, type_=sa.String(length=40), existing_nullable=True)


def downgrade() -> None:
    for column, ratings in US_CAPS.items():
        allowed = ", ".join(f"'{rating}'" for rating in ratings)
        op.execute(f"UPDATE kid_profiles SET {column} = NULL WHERE {column} NOT IN ({allowed})")
        op.alter_column("kid_profiles", column, type_=sa.String(length=10), existing_nullable=True)
        op.create_check_constraint(op.f(f"ck_kid_profiles_{column}"), "kid_profiles", f"{column} IN ({allowed})")
    for column in reversed(OBJECT_COLUMNS):
        op.drop_constraint(op.f(f"ck_titles_{column}_object"), "titles", type_="check")
        op.drop_column("titles", column)
    op.drop_table("rating_scales")
