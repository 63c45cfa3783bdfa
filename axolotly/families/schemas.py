from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from axolotly.types import SmallCount, Text

PIN = Field(pattern=r"^[0-9]{4}$", description="Exactly four digits", examples=["1234"])


class KidCreate(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    name: Text = Field(min_length=1, max_length=100)
    age: SmallCount | None = Field(None, le=17)
    pin: Text = PIN


class KidUpdate(BaseModel):
    """Only the fields sent change; send `"age": null` to clear the age."""

    model_config = ConfigDict(str_strip_whitespace=True)

    name: Text | None = Field(None, min_length=1, max_length=100)
    age: SmallCount | None = Field(None, le=17)


class PinBody(BaseModel):
    pin: Text = PIN


class KidOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    age: int | None
    created_at: datetime
    locked_until: datetime | None = Field(None, validation_alias="pin_locked_until")


class PinVerified(BaseModel):
    verified: bool


class ServiceOut(BaseModel):
    id: str
    name: str
    package: str


class ServiceSelection(BaseModel):
    services: list[Text] = Field(max_length=32, description="Registry ids, in launcher order")


class ServiceSelectionOut(ServiceSelection):
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
    role: str  # "owner" or "co_parent"
    joined_at: datetime


class JoinedFamily(BaseModel):
    family_id: int
    family_name: str
    role: str
