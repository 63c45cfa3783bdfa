from pydantic import BaseModel, Field, model_validator

from axolotly.catalog.providers import PROVIDERS_BY_ID

DEEP_LINK_PATTERN = r"^[A-Za-z][A-Za-z0-9+.\-]*://\S+$"


class PairRequest(BaseModel):
    pairingCode: str = Field(pattern=r"^[0-9]{6}$", examples=["123456"])


class PairResponse(BaseModel):
    deviceId: str
    apiKey: str
    familyName: str


class DeviceValidation(BaseModel):
    is_paired: bool
    kid_profile_id: int | None
    kid_name: str | None
    kid_age: int | None


class EpisodeReport(BaseModel):
    """A deep link the launcher saw playing; the original field names are accepted."""

    tmdb_show_id: int | None = None
    title_id: int | None = None
    season: int = Field(ge=0, le=1000)
    episode: int = Field(ge=0, le=100000)
    platform: str = Field(min_length=1, max_length=50)
    url: str = Field(max_length=2048, pattern=DEEP_LINK_PATTERN)

    @model_validator(mode="after")
    def _one_show_reference_and_a_known_platform(self) -> "EpisodeReport":
        if (self.tmdb_show_id is None) == (self.title_id is None):
            raise ValueError("send exactly one of tmdb_show_id or title_id")
        if self.platform not in PROVIDERS_BY_ID:
            raise ValueError(f"unknown platform {self.platform!r}")
        return self


class EpisodeReportResult(BaseModel):
    status: str = "recorded"
    link_id: int
    reported_count: int


class PairingInitiate(BaseModel):
    device_id: str = Field(pattern=r"^[A-Za-z0-9._:\-]{8,255}$")
    pairing_code: str = Field(pattern=r"^[0-9]{6}$")


class PairingStatus(BaseModel):
    is_paired: bool
    api_key: str | None
