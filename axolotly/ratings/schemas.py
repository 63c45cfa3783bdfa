from pydantic import BaseModel


class RatingSystemCountry(BaseModel):
    country: str  # ISO 3166-1 alpha-2
    name: str  # in English, like every JSON answer's words
    movie: bool  # whether the country has a movie scale
    tv: bool


class RatingSystems(BaseModel):
    countries: list[RatingSystemCountry]


class RatingOut(BaseModel):
    rating: str
    order: int
    min_age: int | None  # None: no classification ("NR", "Exempt"), which counts as unrated
    meaning: str


class RatingSystem(BaseModel):
    country: str
    movie: list[RatingOut]  # lowest (most permissive) first; empty when the country has no such scale
    tv: list[RatingOut]
