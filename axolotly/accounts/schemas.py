from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field

from axolotly.enums import UserRole
from axolotly.security.passwords import BCRYPT_MAX_BYTES
from axolotly.types import OneLineText, Text, storable_text

MIN_PASSWORD_LENGTH = 10


def _fits_bcrypt(password: str) -> str:
    if len(password.encode()) > BCRYPT_MAX_BYTES:
        raise ValueError(f"password must be at most {BCRYPT_MAX_BYTES} bytes (bcrypt's limit)")
    return password


NewPassword = Annotated[
    str,
    Field(
        min_length=MIN_PASSWORD_LENGTH,
        max_length=200,
        description=f"At least {MIN_PASSWORD_LENGTH} characters, at most {BCRYPT_MAX_BYTES} bytes",
    ),
    AfterValidator(storable_text),
    AfterValidator(_fits_bcrypt),
]
"""A password being chosen (sign-up, password change): long enough, and within bcrypt's limit."""


class Credentials(BaseModel):
    email: EmailStr
    password: Text = Field(min_length=1, max_length=200)


DisplayName = Annotated[
    OneLineText, Field(max_length=100, description="How the pages name this parent to the family (else the email)")
]


class SignUp(BaseModel):
    email: EmailStr
    password: NewPassword
    family_name: OneLineText | None = Field(None, min_length=1, max_length=100)
    display_name: DisplayName | None = None
    invitation_token: Text | None = Field(
        None, min_length=1, max_length=100, description="Join this invitation's family as a co-parent"
    )
    country: OneLineText = Field(
        "US",
        min_length=1,
        max_length=10,
        description="The family's country (ISO 3166-1 alpha-2 with a rating system); a co-parent joins the inviter's",
        examples=["GB"],
    )


PageLanguage = Literal["en", "de", "es", "fr"]


class LanguageChange(BaseModel):
    language: PageLanguage | None = Field(description="The pages' and emails' language; null: the browser's")


class PasswordChange(BaseModel):
    current_password: Text = Field(min_length=1, max_length=200)
    new_password: NewPassword


class NameChange(BaseModel):
    display_name: DisplayName | None = Field(description="Null or blank: named by the email")


class DeleteAccount(BaseModel):
    password: Text = Field(min_length=1, max_length=200)


class EmailChange(BaseModel):
    password: Text = Field(min_length=1, max_length=200)
    email: EmailStr


class PasswordResetRequest(BaseModel):
    email: EmailStr


class PasswordReset(BaseModel):
    token: Text = Field(min_length=1, max_length=200, description="From the emailed link: /reset-password/<token>")
    new_password: NewPassword


class Message(BaseModel):
    detail: str


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    role: UserRole
    family_name: str | None
    display_name: str | None
    language: str | None = Field(description="The pages' and emails' language; null: the browser's")
    created_at: datetime


class AccessToken(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105  # OAuth2's token type, not a secret
    expires_in: int
