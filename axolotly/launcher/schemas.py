from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from axolotly.types import RowId, SmallCount, Text


class PairRequest(BaseModel):
    pairingCode: str = Field(pattern=r"^[0-9]{6}$", examples=["123456"])


class PairResponse(BaseModel):
    deviceId: str
    apiKey: str
    familyName: str


class DeviceValidation(BaseModel):
    is_paired: bool
    kid_profile_id: int
    kid_name: str
    kid_age: int | None  # the parent may give no age


ReportedUrl = Annotated[Text, Field(max_length=2048)]
ProviderName = Annotated[Text, Field(max_length=100)]


def _first_given(*names: str) -> dict[str, Any]:
    """JSON Schema for "the first of `names` that is not null or empty is non-blank" (how the
    `reported_*` properties read the alternatives)."""
    unset = {"enum": [None, ""]}
    return {
        "anyOf": [
            {
                "required": [name],
                "properties": {
                    **{earlier: unset for earlier in names[:position]},
                    name: {"type": "string", "pattern": r"\S"},
                },
            }
            for position, name in enumerate(names)
        ]
    }


class EpisodeReport(BaseModel):
    """A deep link a launcher saw playing, in any of the three bodies launchers in the field send
    (launcher contract, "Crowd-sourced episode links"); read it through the `reported_*` properties.

    `playback_position` (first body) is accepted and ignored: undeclared, so any value passes.
    """

    # The validator's rule, published: a url (or deep_link_url) and a provider (or streaming_service, platform).
    model_config = ConfigDict(
        json_schema_extra={
            "allOf": [_first_given("url", "deep_link_url"), _first_given("provider", "streaming_service", "platform")]
        }
    )

    url: ReportedUrl | None = None
    deep_link_url: ReportedUrl | None = None
    provider: ProviderName | None = None
    streaming_service: ProviderName | None = None
    platform: ProviderName | None = None
    title: Annotated[Text, Field(max_length=500)] | None = None
    title_id: RowId | None = None
    tmdb_title_id: RowId | None = None
    tmdb_show_id: RowId | None = None
    season_number: SmallCount | None = None
    season: SmallCount | None = None
    episode_number: SmallCount | None = None
    episode: SmallCount | None = None

    @model_validator(mode="after")
    def _names_a_url_and_a_provider(self) -> "EpisodeReport":
        if not self.reported_url:
            raise PydanticCustomError("missing_url", "url is required (or deep_link_url)")
        if not self.reported_provider:
            raise PydanticCustomError("missing_provider", "provider is required (or streaming_service, platform)")
        return self

    @property
    def reported_url(self) -> str:
        return (self.url or self.deep_link_url or "").strip()

    @property
    def reported_provider(self) -> str:
        return (self.provider or self.streaming_service or self.platform or "").strip()

    @property
    def reported_tmdb_id(self) -> int | None:
        return self.tmdb_title_id or self.tmdb_show_id

    @property
    def reported_season(self) -> int | None:
        return self.season_number if self.season_number is not None else self.season

    @property
    def reported_episode(self) -> int | None:
        return self.episode_number if self.episode_number is not None else self.episode


class EpisodeReportResult(BaseModel):
    success: bool = True
    report_id: int
    # matched: attached to an episode of a show this device's kid may watch; pending: kept, not attached.
    status: Literal["matched", "pending"]
    message: str


class PairingInitiate(BaseModel):
    # Launchers in the field send any identifier they have (Android id, UUID, serial...).
    device_id: Annotated[Text, Field(min_length=1, max_length=255)]
    pairing_code: str = Field(pattern=r"^[0-9]{6}$")


class PairingStatus(BaseModel):
    is_paired: bool
    api_key: str | None


class DeviceInfo(BaseModel):
    """What a launcher says about itself. Every field is optional and a left-out (or null) field
    keeps its stored value, so a launcher generation that does not know a field never erases it."""

    model_config = ConfigDict(str_strip_whitespace=True)

    device_model: Annotated[Text, Field(max_length=100)] | None = None
    device_manufacturer: Annotated[Text, Field(max_length=100)] | None = None
    app_version: Annotated[Text, Field(max_length=50)] | None = None
    app_version_code: SmallCount | None = None
    fcm_token: Annotated[Text, Field(max_length=4096)] | None = None


class Heartbeat(BaseModel):
    status: str = "ok"
    server_time: str


class Stored(BaseModel):
    status: str = "ok"


class TitleRequestCreate(BaseModel):
    """A kid asks for a title: its `id` as `/api/apps` sends it (a string of digits) or a number."""

    title_id: RowId


class TitleRequestOut(BaseModel):
    """A kid's request as the launcher shows it; no string is null ("" when there is nothing)."""

    id: int
    status: Literal["open", "approved", "declined"]
    title_id: str  # as `/api/apps` names the title (`id`)
    title: str = ""
    note: str = ""  # the parent's words, if any
    message: str = ""  # what the launcher can show the kid
    created_at: str = ""
    answered_at: str = ""
