"""The daily refresh of `rating_scales` from TMDB's certification lists (when TMDB is configured).

TMDB gives each country's ratings with their meaning and order; the minimum ages are ours (TMDB
states none, docs/rating-systems.md says where each comes from), so a refresh keeps a known
rating's `min_age` and gives a new rating the age its name states ("16", "+13", "16+"), else none
(it then counts as unrated until someone writes its age down). A rating TMDB no longer lists stays:
a kid's cap may name it. Each scale TMDB answers for is numbered again as a whole (`placed`), so
positions stay unique and in order; when a place or a rating changed, every kid's launcher is
rebuilt (the launcher's statement reads the scales).
"""

import logging
import re
from itertools import groupby
from typing import Any

from sqlalchemy import func, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from axolotly.catalog.tmdb import TmdbClient
from axolotly.models import KidProfile, RatingScale
from axolotly.ratings.scales import KINDS, tie_break
from axolotly.ratings.service import forget_kept_scales, stored_rows

logger = logging.getLogger(__name__)
LIST_PATHS = {"movie": "/certification/movie/list", "tv": "/certification/tv/list"}
AGE_IN_NAME = re.compile(r"\+?(\d{1,2})\+?")
COUNTRY_CODE = re.compile(r"[A-Z]{2}(-[A-Z0-9]{1,3})?")  # ISO 3166-1, or a region such as CA-QC
MAX_AGE = 21  # the table's check: no system states an older age
TIE_ROOM = 100  # positions: TMDB's order × 100 + the place among ratings of the same order
MAX_ORDER = 300  # rating_scales.position is a smallint


def age_in_name(rating: str) -> int | None:
    match = AGE_IN_NAME.fullmatch(rating.strip())
    return int(match.group(1)) if match and int(match.group(1)) <= MAX_AGE else None


def fetch_lists(client: TmdbClient) -> dict[str, Any]:
    """Both lists as TMDB answers them ({"certifications": {"US": [...]}}), asked outside any
    transaction. TmdbClient's GET carries the retries and the deadline of every TMDB request."""
    return {kind: client._get(path) or {} for kind, path in LIST_PATHS.items()}  # noqa: SLF001


def rows_of(lists: dict[str, Any]) -> list[dict[str, Any]]:
    """TMDB's ratings as listed, with their order and the age their name states (`store` keeps the
    ages we know), skipping entries without a name or a whole-number order."""
    rows = {}
    for kind in KINDS:
        countries = (lists.get(kind) or {}).get("certifications") or {}
        for country, ratings in countries.items() if isinstance(countries, dict) else ():
            if not (isinstance(country, str) and COUNTRY_CODE.fullmatch(country) and isinstance(ratings, list)):
                continue
            for entry in ratings:
                name = str(entry.get("certification") or "").strip() if isinstance(entry, dict) else ""
                order = entry.get("order") if isinstance(entry, dict) else None
                if not name or len(name) > 40 or not isinstance(order, int) or not 0 <= order <= MAX_ORDER:
                    continue
                meaning = str(entry.get("meaning") or "")
                rows[(kind, country, name)] = {
                    "kind": kind,
                    "country": country,
                    "rating": name,
                    "order": order,
                    "min_age": age_in_name(name),
                    "meaning": meaning,
                }
    return list(rows.values())


def placed(listed: list[dict[str, Any]], stored: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One scale's rows as they are to be stored, numbered from the lowest.

    `listed`: TMDB's ratings of the scale as listed (with `order`); `stored`: the table's rows of
    the scale before the refresh, in position order. TMDB's ratings go by order, ties by minimum
    age (no classification first), then as listed: TMDB gives Spain's 12 and 16 both 5, and a cap
    of 12 must never let a 16 through. A rating TMDB no longer lists keeps its age and meaning and
    goes right after the rating that preceded it in the stored scale (first when none did).
    `position`: the order × 100 plus the place among its ties (a dropped rating counts in its
    predecessor's order), always above the one before (migration 0035 seeds the same numbers).
    """
    kept_ages = {row["rating"]: row["min_age"] for row in stored}
    ages = {row["rating"]: kept_ages.get(row["rating"], row["min_age"]) for row in listed}
    in_order = sorted(listed, key=lambda row: (row["order"], *tie_break(ages[row["rating"]])))
    sequence = [(row["order"], row | {"min_age": ages[row["rating"]]}) for row in in_order]
    for index, row in enumerate(stored):
        if row["rating"] in ages:
            continue
        before = stored[index - 1]["rating"] if index else None
        at = next((i + 1 for i, (_, seen) in enumerate(sequence) if seen["rating"] == before), 0)
        order = sequence[at - 1][0] if at else (sequence[0][0] if sequence else 0)
        sequence.insert(at, (order, row))
    numbered, position = [], -1
    for order, row in sequence:
        position = max(order * TIE_ROOM, position + 1)
        fields = {name: row[name] for name in ("kind", "country", "rating", "min_age", "meaning")}
        numbered.append(fields | {"position": position})
    return numbered


def store(db: Session, rows: list[dict[str, Any]]) -> int:
    """Stores TMDB's ratings (`rows_of`): orders and meanings from TMDB, our minimum ages kept,
    each scale TMDB answered for numbered again; how many ratings TMDB listed."""
    if not rows:
        return 0
    stored: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in stored_rows(db):
        stored.setdefault(_scale_of_row(row), []).append(row)
    wanted = [
        row
        for scale, listed in groupby(sorted(rows, key=_scale_of_row), key=_scale_of_row)
        for row in placed(list(listed), stored.get(scale, []))
    ]
    before = {(row["kind"], row["country"], row["rating"]): row for scale in stored.values() for row in scale}
    changed = [row for row in wanted if before.get((row["kind"], row["country"], row["rating"])) != row]
    if changed:
        statement = insert(RatingScale).values(changed)
        db.execute(
            statement.on_conflict_do_update(
                index_elements=[RatingScale.kind, RatingScale.country, RatingScale.rating],
                set_={"position": statement.excluded.position, "meaning": statement.excluded.meaning},
            )
        )
    if any(_moves_launchers(before.get((row["kind"], row["country"], row["rating"])), row) for row in changed):
        # Every kid, not only rules-mode ones: a rating new to a scale also changes the `ageRating`
        # a launcher shows for a title a parent allowed (the rating in the family's country).
        db.execute(update(KidProfile).values(launcher_version=func.nextval("launcher_version_seq")))
    forget_kept_scales()
    return len(rows)


def _scale_of_row(row: dict[str, Any]) -> tuple[str, str]:
    return row["kind"], row["country"]


def _moves_launchers(old: dict[str, Any] | None, new: dict[str, Any]) -> bool:
    """A new rating, or a rating's place or age changed: what the launcher's statement reads (a
    meaning alone it does not)."""
    return old is None or (old["position"], old["min_age"]) != (new["position"], new["min_age"])
