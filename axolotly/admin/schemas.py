from pydantic import BaseModel, ConfigDict, Field


class EpisodeLinkOut(BaseModel):
    id: int
    title: str
    season: int
    episode: int
    platform: str
    url: str
    verified: bool
    reported_count: int


class TagIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    tag: str = Field(min_length=1, max_length=100, pattern=r"^[a-z0-9][a-z0-9_-]*$")
    category: str | None = Field(None, max_length=50)
    description: str | None = Field(None, max_length=500)


class TagOut(TagIn):
    model_config = ConfigDict(from_attributes=True)

    id: int
