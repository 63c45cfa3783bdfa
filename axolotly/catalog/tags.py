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
