from datetime import datetime

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

from axolotly.security.passwords import BCRYPT_MAX_BYTES
from axolotly.types import Text

MIN_PASSWORD_LENGTH = 10


class Credentials(BaseModel):
    email: EmailStr
    password: Text = Field(min_length=1, max_length=200)


class SignUp(BaseModel):
    email: EmailStr
    password: Text = Field(min_length=MIN_PASSWORD_LENGTH, max_length=200,
                          description=f"At least {MIN_PASSWORD_LENGTH} characters, at most {BCRYPT_MAX_BYTES} bytes")
    family_name: Text | None = Field(None, min_length=1, max_length=100)

    @field_validator("password")
    @classmethod
    def _fits_bcrypt(cls, password: str) -> str:
        if len(password.encode()) > BCRYPT_MAX_BYTES:
            raise ValueError(f"password must be at most {BCRYPT_MAX_BYTES} bytes (bcrypt's limit)")
        return password


class DeleteAccount(BaseModel):
    password: Text = Field(min_length=1, max_length=200)


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    role: str
    family_name: str | None
    created_at: datetime


class AccessToken(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int
