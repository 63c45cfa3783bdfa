"""Parents answer their kids' requests (families/requests.py): list, approve, decline."""

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field, StrictBool

from axolotly.accounts.deps import DbSession
from axolotly.families import requests as title_requests
from axolotly.families.deps import CurrentFamily, OwnedKid
from axolotly.policies.schemas import MomentText
from axolotly.types import RowId, Text

router = APIRouter(prefix="/api/parent/requests", tags=["kids' requests"])
ask_list_router = APIRouter(prefix="/api/parent/kids/{kid_id}/ask-list", tags=["kids' requests"])
Note = Annotated[Text, Field(max_length=500)]


class RequestOut(BaseModel):
    id: int
    kid_id: int
    kid_name: str
    title_id: int
    title: str
    certification: str | None
    status: Literal["open", "approved", "declined"]
    why_hidden: str  # for an open request: why the kid does not see it now ("" once answered)
    note: str | None
    created_at: datetime
    answered_at: datetime | None

    @classmethod
    def of(cls, view: title_requests.RequestView) -> "RequestOut":
        request = view.request
        return cls(
            id=request.id,
            kid_id=request.kid_profile_id,
            kid_name=view.kid_name,
            title_id=request.title_id,
            title=view.title.title,
            certification=view.title.certification,
            status=request.status,  # type: ignore[arg-type]  # a CHECK holds it to the three states
            why_hidden=view.why_hidden,
            note=request.note,
            created_at=request.created_at,
            answered_at=request.answered_at,
        )


class DeclineBody(BaseModel):
    note: Note | None = None


class ApproveBody(BaseModel):
    until: MomentText | None = Field(
        None,
        description="An approval for a while: the allow ends by itself at this instant (ISO 8601 with its "
        "offset, in the future, at most a year ahead); absent or null: for good",
    )


@router.get("", response_model=list[RequestOut])
def list_requests(
    family: CurrentFamily, db: DbSession, status: Annotated[Literal["open", "approved", "declined"], Query()] = "open"
) -> list[RequestOut]:
    """Open requests oldest first (a queue); answered ones newest first (the last 100)."""
    views = (
        title_requests.open_requests(db, family.id)
        if status == title_requests.OPEN
        else title_requests.answered_requests(db, family.id, status)
    )
    return [RequestOut.of(view) for view in views]


@router.post(
    "/{request_id}/approve",
    response_model=RequestOut,
    responses={
        404: {"description": "Not this family's request"},
        409: {"description": "Already answered"},
        422: {"description": "An end without its offset, not in the future, or more than a year ahead"},
    },
)
def approve(request_id: RowId, family: CurrentFamily, db: DbSession, body: ApproveBody | None = None) -> RequestOut:
    """An explicit allow of the title for the kid who asked (over their rules); with `until`, an
    allow that ends by itself then."""
    until = body.until if body else None
    return RequestOut.of(title_requests.answer(db, family, request_id, approve=True, until=until))


@router.post(
    "/{request_id}/decline",
    response_model=RequestOut,
    responses={404: {"description": "Not this family's request"}, 409: {"description": "Already answered"}},
)
def decline(request_id: RowId, family: CurrentFamily, db: DbSession, body: DeclineBody | None = None) -> RequestOut:
    """No, with an optional note the kid sees ("After your birthday")."""
    return RequestOut.of(title_requests.answer(db, family, request_id, approve=False, note=body.note if body else None))


class AskListBody(BaseModel):
    """`ask_list`: true or false, the parent's choice; null: by age (8 and older see the list)."""

    model_config = ConfigDict(extra="forbid")

    ask_list: StrictBool | None


class AskListOut(BaseModel):
    ask_list: bool | None  # the parent's choice, null when decided by age
    shown: bool  # whether the kid's launcher lists the hidden library titles they may ask for


def _ask_list_out(kid: Any) -> AskListOut:  # an ORM row: routers import no models
    return AskListOut(ask_list=kid.ask_list, shown=title_requests.sees_ask_list(kid))


@ask_list_router.get("", response_model=AskListOut)
def get_ask_list(kid: OwnedKid) -> AskListOut:
    """Whether the kid sees the library titles they may ask for (the kid may always ask from a title's page)."""
    return _ask_list_out(kid)


@ask_list_router.put("", response_model=AskListOut)
def set_ask_list(kid: OwnedKid, body: AskListBody, family: CurrentFamily, db: DbSession) -> AskListOut:
    title_requests.set_ask_list(db, family.id, kid, body.ask_list)
    return _ask_list_out(kid)
