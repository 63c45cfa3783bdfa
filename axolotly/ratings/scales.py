"""Every country's movie and TV rating scale, as plain data (axolotly/data/rating_systems.json).

Pure: it imports nothing of the project, so the decision (policies/evaluate.py), the presets and
the country switch can all read it. A scale lists its ratings lowest (most permissive) first; a
rating's `min_age` is the age its system states, or None when it is no classification at all
("NR", "Exempt"): such a rating counts as unrated. The table `rating_scales` holds the same rows,
refreshed daily from TMDB (ratings/service.py reads it; this module reads the shipped snapshot).
"""

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any, Literal

Kind = Literal["movie", "tv"]
KINDS: tuple[Kind, ...] = ("movie", "tv")
SNAPSHOT_FILE = Path(__file__).parent.parent / "data" / "rating_systems.json"
# US TV content descriptors (TV Parental Guidelines): FV fantasy violence, D dialogue, L language,
# S sexual content, V violence. "TV-PG-LV" is the base rating TV-PG with L and V.
US_TV_DESCRIPTORS = ("FV", "D", "L", "S", "V")


@dataclass(frozen=True)
class Rating:
    rating: str
    order: int
    min_age: int | None
    meaning: str


@dataclass(frozen=True)
class Scale:
    country: str
    kind: str
    ratings: tuple[Rating, ...]  # lowest (most permissive) first

    def position(self, rating: str | None) -> int | None:
        for index, candidate in enumerate(self.ratings):
            if candidate.rating == rating:
                return index
        return None

    def get(self, rating: str | None) -> Rating | None:
        position = self.position(rating)
        return None if position is None else self.ratings[position]

    def names(self) -> tuple[str, ...]:
        return tuple(rating.rating for rating in self.ratings)

    def age_up_to(self, rating: str | None) -> int | None:
        """The highest minimum age a cap at `rating` lets through: the ages of some scales are not
        in order (US TV: TV-Y7 is 7, TV-G above it 0), and a cap of TV-G lets TV-Y7 through. None
        when the rating is not on the scale or is no classification ("NR")."""
        position = self.position(rating)
        if position is None or self.ratings[position].min_age is None:
            return None
        return max(r.min_age for r in self.ratings[: position + 1] if r.min_age is not None)


@dataclass(frozen=True)
class Scales:
    """Every scale, keyed by (kind, country)."""

    by_kind_and_country: Mapping[tuple[str, str], Scale]
    source: str = ""

    def __hash__(self) -> int:  # the mapping is never changed after construction
        return id(self)

    def scale(self, kind: str, country: str) -> Scale | None:
        return self.by_kind_and_country.get((kind, country))

    def countries(self) -> tuple[str, ...]:
        return tuple(sorted({country for _, country in self.by_kind_and_country}))

    def min_age(self, kind: str, country: str, rating: str | None) -> int | None:
        scale = self.scale(kind, country)
        found = scale.get(rating) if scale is not None else None
        return found.min_age if found is not None else None


def tie_break(min_age: int | None) -> tuple[bool, int]:
    """Where a rating goes among ratings of the same order: by minimum age, no classification
    ("NR": None) first. Sorting is stable, so equal ages keep the order they were listed in."""
    return (min_age is not None, min_age or 0)


def scale_of(country: str, kind: str, ratings: Iterable[Rating]) -> Scale:
    """A scale in its order, numbered 1, 2, 3 from the lowest: TMDB gives some ratings the same
    order (Spain's 12 and 16 are both 5), yet a cap of 12 must not let a 16 through, so ties go by
    minimum age (then as listed), whatever order TMDB lists them in, and every rating gets a place
    of its own."""
    in_order = sorted(ratings, key=lambda rating: (rating.order, *tie_break(rating.min_age)))
    return Scale(country, kind, tuple(replace(rating, order=place) for place, rating in enumerate(in_order, 1)))


