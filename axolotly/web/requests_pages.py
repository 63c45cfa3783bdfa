"""The parent's page of kids' requests (/family/requests): titles (approve, for good or for a
while, or decline, with a note) and more screen time (the bonus buttons, or "Not today"); and
whether a kid's launcher lists the titles they may ask for (set on "What Emma can watch")."""

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel

from axolotly.accounts.deps import DbSession
from axolotly.families import members
from axolotly.families import requests as title_requests
from axolotly.families.deps import WebFamily, WebOwnedKid
from axolotly.i18n import N_, gettext
from axolotly.policies import service as policies
from axolotly.policies import until as allow_until
from axolotly.policies.evaluate import Moment
from axolotly.screen_time import service as screen_time
from axolotly.screen_time import time_requests
from axolotly.screen_time.schemas import BONUS_CHOICES, BonusBody
from axolotly.types import FormText, RowId
from axolotly.web.forms import validated
from axolotly.web.screen_time_pages import bonus_words
from axolotly.web.session import CsrfChecked
from axolotly.web.templating import redirect, render

router = APIRouter(include_in_schema=False)
NOTE_MAX = 500


@router.get("/family/requests")
def requests_page(request: Request, family: WebFamily, db: DbSession):
    answered = title_requests.answered_requests(db, family.id, limit=20)
    return render(
        request,
        "requests.html",
        user=family.user,
        open_requests=title_requests.open_requests(db, family.id),
        answered=answered,
        answered_by=members.parent_names(
            db, {v.request.answered_by for v in answered if v.request.answered_by is not None}
        ),
        time_requests=time_requests.open_requests(db, family.id),
        bonus_choices=BONUS_CHOICES,
        until_choices=allow_until.CHOICES,
    )


@router.post("/family/requests/{request_id}/approve", dependencies=[CsrfChecked])
def approve(
    request_id: RowId, family: WebFamily, db: DbSession, until_choice: FormText = "", until_local: FormText = ""
):
    """Approve for good, or for a while ("Today only", "For 3 days", "Until…" a moment on the family's clock)."""
    zone = policies.family_time_zone(db, family.id)
    until = allow_until.until_of_choice(until_choice, until_local, zone, policies.now_utc())
    view = title_requests.answer(db, family, request_id, approve=True, until=until)
    names = {"title": view.title.title, "name": view.kid_name}
    if until is None:
        return redirect("/family/requests", gettext("Approved “%(title)s” for %(name)s") % names)
    approved = gettext("Approved “%(title)s” for %(name)s until %(when)s")
    return redirect("/family/requests", approved % {**names, "when": Moment(until, zone).read()})


@router.post("/family/requests/{request_id}/decline", dependencies=[CsrfChecked])
def decline(request_id: RowId, family: WebFamily, db: DbSession, note: FormText = ""):
    view = title_requests.answer(db, family, request_id, approve=False, note=note[:NOTE_MAX])
    declined = gettext("Declined “%(title)s” for %(name)s") % {"title": view.title.title, "name": view.kid_name}
    return redirect("/family/requests", declined)


@router.post("/family/time-requests/{request_id}/grant", dependencies=[CsrfChecked])
def grant_time(request_id: RowId, family: WebFamily, db: DbSession, minutes: FormText):
    body = validated(BonusBody, minutes=minutes)
    view, today = time_requests.answer(db, family, request_id, body.minutes)
    words = screen_time.today_words(today) if today else ""
    return redirect("/family/requests", bonus_words(view.kid_name, body.minutes, words))


@router.post("/family/time-requests/{request_id}/decline", dependencies=[CsrfChecked])
def decline_time(request_id: RowId, family: WebFamily, db: DbSession):
    view, _ = time_requests.answer(db, family, request_id, None)
    return redirect("/family/requests", gettext("No more screen time today for %(name)s") % {"name": view.kid_name})


class AskListForm(BaseModel):
    ask_list: Literal["age", "show", "hide"]


ASK_LIST_CHOICES = {"age": None, "show": True, "hide": False}

# (whether the kid sees the list, whether by age) -> what the parent is told
ASK_LIST_SAVED = {
    (True, False): N_("%(name)s sees the hidden titles to ask for"),
    (False, False): N_("%(name)s does not see the hidden titles to ask for"),
    (True, True): N_("%(name)s sees the hidden titles to ask for (by age: from %(age)s)"),
    (False, True): N_("%(name)s does not see the hidden titles to ask for (by age: from %(age)s)"),
}


@router.post("/family/kids/{kid_id}/ask-list", dependencies=[CsrfChecked])
def set_ask_list(kid: WebOwnedKid, family: WebFamily, db: DbSession, ask_list: FormText = ""):
    """The form on "What Emma can watch": by age (stored as NULL, so the kid's birthday still
    counts), or the parent's fixed choice: show or hide the list."""
    choice = validated(AskListForm, ask_list=ask_list).ask_list
    seen = title_requests.set_ask_list(db, family.id, kid, ASK_LIST_CHOICES[choice])
    return redirect(
        f"/family/kids/{kid.id}/watch",
        gettext(ASK_LIST_SAVED[seen, choice == "age"]) % {"name": kid.name, "age": title_requests.ASK_LIST_FROM_AGE},
    )
