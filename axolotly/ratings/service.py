"""The rating scales as stored (`rating_scales`: seeded by migration 0035 from the shipped
snapshot, refreshed daily from TMDB by ratings/refresh.py), for callers that hold a session.

Read once per process and kept for ten minutes: the scales change at most once a day, and every
explanation and rule check reads them. A refresh in this process forgets them at once; other
processes see it within the ten minutes. Pure code takes a `Scales` (ratings/scales.py).
"""

import threading
import time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from axolotly.models import RatingScale
from axolotly.ratings.scales import Scales, scales_from_rows, snapshot

KEEP_SECONDS = 600.0

_lock = threading.Lock()
_kept: tuple[float, Scales] | None = None


def stored_rows(db: Session) -> list[dict[str, Any]]:
    """Every row of `rating_scales`, scale by scale in its order."""
    ordered = select(
        RatingScale.kind,
        RatingScale.country,
        RatingScale.rating,
        RatingScale.position,
        RatingScale.min_age,
        RatingScale.meaning,
    ).order_by(RatingScale.kind, RatingScale.country, RatingScale.position)
    return [dict(row) for row in db.execute(ordered).mappings()]


def stored_scales(db: Session) -> Scales:
    """The table as it is now (the shipped snapshot when it is empty: a database not yet seeded)."""
    rows = stored_rows(db)
    if not rows:
        return snapshot()
    return scales_from_rows(
        ((r["kind"], r["country"], r["rating"], r["position"], r["min_age"], r["meaning"]) for r in rows), "stored"
    )


def current_scales(db: Session) -> Scales:
    global _kept
    now = time.monotonic()
    kept = _kept
    if kept is not None and now - kept[0] < KEEP_SECONDS:
        return kept[1]
    scales = stored_scales(db)
    with _lock:
        _kept = (now, scales)
    return scales


def forget_kept_scales() -> None:
    """After a refresh (or a test that wrote the table): the next reader reads the table again."""
    global _kept
    with _lock:
        _kept = None
