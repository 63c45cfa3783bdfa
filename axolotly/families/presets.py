"""The rules a new kid starts with, by age (families/rules.py edits them later).

Plain strings, no import of policies/: families/kids.py creates kids with these, and the request
dependencies (families/deps.py) that the catalog's routes use import kids, while the catalog
imports nothing of policies. The ratings are policies/evaluate.py's (a test holds them to it).
"""

from typing import Any, overload

from axolotly.models import KidProfile

# Rating caps by age range (inclusive): the rules a new kid of that age starts with.
PRESETS: dict[tuple[int, int], dict[str, str]] = {
    (0, 4): {"max_movie_rating": "G", "max_tv_rating": "TV-Y"},
    (5, 7): {"max_movie_rating": "G", "max_tv_rating": "TV-Y7"},
    (8, 12): {"max_movie_rating": "PG", "max_tv_rating": "TV-PG"},
    (13, 17): {"max_movie_rating": "PG-13", "max_tv_rating": "TV-14"},
}


@overload
def preset_for_age(age: int) -> dict[str, Any]: ...
@overload
def preset_for_age(age: None) -> None: ...
@overload
def preset_for_age(age: int | None) -> dict[str, Any] | None: ...
def preset_for_age(age: int | None) -> dict[str, Any] | None:
    """The rules for a kid of that age (the API's shape: rules mode, unrated blocked), None without one."""
    if age is None:
        return None
    caps = next((caps for (lowest, highest), caps in PRESETS.items() if lowest <= age <= highest), PRESETS[(13, 17)])
    return {"mode": "rules", **caps, "block_unrated": True, "blocked_tags": []}


def apply_preset(kid: KidProfile) -> None:
    """A new kid: with an age, rules mode with that age's preset; without one, the allow list."""
    preset = preset_for_age(kid.age)
    if preset is None:
        kid.rules_mode = "allow_list"
        return
    kid.rules_mode = preset["mode"]
    kid.max_movie_rating = preset["max_movie_rating"]
    kid.max_tv_rating = preset["max_tv_rating"]
    kid.block_unrated = preset["block_unrated"]
    kid.blocked_tags = preset["blocked_tags"]
