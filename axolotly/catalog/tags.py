"""Auto-tags: the one table that turns TMDB genres and certifications into content tags.

Every tag named here exists in `content_tags` (seeded by the vocabulary migration; a test holds
the two together).
"""

from axolotly.catalog.sources import CatalogTitle

# TMDB genre id -> tags it implies.
GENRE_TAGS: dict[int, tuple[str, ...]] = {
    16: ("animated",),
    12: ("mild_peril",),
    28: ("action_violence", "peril"),
    27: ("scary_scenes", "peril"),
    53: ("peril", "intense_scenes"),
    80: ("crime", "action_violence"),
    10752: ("war", "action_violence"),
    18: ("emotional_themes",),
    14: ("magic",),
    10765: ("magic", "creatures_monsters"),
    878: ("robots_space",),
    99: ("educational",),
    10762: ("made_for_kids",),
    10751: ("family",),
    10402: ("music_songs",),
    35: ("comedy",),
    9648: ("mystery",),
    10749: ("romance",),
}

# Certification -> (rating tag, age tag). TV Parental Guidelines and MPA ratings.
CERTIFICATION_TAGS: dict[str, tuple[str, str]] = {
    "TV-Y": ("rated_tv_y", "age_0_4"),
    "TV-G": ("rated_tv_g", "age_0_4"),
    "G": ("rated_g", "age_0_4"),
    "TV-Y7": ("rated_tv_y7", "age_5_7"),
    "TV-Y7-FV": ("rated_tv_y7", "age_5_7"),
    "PG": ("rated_pg", "age_8_12"),
    "TV-PG": ("rated_tv_pg", "age_8_12"),
    "PG-13": ("rated_pg13", "age_13_plus"),
    "TV-14": ("rated_tv_14", "age_13_plus"),
    "R": ("rated_mature", "age_13_plus"),
    "NC-17": ("rated_mature", "age_13_plus"),
    "TV-MA": ("rated_mature", "age_13_plus"),
}

# Tags that put a warning on the title on top of the rating.
WARNING_CERTIFICATIONS = {
    "TV-Y7-FV": "fantasy_violence",
    "R": "mature_content",
    "NC-17": "mature_content",
    "TV-MA": "mature_content",
}


def tags_for(title: CatalogTitle) -> list[str]:
    """Sorted, de-duplicated tags derived from a title's genres and certification."""
    tags: set[str] = set()
    for genre in title.genres:
        tags.update(GENRE_TAGS.get(genre.get("id", 0), ()))
    certification = (title.certification or "").upper()
    if certification in CERTIFICATION_TAGS:
        tags.update(CERTIFICATION_TAGS[certification])
    if certification in WARNING_CERTIFICATIONS:
        tags.add(WARNING_CERTIFICATIONS[certification])
    return sorted(tags)


def all_mapped_tags() -> set[str]:
    tags = {tag for group in GENRE_TAGS.values() for tag in group}
    tags.update(tag for pair in CERTIFICATION_TAGS.values() for tag in pair)
    tags.update(WARNING_CERTIFICATIONS.values())
    return tags


# What a parent reads for each tag of the vocabulary (migration 0002): a name, never the code.
TAG_LABELS: dict[str, str] = {
    "animals": "Animals",
    "creatures_monsters": "Creatures and monsters",
    "magic": "Magic",
    "robots_space": "Robots and space",
    "mild_peril": "Mild peril",
    "peril": "Peril",
    "crime": "Crime",
    "war": "War",
    "separation": "Separation from family",
    "death_of_parent": "Death of a parent",
    "death_of_pet": "Death of a pet",
    "grief": "Grief",
    "animated": "Animated",
    "flashing_lights": "Flashing lights",
    "dark_scenes": "Dark scenes",
    "scary_scenes": "Scary scenes",
    "intense_scenes": "Intense scenes",
    "action_violence": "Action violence",
    "emotional_themes": "Emotional themes",
    "bullying": "Bullying",
    "friendship": "Friendship",
    "family": "Family",
    "romance": "Romance",
    "comedy": "Comedy",
    "mystery": "Mystery",
    "educational": "Educational",
    "made_for_kids": "Made for kids",
    "music_songs": "Music and songs",
    "age_0_4": "Ages 0–4",
    "age_5_7": "Ages 5–7",
    "age_8_12": "Ages 8–12",
    "age_13_plus": "Ages 13 and up",
    "rated_tv_y": "Rated TV-Y",
    "rated_tv_y7": "Rated TV-Y7",
    "rated_tv_g": "Rated TV-G",
    "rated_tv_pg": "Rated TV-PG",
    "rated_tv_14": "Rated TV-14",
    "rated_g": "Rated G",
    "rated_pg": "Rated PG",
    "rated_pg13": "Rated PG-13",
    "rated_mature": "Rated for adults",
    "fantasy_violence": "Fantasy violence",
    "mature_content": "Content for adults",
    "language": "Strong language",
}

CATEGORY_LABELS: dict[str, str] = {
    "creatures": "Animals, creatures and magic",
    "situations": "Danger and story",
    "death_loss": "Death and loss",
    "visuals": "Look and feel",
    "intensity": "Scary and intense",
    "social": "Friends, family and fun",
    "age": "Age",
    "rating": "Rating",
    "content_warning": "Content warnings",
}


def words_of(code: str) -> str:
    """A code an admin made up ("sensitive_topics") as words: "Sensitive Topics"."""
    return " ".join(code.replace("_", " ").split()).title()


def tag_label(tag: str) -> str:
    """The name a parent reads for a content tag: "Mild peril", "Ages 0–4", "Rated PG-13"."""
    return TAG_LABELS.get(tag) or words_of(tag)


def category_label(category: str | None) -> str:
    """A group of tags in words ("Death and loss"); the tags without a group are "Other"."""
    if not category or not category.strip():
        return "Other"
    return CATEGORY_LABELS.get(category) or words_of(category)


def spoken_tags(tags: list[str] | set[str] | frozenset[str], joiner: str = "and") -> str:
    """Tags as a parent says them: “Mild peril”, “Scary scenes” and “War”."""
    names = [f"“{tag_label(tag)}”" for tag in sorted(tags, key=tag_label)]
    if len(names) < 2:
        return "".join(names)
    return f"{', '.join(names[:-1])} {joiner} {names[-1]}"
