from datetime import datetime
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from axolotly.types import RowId, SmallCount, Text, ascii_number

Channel = Literal["production", "beta"]
CHANNELS: tuple[Channel, ...] = ("production", "beta")
Percentage = Annotated[int, Field(ge=0, le=100), BeforeValidator(ascii_number)]
VersionName = Annotated[Text, Field(min_length=1, max_length=50)]
ReleaseNotes = Annotated[Text, Field(max_length=5000)]


def https_url(value: str) -> str:
    # Devices download and install this file: plain http would let any network in between swap it.
    # Lower-case "https://" exactly, as the table's check constraint has it.
    try:
        host = urlsplit(value).hostname
    except ValueError:
        host = None
    if not value.startswith("https://") or not host or any(character.isspace() for character in value):
        raise ValueError("must be an https:// URL")
    return value


# What https_url checks, published as a pattern (https://, a host, no white space; plain ASCII, a
# little less than https_url takes); https_url stays the check, so a refusal keeps its words.
HTTPS_URL = r"^https://([A-Za-z0-9._~%!$&'()*+,;=-]+@)?[A-Za-z0-9._~%-]+(:[0-9]{0,5})?([/?#][!-~]*)?$"
ApkUrl = Annotated[Text, Field(max_length=2048, json_schema_extra={"pattern": HTTPS_URL}), AfterValidator(https_url)]
Sha256 = Annotated[str, Field(pattern=r"^[0-9a-fA-F]{64}$")]


class ReleaseCreate(BaseModel):
    """A launcher APK to publish. The artifact fields cannot change afterwards (models/ota_releases.py)."""

    model_config = ConfigDict(str_strip_whitespace=True)

    version_name: VersionName
    version_code: RowId
    apk_url: ApkUrl
    sha256: Sha256
    channel: Channel = "production"
    min_version_code: SmallCount = 0
    release_notes: ReleaseNotes = ""
    rollout_percentage: Percentage = 100
    active: bool = True

    @field_validator("sha256")
    @classmethod
    def _lower_case(cls, value: str) -> str:
        return value.lower()

    @model_validator(mode="after")
    def _minimum_not_above_the_release(self) -> "ReleaseCreate":
        if self.min_version_code > self.version_code:
            raise ValueError("min_version_code cannot be above version_code")
        return self


class ReleaseUpdate(BaseModel):
    """What steers a published release; fields left out (or null) keep their value."""

    model_config = ConfigDict(str_strip_whitespace=True)

    active: bool | None = None
    rollout_percentage: Percentage | None = None
    min_version_code: SmallCount | None = None
    release_notes: ReleaseNotes | None = None


class ReleaseOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    version_name: str
    version_code: int
    apk_url: str
    sha256: str
    channel: Channel
    min_version_code: int
    release_notes: str
    rollout_percentage: int
    active: bool
    created_at: datetime


class Manifest(BaseModel):
    """The launcher contract's OTA answer: just `update_available` and `channel` when the channel
    has no active release (the route drops the unset fields), else every field, none null."""

    update_available: bool
    channel: Channel
    latest_version: str | None = None
    version_code: int | None = None
    apk_url: str | None = None
    sha256: str | None = None
    min_version_code: int | None = None
    release_notes: str | None = None
    rollout_percentage: int | None = None
