from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from axolotly.catalog.providers import PROVIDERS
from axolotly.catalog.schemas import StoredNames, TitleSummary
from axolotly.ratings.scales import snapshot
from axolotly.types import OneLineText, Text, ascii_number

PIN = Field(pattern=r"^[0-9]{4}$", description="Exactly four digits", examples=["1234"])
KidAge = Annotated[int, Field(ge=0, le=17), BeforeValidator(ascii_number)]


class KidCreate(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    name: Text = Field(min_length=1, max_length=100)
    age: KidAge | None = None
    pin: Text = PIN


class KidUpdate(BaseModel):
    """Only the fields sent change; send `"age": null` to clear the age."""

    model_config = ConfigDict(str_strip_whitespace=True)

    name: Text | None = Field(None, min_length=1, max_length=100)
    age: KidAge | None = None


class PinBody(BaseModel):
    pin: Text = PIN


class PinLockOut(BaseModel):
    """Where the kid is locked after 5 wrong PINs: a device (`device_id`, its name in `place`), or
    the parent API's own check (`device_id` null)."""

    model_config = ConfigDict(from_attributes=True)

    device_id: int | None
    place: str
    locked_until: datetime


class KidOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    age: int | None
    created_at: datetime
    rules_mode: str  # "allow_list" or "rules": GET /api/parent/kids/{id}/rules has the rules
    locks: list[PinLockOut] = Field(default_factory=list, description="Current PIN lockouts, one per device")
    locked_until: datetime | None = Field(None, description="The latest end of a current lockout (any device)")

    @classmethod
    def of(cls, kid: object, locks: Sequence[object]) -> "KidOut":
        shown = [PinLockOut.model_validate(lock) for lock in locks]
        return cls.model_validate(kid).model_copy(
            update={"locks": shown, "locked_until": max((lock.locked_until for lock in shown), default=None)}
        )


# A rating as its scale spells it ("PG-13", "12A", "MA 15+"); which ones a family may use is
# its country's scale (families/rules.py checks, naming them), not a list fixed here.
# One line without control characters, said in the document too (the scales' own names: "MA 15+", "ฉ 20-").
RatingName = Annotated[
    str,  # checked against the family country's scale (families/rules.py), so never stored unchecked
    StringConstraints(min_length=1, max_length=40, pattern=r"^[^\x00-\x1f\x7f-\x9f]+$"),
    Field(examples=["PG-13", "12A", "16"]),
]


class RulesBody(BaseModel):
    """A kid's rules (policies/evaluate.py); ratings cap what `rules` mode shows, null for no cap."""

    mode: Literal["allow_list", "rules"] = Field(
        description="allow_list: only titles a parent allowed; rules: every library title within the rules"
    )
    max_movie_rating: RatingName | None = Field(
        description="A rating of the family country's movie scale (GET /api/rating-systems/{country}); null: no cap"
    )
    max_tv_rating: RatingName | None = Field(
        description="A rating of the family country's TV scale (GET /api/rating-systems/{country}); null: no cap"
    )
    block_unrated: bool = True
    blocked_tags: list[Text] = Field(
        default_factory=list,
        max_length=100,
        description="content_tags names; titles and episodes carrying one are hidden",
    )


class RulesOut(RulesBody):
    model_config = ConfigDict(from_attributes=True)

    kid_id: int
    # As stored, not through the input's bounds: a hand-written row may hold any names, any number.
    blocked_tags: StoredNames = Field(description="content_tags names; titles and episodes carrying one are hidden")


class LibraryEntryOut(BaseModel):
    title: TitleSummary
    added_at: datetime
    added_by: int | None  # the parent who added it (None once they left the family)


class PinVerified(BaseModel):
    verified: bool


class ServiceOut(BaseModel):
    id: str
    name: str
    package: str


if TYPE_CHECKING:
    ServiceId = str  # to mypy any text; pydantic holds it to the registry's ids (a Literal built from data)
else:
    ServiceId = Literal[tuple(provider.id for provider in PROVIDERS)]


class ServiceSelection(BaseModel):
    # Each id once: said in the schema (uniqueItems), checked with its own words by families/streaming.py.
    services: list[ServiceId] = Field(
        max_length=32, description="Registry ids, in launcher order, each once", json_schema_extra={"uniqueItems": True}
    )


class ServiceSelectionOut(BaseModel):
    services: StoredNames = Field(description="Registry ids, in launcher order (an older row may hold unknown ones)")
    updated_at: datetime | None


class ActivityOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    action: str
    summary: str
    actor: str | None  # who did it (a parent's email), None for a device or the system
    created_at: datetime


class InvitationOut(BaseModel):
    id: int
    token: str  # shown once: share the url with the co-parent
    url: str
    expires_at: datetime


class OpenInvitationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    created_at: datetime
    expires_at: datetime


class MemberOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    user_id: int
    email: str
    display_name: str | None  # null: named by the email
    role: str  # "owner" or "co_parent"
    joined_at: datetime


class JoinedFamily(BaseModel):
    family_id: int
    family_name: str
    role: str


# The document names the countries of the shipped scales; the server checks against the stored ones
# (a refresh from TMDB may add a country: then the server takes more than the document says).
SHIPPED_COUNTRIES = [code for code in snapshot().countries() if len(code) == 2]
Country = Annotated[
    OneLineText,
    Field(
        min_length=1,
        max_length=10,
        description="ISO 3166-1 alpha-2 with a rating system (GET /api/rating-systems)",
        examples=["DE"],
        json_schema_extra={"enum": SHIPPED_COUNTRIES},
    ),
]


class CapMove(BaseModel):
    """A cap before and after a country switch (null: no cap)."""

    model_config = ConfigDict(populate_by_name=True)

    before: str | None = Field(alias="from")
    after: str | None = Field(alias="to")


class KidCapsPreview(BaseModel):
    kid_id: int
    name: str
    movie: CapMove
    tv: CapMove


class FamilySettingsBody(BaseModel):
    """Only the fields sent change."""

    model_config = ConfigDict(str_strip_whitespace=True)

    family_name: OneLineText | None = Field(None, min_length=1, max_length=100)
    time_zone: Text | None = Field(None, min_length=1, max_length=64, examples=["Europe/London"])
    country: Country | None = Field(
        None, description="Changing it re-maps each kid's caps to the nearest ratings by minimum age"
    )
    expected: list[KidCapsPreview] | None = Field(
        None,
        max_length=1000,
        description=(
            "With `country`: the answer of POST /api/parent/family/country-preview the parent saw. When the "
            "re-mapping differs at save time (a co-parent changed a cap, the rating scales were refreshed, a kid "
            "was added or deleted), 409 and nothing changes: preview again. Without it, the country is saved "
            "with the re-mapping of that moment, unseen."
        ),
    )


class FamilySettingsOut(BaseModel):
    family_name: str
    time_zone: str
    country: str = Field(description="ISO 3166-1 alpha-2: the rating scales of the kids' caps, the services offered")


class CountryBody(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    country: Country