def scales_from_json(data: Mapping[str, Any]) -> Scales:
    """The shipped file's shape: {"source": ..., "movie": {"US": [{rating, order, min_age, meaning}]}, "tv": ...}."""
    scales: dict[tuple[str, str], Scale] = {}
    for kind in KINDS:
        for country, ratings in (data.get(kind) or {}).items():
            parsed = (
                Rating(str(r["rating"]), int(r["order"]), r.get("min_age"), str(r.get("meaning") or ""))
                for r in ratings
            )
            scales[(kind, country)] = scale_of(country, kind, parsed)
    return Scales(scales, str(data.get("source") or ""))


def scales_from_rows(rows: Iterable[tuple[str, str, str, int, int | None, str]], source: str = "") -> Scales:
    """Rows of `rating_scales`: (kind, country, rating, position, min_age, meaning)."""
    grouped: dict[tuple[str, str], list[Rating]] = {}
    for kind, country, rating, position, min_age, meaning in rows:
        grouped.setdefault((kind, country), []).append(Rating(rating, position, min_age, meaning))
    return Scales({key: scale_of(key[1], key[0], ratings) for key, ratings in grouped.items()}, source)


@cache
def snapshot() -> Scales:
    """The scales shipped with the code (they serve offline; the table may hold fresher ones)."""
    return scales_from_json(json.loads(SNAPSHOT_FILE.read_text(encoding="utf-8")))


def kind_of(media_type: str | None) -> Kind:
    return "tv" if media_type == "tv" else "movie"


def _key(rating: str) -> str:
    """How two spellings of one rating compare: case and spaces do not matter ("ma15+" = "MA 15+")."""
    return re.sub(r"\s+", "", rating).upper()


def _descriptors(rest: str) -> tuple[str, ...] | None:
    """ "LV" -> ("L", "V"); None when `rest` holds anything but US TV descriptors."""
    letters, found = re.sub(r"[\s,-]+", "", rest.upper()), []
    while letters:
        descriptor = next((d for d in US_TV_DESCRIPTORS if letters.startswith(d)), None)
        if descriptor is None:
            return None
        found.append(descriptor)
        letters = letters[len(descriptor) :]
    return tuple(dict.fromkeys(found))


def normalise(
    kind: str, country: str, raw: str | None, scales: Scales | None = None
) -> tuple[str | None, tuple[str, ...]]:
    """A certification as a source spelled it -> (the scale's own spelling, descriptors).

    A value not on the country's scale of that kind is (None, ()): unrated there.
    """
    scale = (scales or snapshot()).scale(kind, country)
    text = (raw or "").strip()
    if scale is None or not text:
        return None, ()
    if country == "DE":  # German sources often write the body's name: "FSK 12", "FSK12", "FSK ab 12"
        text = re.sub(r"^FSK[\s-]*(AB\s*)?", "", text, flags=re.IGNORECASE) or text
    by_key = {_key(name): name for name in scale.names()}
    if _key(text) in by_key:
        return by_key[_key(text)], ()
    if country == "US" and kind == "tv":
        for name in sorted(scale.names(), key=len, reverse=True):
            head, rest = text[: len(name)], text[len(name) :]
            if _key(head) == _key(name) and rest[:1] in ("-", " "):
                descriptors = _descriptors(rest)
                if descriptors is not None:
                    return name, descriptors
    return None, ()


def _lowest_classified(scale: Scale) -> str | None:
    return next((rating.rating for rating in scale.ratings if rating.min_age is not None), None)


def nearest_by_age(scale: Scale, age: int | None) -> str | None:
    """The highest rating whose minimum age, and every lower rating's, `age` has reached (None
    age: None, no cap): a four-year-old's US TV preset is TV-Y, not TV-G, which lets TV-Y7 through.

    When none is reached, the lowest classified rating: a cap never opens more than asked.
    """
    if age is None:
        return None
    reached = [r.rating for r in scale.ratings if r.min_age is not None and (scale.age_up_to(r.rating) or 0) <= age]
    return reached[-1] if reached else _lowest_classified(scale)


def remap_cap(from_scale: Scale, to_scale: Scale, cap: str | None) -> str | None:
    """A cap on one scale as the nearest rating of another by minimum age (None stays None)."""
    if cap is None:
        return None
    age = from_scale.age_up_to(cap)
    if age is None:
        return _lowest_classified(to_scale)
    return nearest_by_age(to_scale, age)
