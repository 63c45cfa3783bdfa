"""The daily refresh of `rating_scales` from TMDB's certification lists (when TMDB is configured).

TMDB gives each country's ratings with their meaning and order; the minimum ages are ours (TMDB
states none, docs/rating-systems.md says where each comes from), so a refresh keeps a known
rating's `min_age` and gives a new rating the age its name states ("16", "+13", "16+"), else none
(it then counts as unrated until someone writes its age down). A rating TMDB no longer lists stays:
a kid's cap may name it.
"""

import logging
import re
from typing import Any

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from axolotly.catalog.tmdb import TmdbClient
from axolotly.models import RatingScale
from axolotly.ratings.scales import KINDS
from axolotly.ratings.service import forget_kept_scales

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
    """The table's rows of TMDB's answer, skipping entries without a name or a whole-number order."""
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
    return numbered(list(rows.values()))


def numbered(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each row's `position`: TMDB's order × 100, plus one for each earlier rating of the same scale
    with the same order (TMDB gives Spain's 12 and 16 both 5, yet a cap of 12 must not let a 16
    through). Ratings a refresh does not mention keep their places (migration 0035 seeds the same way)."""
    ties: dict[tuple[str, str, int], int] = {}
    numbered_rows = []
    for row in rows:
        key = (row["kind"], row["country"], row["order"])
        ties[key] = ties.get(key, -1) + 1
        without_order = {name: value for name, value in row.items() if name != "order"}
        numbered_rows.append(without_order | {"position": row["order"] * TIE_ROOM + ties[key]})
    return numbered_rows


def store(db: Session, rows: list[dict[str, Any]]) -> int:
    """Upserts the rows (orders and meanings from TMDB, our minimum ages kept); how many."""
    if not rows:
        return 0
    statement = insert(RatingScale).values(rows)
    db.execute(
        statement.on_conflict_do_update(
            index_elements=[RatingScale.kind, RatingScale.country, RatingScale.rating],
            set_={"position": statement.excluded.position, "meaning": statement.excluded.meaning},
        )
    )
    forget_kept_scales()
    return len(rows)
