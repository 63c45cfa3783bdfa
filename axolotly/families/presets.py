"""The rules a new kid starts with, by age and the family's country (families/rules.py edits them later).

A preset is, for movies and for TV, the highest rating of the country's scale whose minimum age
the kid has reached (ratings/scales.py `nearest_by_age`): computed from the scales, never a list
of our own. The rules form offers them as buttons by age band: the ages over which the presets
stay the same.
"""

from typing import Any, overload

from axolotly.models import KidProfile
from axolotly.ratings.scales import Scales, nearest_by_age, snapshot

OLDEST = 17  # a kid profile's age is 0..17 (families/schemas.py KidAge)


def caps_for_age(age: int, country: str, scales: Scales | None = None) -> dict[str, str | None]:
    """The caps for a kid of `age` in `country`; a kind the country has no scale of stays open (None)."""
    scales = scales or snapshot()
    movie, tv = scales.scale("movie", country), scales.scale("tv", country)
    return {
        "max_movie_rating": nearest_by_age(movie, age) if movie else None,
        "max_tv_rating": nearest_by_age(tv, age) if tv else None,
    }


@overload
def preset_for_age(age: int, country: str = ..., scales: Scales | None = ...) -> dict[str, Any]: ...
@overload
def preset_for_age(age: None, country: str = ..., scales: Scales | None = ...) -> None: ...
@overload
def preset_for_age(age: int | None, country: str = ..., scales: Scales | None = ...) -> dict[str, Any] | None: ...
def preset_for_age(age: int | None, country: str = "US", scales: Scales | None = None) -> dict[str, Any] | None:
    """The rules for a kid of that age (the API's shape: rules mode, unrated blocked), None without one."""
    if age is None:
        return None
    return {
        "mode": "rules",
        **caps_for_age(min(max(age, 0), OLDEST), country, scales),
        "block_unrated": True,
        "blocked_tags": [],
    }


def preset_bands(country: str, scales: Scales | None = None) -> dict[tuple[int, int], dict[str, str | None]]:
    """{(youngest, oldest): caps}: the ages 0..17 in runs that share one preset, youngest first."""
    bands: dict[tuple[int, int], dict[str, str | None]] = {}
    start, caps = 0, caps_for_age(0, country, scales)
    for age in range(1, OLDEST + 2):
        following = caps_for_age(age, country, scales) if age <= OLDEST else None
        if following != caps:
            bands[(start, age - 1)] = caps
            if following is not None:
                start, caps = age, following
    return bands


def apply_preset(kid: KidProfile, country: str = "US", scales: Scales | None = None) -> None:
    """A new kid: with an age, rules mode with that age's preset; without one, the allow list."""
    preset = preset_for_age(kid.age, country, scales)
    if preset is None:
        kid.rules_mode = "allow_list"
        return
    kid.rules_mode = preset["mode"]
    kid.max_movie_rating = preset["max_movie_rating"]
    kid.max_tv_rating = preset["max_tv_rating"]
    kid.block_unrated = preset["block_unrated"]
    kid.blocked_tags = preset["blocked_tags"]
