"""The field launcher's Kotlin data classes, as strict pydantic models: every `String` is non-null.

Parsing `/api/apps` with these fails on a `null` (or a number) wherever the client wants a string,
exactly as Gson/Moshi with non-null Kotlin types would.
"""

from typing import Literal

from pydantic import BaseModel, ConfigDict


class ClientModel(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")  # clients ignore unknown keys


class EpisodeItem(ClientModel):
    id: str
    name: str
    deepLink: str


class AppItem(ClientModel):
    id: str
    appName: str
    packageName: str
    iconUrl: str
    coverArt: str
    isEnabled: bool
    ageRating: str
    mediaType: Literal["TV", "MOVIE"]
    deepLink: str
    episodes: list[EpisodeItem]


class AppGroup(ClientModel):
    id: str
    name: str
    package: str
    packageName: str
    count: int
    content: list[AppItem]


def parse_apps(body: list) -> list[AppGroup]:
    return [AppGroup.model_validate(group) for group in body]
