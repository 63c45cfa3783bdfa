"""Auto-tags: the one table that turns TMDB genres and certifications into content tags.

Every tag named here exists in `content_tags` (seeded by the vocabulary migration; a test holds
the two together).
"""

from axolotly.catalog.sources import CatalogTitle
from axolotly.i18n import N_, gettext

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


# What a parent reads for each tag of the vocabulary (migration 0002): a name, never the code;
# in the reader's language when asked for (tag_label).
TAG_LABELS: dict[str, str] = {
    "animals": N_("Animals"),
    "creatures_monsters": N_("Creatures and monsters"),
    "magic": N_("Magic"),
    "robots_space": N_("Robots and space"),
    "mild_peril": N_("Mild peril"),
    "peril": N_("Peril"),
    "crime": N_("Crime"),
    "war": N_("War"),
    "separation": N_("Separation from family"),
    "death_of_parent": N_("Death of a parent"),
    "death_of_pet": N_("Death of a pet"),
    "grief": N_("Grief"),
    "animated": N_("Animated"),
    "flashing_lights": N_("Flashing lights"),
    "dark_scenes": N_("Dark scenes"),
    "scary_scenes": N_("Scary scenes"),
    "intense_scenes": N_("Intense scenes"),
    "action_violence": N_("Action violence"),
    "emotional_themes": N_("Emotional themes"),
    "bullying": N_("Bullying"),
    "friendship": N_("Friendship"),
    "family": N_("Family"),
    "romance": N_("Romance"),
    "comedy": N_("Comedy"),
    "mystery": N_("Mystery"),
    "educational": N_("Educational"),
    "made_for_kids": N_("Made for kids"),
    "music_songs": N_("Music and songs"),
    "age_0_4": N_("Ages 0–4"),
    "age_5_7": N_("Ages 5–7"),
    "age_8_12": N_("Ages 8–12"),
    "age_13_plus": N_("Ages 13 and up"),
    "rated_tv_y": N_("Rated TV-Y"),
    "rated_tv_y7": N_("Rated TV-Y7"),
    "rated_tv_g": N_("Rated TV-G"),
    "rated_tv_pg": N_("Rated TV-PG"),
    "rated_tv_14": N_("Rated TV-14"),
    "rated_g": N_("Rated G"),
    "rated_pg": N_("Rated PG"),
    "rated_pg13": N_("Rated PG-13"),
    "rated_mature": N_("Rated for adults"),
    "fantasy_violence": N_("Fantasy violence"),
    "mature_content": N_("Content for adults"),
    "language": N_("Strong language"),
}

CATEGORY_LABELS: dict[str, str] = {
    "creatures": N_("Animals, creatures and magic"),
    "situations": N_("Danger and story"),
    "death_loss": N_("Death and loss"),
    "visuals": N_("Look and feel"),
    "intensity": N_("Scary and intense"),
    "social": N_("Friends, family and fun"),
    "age": N_("Age"),
    "rating": N_("Rating"),
    "content_warning": N_("Content warnings"),
}


def words_of(code: str) -> str:
    """A code an admin made up ("sensitive_topics") as words: "Sensitive Topics"."""
    return " ".join(code.replace("_", " ").split()).title()


def tag_label(tag: str) -> str:
    """The name a parent reads for a content tag: "Mild peril", "Ages 0–4", "Rated PG-13"."""
    label = TAG_LABELS.get(tag)
    return gettext(label) if label else words_of(tag)  # an admin's own tag is a name: as typed


def category_label(category: str | None) -> str:
    """A group of tags in words ("Death and loss"); the tags without a group are "Other"."""
    if not category or not category.strip():
        return gettext("Other")
    label = CATEGORY_LABELS.get(category)
    return gettext(label) if label else words_of(category)


# The last two names of a list, joined as a sentence says it (the other names go before, with commas).
LAST_TWO = {"and": N_("%(names)s and %(last)s"), "or": N_("%(names)s or %(last)s")}


def spoken_tags(tags: list[str] | set[str] | frozenset[str], joiner: str = "and") -> str:
    """Tags as a parent says them: “Mild peril”, “Scary scenes” and “War” (joiner "and" or "or"),
    with the quotation marks of the reader's language."""
    names = [gettext("“%(name)s”") % {"name": label} for label in sorted(tag_label(tag) for tag in tags)]
    if len(names) < 2:
        return "".join(names)
    return gettext(LAST_TWO[joiner]) % {"names": ", ".join(names[:-1]), "last": names[-1]}
