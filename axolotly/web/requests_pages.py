"""The parent's page of kids' requests (/family/requests): approve or decline, with a note."""

from fastapi import APIRouter, Request

from axolotly.accounts.deps import DbSession
from axolotly.families import requests as title_requests
from axolotly.families.deps import WebFamily
from axolotly.types import FormText, RowId
from axolotly.web.session import CsrfChecked
from axolotly.web.templating import redirect, render

router = APIRouter(include_in_schema=False)
NOTE_MAX = 500


@router.get("/family/requests")
def requests_page(request: Request, family: WebFamily, db: DbSession):
    return render(
        request,
        "requests.html",
        user=family.user,
        open_requests=title_requests.open_requests(db, family.id),
        answered=title_requests.answered_requests(db, family.id, limit=20),
    )


@router.post("/family/requests/{request_id}/approve", dependencies=[CsrfChecked])
def approve(request_id: RowId, family: WebFamily, db: DbSession):
    view = title_requests.answer(db, family, request_id, approve=True)
    return redirect("/family/requests", f"Approved “{view.title.title}” for {view.kid_name}")


@router.post("/family/requests/{request_id}/decline", dependencies=[CsrfChecked])
def decline(request_id: RowId, family: WebFamily, db: DbSession, note: FormText = ""):
    view = title_requests.answer(db, family, request_id, approve=False, note=note[:NOTE_MAX])
    return redirect("/family/requests", f"Declined “{view.title.title}” for {view.kid_name}")
