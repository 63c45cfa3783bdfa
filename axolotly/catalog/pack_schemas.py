"""Starter packs over the API: what an admin sends, what everyone reads, what a parent applies."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from axolotly.catalog.schemas import TitleSummary
from axolotly.types import RowId, Text

Age = Annotated[int, Field(ge=0, le=18)]
MAX_PACK_TITLES = 200


class PackIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    name: Annotated[Text, Field(min_length=1, max_length=100)]
    description: Annotated[Text, Field(max_length=2000)] = ""
    min_age: Age | None = None
    max_age: Age | None = None
    title_ids: Annotated[list[RowId], Field(max_length=MAX_PACK_TITLES)] = []

    @model_validator(mode="after")
    def ages_in_order(self) -> "PackIn":
        if self.min_age is not None and self.max_age is not None and self.min_age > self.max_age:
            raise ValueError("The minimum age must not be above the maximum age")
        self.title_ids = list(dict.fromkeys(self.title_ids))  # a title once, first position wins
        return self


class PackOut(BaseModel):
    id: int
    name: str
    description: str
    min_age: int | None
    max_age: int | None
    title_ids: list[int]
    titles: list[TitleSummary]


class ApplyPack(BaseModel):
    kid_ids: Annotated[list[RowId], Field(max_length=50)] = []  # also allow the titles for these kids


class PackApplied(BaseModel):
    pack_id: int
    titles: int  # in the pack
    added: int  # new in the family library
    allowed_for: list[int]  # kid ids
