from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from axolotly.types import storable_text


class EpisodeLinkOut(BaseModel):
    id: int
    title: str
    season: int
    episode: int
    platform: str
    url: str
    verified: bool
    reported_count: int  # = families, kept for older admin clients
    families: int  # how many families reported it (each family's devices count once)
    visible_to_kids: bool  # verified, or reported by LINK_MIN_FAMILIES families


class TagIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    tag: str = Field(min_length=1, max_length=100, pattern=r"^[a-z0-9][a-z0-9_-]*$")
    # Bounded before the storable-text check, so a long one reads "at most N characters".
    category: Annotated[str, Field(max_length=50), AfterValidator(storable_text)] | None = None
    description: Annotated[str, Field(max_length=500), AfterValidator(storable_text)] | None = None


class TagOut(BaseModel):
    """A stored tag as it is: one written by hand ("Violence", "mild peril") lists without TagIn's rules."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    tag: str
    category: str | None
    description: str | None
