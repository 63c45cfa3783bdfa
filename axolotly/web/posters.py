"""Generated posters (SVG) for titles without a TMDB image: the offline demo looks right offline."""

import hashlib
import textwrap
from html import escape

from fastapi import APIRouter, Response

from axolotly.accounts.deps import DbSession
from axolotly.catalog import service as catalog
from axolotly.errors import NotFound
from axolotly.types import RowId

router = APIRouter(include_in_schema=False)
PALETTE = ("#2b6cb0", "#2f855a", "#b7791f", "#c05621", "#6b46c1", "#b83280", "#2c7a7b", "#4a5568")


PLACEHOLDER = "/posters/placeholder.svg"


@router.get(PLACEHOLDER)
def placeholder() -> Response:
    """The poster of a search result not imported yet."""
    return _poster("Axolotly")


@router.get("/posters/{title_id}.svg")
def poster(title_id: RowId, db: DbSession) -> Response:
    try:
        name = catalog.get_title(db, title_id).title
    except NotFound:  # a deleted title keeps a poster: the page that links it may be old
        name = "Axolotly"
    return _poster(name)


def _poster(name: str) -> Response:
    colour = PALETTE[int(hashlib.sha256(name.encode()).hexdigest(), 16) % len(PALETTE)]
    lines = textwrap.wrap(name, 14)[:4]
    text = "".join(f'<tspan x="100" dy="{0 if i == 0 else 34}">{escape(line)}</tspan>' for i, line in enumerate(lines))
    top = 150 - 17 * (len(lines) - 1)
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="200" height="300" viewBox="0 0 200 300" role="img" '
        f'aria-label="{escape(name)}"><rect width="200" height="300" rx="12" fill="{colour}"/>'
        f'<circle cx="160" cy="50" r="60" fill="#ffffff" opacity="0.12"/>'
        f'<text x="100" y="{top}" fill="#fff" font-family="sans-serif" font-size="26" font-weight="700" '
        f'text-anchor="middle">{text}</text></svg>'
    )
    return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"})
