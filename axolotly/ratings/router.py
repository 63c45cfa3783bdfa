"""Every country's rating scales (public: a sign-up page picks a country before any account)."""

from typing import Annotated

from babel import Locale
from fastapi import APIRouter, Path

from axolotly.db.replicas import ReadSession
from axolotly.errors import NotFound
from axolotly.ratings.scales import Scale
from axolotly.ratings.schemas import RatingOut, RatingSystem, RatingSystemCountry, RatingSystems
from axolotly.ratings.service import current_scales

router = APIRouter(prefix="/api/rating-systems", tags=["ratings"])
ENGLISH_NAMES = Locale("en").territories


@router.get("", response_model=RatingSystems)
def list_rating_systems(db: ReadSession):
    """The countries with a movie or TV rating scale, by country code."""
    scales = current_scales(db)
    return RatingSystems(
        countries=[
            RatingSystemCountry(
                country=country,
                name=ENGLISH_NAMES.get(country, country),
                movie=scales.scale("movie", country) is not None,
                tv=scales.scale("tv", country) is not None,
            )
            for country in scales.countries()
        ]
    )


def _ratings(scale: Scale | None) -> list[RatingOut]:
    if scale is None:
        return []
    return [RatingOut(rating=r.rating, order=r.order, min_age=r.min_age, meaning=r.meaning) for r in scale.ratings]


@router.get("/{country}", response_model=RatingSystem)
def get_rating_system(
    country: Annotated[str, Path(min_length=1, max_length=10, description="ISO 3166-1 alpha-2 code, e.g. DE")],
    db: ReadSession,
):
    """A country's movie and TV scales, each lowest (most permissive) first."""
    code = country.strip().upper()
    scales = current_scales(db)
    if code not in scales.countries():
        raise NotFound("No rating system is known for this country (use an ISO 3166-1 code such as DE)")
    movie, tv = scales.scale("movie", code), scales.scale("tv", code)
    return RatingSystem(country=code, movie=_ratings(movie), tv=_ratings(tv))
