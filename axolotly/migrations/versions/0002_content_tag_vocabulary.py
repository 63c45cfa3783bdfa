"""content tag vocabulary (data)

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Frozen here (not imported) so this migration means the same thing forever.
VOCABULARY = [
    ("animals", "creatures", "Animals are central characters"),
    ("creatures_monsters", "creatures", "Monsters, dragons or other made-up creatures"),
    ("magic", "creatures", "Magic, spells and fantasy beings"),
    ("robots_space", "creatures", "Robots, aliens and outer space"),
    ("mild_peril", "situations", "Characters in danger, resolved quickly"),
    ("peril", "situations", "Sustained danger to characters"),
    ("crime", "situations", "Crime or criminals drive the story"),
    ("war", "situations", "War and battles"),
    ("separation", "situations", "A child is lost or separated from family"),
    ("death_of_parent", "death_loss", "A parent dies or has died"),
    ("death_of_pet", "death_loss", "An animal companion dies"),
    ("grief", "death_loss", "Characters grieve a loss"),
    ("animated", "visuals", "Animated"),
    ("flashing_lights", "visuals", "Strobing or flashing sequences"),
    ("dark_scenes", "visuals", "Long dark or gloomy scenes"),
    ("scary_scenes", "intensity", "Frightening scenes or imagery"),
    ("intense_scenes", "intensity", "Suspense and tension"),
    ("action_violence", "intensity", "Fighting or action violence"),
    ("emotional_themes", "intensity", "Sad or emotionally heavy moments"),
    ("bullying", "social", "Bullying or meanness between characters"),
    ("friendship", "social", "Friendship and cooperation"),
    ("family", "social", "Family life and relationships"),
    ("romance", "social", "Romance or crushes"),
    ("comedy", "social", "Silly or comedic tone"),
    ("mystery", "situations", "Puzzles and mysteries"),
    ("educational", "age", "Teaches facts or skills"),
    ("made_for_kids", "age", "Made for children"),
    ("music_songs", "social", "Songs and music"),
    ("age_0_4", "age", "Suitable for ages 0 to 4"),
    ("age_5_7", "age", "Suitable for ages 5 to 7"),
    ("age_8_12", "age", "Suitable for ages 8 to 12"),
    ("age_13_plus", "age", "For teenagers and older"),
    ("rated_tv_y", "rating", "TV-Y: all children"),
    ("rated_tv_y7", "rating", "TV-Y7: directed to older children"),
    ("rated_tv_g", "rating", "TV-G: general audience"),
    ("rated_tv_pg", "rating", "TV-PG: parental guidance suggested"),
    ("rated_tv_14", "rating", "TV-14: parents strongly cautioned"),
    ("rated_g", "rating", "G: general audiences"),
    ("rated_pg", "rating", "PG: parental guidance suggested"),
    ("rated_pg13", "rating", "PG-13: parents strongly cautioned"),
    ("rated_mature", "rating", "R, NC-17 or TV-MA: adults"),
    ("fantasy_violence", "content_warning", "Fantasy violence (TV-Y7-FV)"),
    ("mature_content", "content_warning", "Content for adults"),
    ("language", "content_warning", "Rude or strong language"),
]

content_tags = sa.table(
    "content_tags",
    sa.column("tag", sa.String),
    sa.column("category", sa.String),
    sa.column("description", sa.Text),
)


def upgrade() -> None:
    op.bulk_insert(
        content_tags,
        [{"tag": tag, "category": category, "description": description} for tag, category, description in VOCABULARY],
    )


def downgrade() -> None:
    op.execute(content_tags.delete().where(content_tags.c.tag.in_([t for t, _, _ in VOCABULARY])))
