"""Previews: what a change would do to each kid's launcher, before it is saved (policies/preview.py).

Each takes the body of the change it previews and answers with the titles that would appear and
disappear; it writes nothing (the change is made and rolled back inside a savepoint), and refuses
what the change itself would refuse, with the same status."""

from fastapi import APIRouter
from pydantic import BaseModel, Field

from axolotly.accounts.deps import DbSession
from axolotly.families.deps import CurrentFamily, OwnedKid
from axolotly.families.schemas import RulesBody
from axolotly.policies import preview
from axolotly.policies.schemas import PolicySet
from axolotly.types import RowId

router = APIRouter(prefix="/api/parent", tags=["library and rules"])


class PreviewTitle(BaseModel):
    id: int
    title: str
    media_type: str = Field(description="movie or tv")
    poster_url: str | None = Field(description="The poster the launcher shows; null: the title has none")


class LauncherChange(BaseModel):
    appear: list[PreviewTitle] = Field(description="Titles the kid's launcher would gain, by title")
    disappear: list[PreviewTitle] = Field(description="Titles the kid's launcher would lose, by title")


class KidLauncherChange(LauncherChange):
    kid_id: int
    kid_name: str


def _titles(cards: list[preview.TitleCard]) -> list[PreviewTitle]:
    return [PreviewTitle(id=c.id, title=c.title, media_type=c.media_type, poster_url=c.poster_url) for c in cards]


def _per_kid(previews: list[preview.KidPreview]) -> list[KidLauncherChange]:
    return [
        KidLauncherChange(
            kid_id=kid.kid_id, kid_name=kid.kid_name, appear=_titles(kid.appear), disappear=_titles(kid.disappear)
        )
        for kid in previews
    ]


@router.post(
    "/kids/{kid_id}/rules/preview",
    response_model=LauncherChange,
    responses={422: {"description": "Unknown mode, rating or tag (as PUT /kids/{kid_id}/rules)"}},
)
def preview_rules(kid: OwnedKid, body: RulesBody, db: DbSession) -> LauncherChange:
    """What PUT /kids/{kid_id}/rules with this body would change in the kid's launcher: every title
    that would appear and disappear (a kid's rules move no sibling's launcher). Writes nothing."""
    previewed = preview.preview_rules(
        db, kid, body.mode, body.max_movie_rating, body.max_tv_rating, body.block_unrated, body.blocked_tags
    ).kid
    return LauncherChange(appear=_titles(previewed.appear), disappear=_titles(previewed.disappear))


@router.post(
    "/library/{title_id}/removal-preview",
    response_model=list[KidLauncherChange],
    responses={404: {"description": "Not in the family library"}},
)
def preview_removal(title_id: RowId, family: CurrentFamily, db: DbSession) -> list[KidLauncherChange]:
    """What DELETE /library/{title_id} would change in each kid's launcher. Writes nothing."""
    return _per_kid(preview.preview_removal(db, family, title_id))


@router.post(
    "/kids/{kid_id}/policies/{title_id}/preview",
    response_model=list[KidLauncherChange],
    responses={404: {"description": "No such title"}, 422: {"description": "An `until` the save refuses"}},
)
def preview_policy(kid: OwnedKid, title_id: RowId, body: PolicySet, db: DbSession) -> list[KidLauncherChange]:
    """What PUT /kids/{kid_id}/policies/{title_id} would change in each kid's launcher: a policy
    puts the title in the family library, where siblings in rules mode may see it (an allow with
    `until`: what it changes now, while it lasts). Writes nothing."""
    return _per_kid(preview.preview_allow(db, kid, title_id, body.policy, body.until))
