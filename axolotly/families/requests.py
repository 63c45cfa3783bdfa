"""Kids ask, parents answer: a kid asks for a library title hidden for them; a parent approves
(an explicit allow for that kid) or declines (with an optional note the kid sees).

A kid may ask only for what an allow would put on their screen: a title of the family library,
hidden for them now, not denied by a parent, and carried by a service the family has (asking for
something an allow could not show would only disappoint). Asking again for the same title is the
same open request. The kid's row is locked while counting, so concurrent asks keep the limit.
"""

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from axolotly.audit import service as audit
from axolotly.catalog.service import get_title
from axolotly.devices.service import get_device
from axolotly.enums import PolicyKind, RequestStatus
from axolotly.errors import Conflict, Invalid, NotFound
from axolotly.families.context import FamilyContext
from axolotly.families.library import in_library_titles
from axolotly.families.rules import kid_rules
from axolotly.families.scoping import get_owned, owned_by
from axolotly.families.streaming import selected_services
from axolotly.i18n import N_
from axolotly.models import KidProfile, KidProfileTitle, Title, TitleRequest
from axolotly.notifications.outbox import notify
from axolotly.policies.evaluate import Decision, Policy, evaluate_title
from axolotly.policies.service import family_country, now_utc, set_policy, title_facts
from axolotly.policies.until import checked_until
from axolotly.ratings.scales import Scales
from axolotly.ratings.service import current_scales
from axolotly.screen_time import time_requests

OPEN, APPROVED, DECLINED = RequestStatus.OPEN, RequestStatus.APPROVED, RequestStatus.DECLINED
MAX_OPEN_PER_KID = 10
ASK_LIST_FROM_AGE = 8  # kids this old see the library titles they may ask for, unless a parent says otherwise
DENIED = N_("A parent said no to this one")
NOT_IN_LIBRARY = N_("Title not found in the family library")
ANSWERED_LIMIT = 100  # answered requests listed, newest first
# What the kid is told, on the web launcher and in `GET /api/requests` alike.
KID_MESSAGES = {
    OPEN: N_("Waiting for a parent"),
    APPROVED: N_("Yes! Now on your screen"),
    DECLINED: N_("Not this time"),
}


@dataclass(frozen=True)
class RequestView:
    """A request with what a page or a response shows of it."""

    request: TitleRequest
    title: Title
    kid_name: str
    why_hidden: str = ""


@dataclass(frozen=True)
class _FamilyReading:
    """What deciding a family's requests reads of it, once per call: its services, its country
    (the scales its kids' caps are ratings of, and where titles stream) and the scales."""

    selected: list[str]
    country: str
    scales: Scales


def _family_reading(db: Session, family_id: int) -> _FamilyReading:
    return _FamilyReading(selected_services(db, family_id), family_country(db, family_id), current_scales(db))


def _decide(kid: KidProfile, title: Title, policy: str | None, family: _FamilyReading) -> Decision:
    rules = replace(kid_rules(kid), country=family.country, scales=family.scales)
    facts = title_facts(title, family.country)
    return evaluate_title(Policy(policy) if policy else None, family.selected, facts, rules)


def _askable(kid: KidProfile, title: Title, policy: str | None, family: _FamilyReading) -> str | None:
    """Why the kid may not ask for this library title, or None when they may."""
    if policy == PolicyKind.DENY:
        return DENIED
    if policy == PolicyKind.ALLOW or _decide(kid, title, policy, family).visible:
        return N_("This one is already on your screen")
    if not _decide(kid, title, PolicyKind.ALLOW, family).visible:
        return N_("This one is not on the family's streaming services")
    return None


def _library_title(db: Session, family_id: int, title_id: int) -> Title:
    title = db.scalar(in_library_titles(select(Title), family_id).where(Title.id == title_id))
    if title is None:
        raise NotFound(NOT_IN_LIBRARY)
    return title


def _policy(db: Session, kid_id: int, title_id: int) -> str | None:
    """The kid's policy in force on the title (an allow that ended is none: the kid may ask again)."""
    return db.scalar(
        select(KidProfileTitle.policy).where(
            KidProfileTitle.kid_profile_id == kid_id,
            KidProfileTitle.title_id == title_id,
            KidProfileTitle.in_force_at(now_utc()),
        )
    )


def _kids_policy(on_title: Any, kid_id: Any) -> Any:
    """The join condition of a kid's policy in force on a title (for an outer join)."""
    return (
        (KidProfileTitle.kid_profile_id == kid_id)
        & (KidProfileTitle.title_id == on_title)
        & KidProfileTitle.in_force_at(now_utc())
    )


def ask(db: Session, kid: KidProfile, title_id: int, device_id: int | None = None) -> tuple[TitleRequest, bool]:
    """The kid's open request for the title, and whether it is new."""
    title = _library_title(db, kid.family_id, title_id)
    db.execute(select(KidProfile.id).where(KidProfile.id == kid.id).with_for_update())
    existing = db.scalar(
        select(TitleRequest).where(
            TitleRequest.kid_profile_id == kid.id, TitleRequest.title_id == title.id, TitleRequest.status == OPEN
        )
    )
    if existing is not None:
        return existing, False
    refused = _askable(kid, title, _policy(db, kid.id, title.id), _family_reading(db, kid.family_id))
    if refused:
        raise Conflict(refused)
    if count_open_for_kid(db, kid.id) >= MAX_OPEN_PER_KID:
        raise Conflict(
            N_("%(kid)s already has %(num)d questions waiting for a parent"), kid=kid.name, num=MAX_OPEN_PER_KID
        )
    request = TitleRequest(family_id=kid.family_id, kid_profile_id=kid.id, title_id=title.id, status=OPEN)
    db.add(request)
    db.flush()
    where = f" on {get_device(db, kid.family_id, device_id).friendly_name or 'a device'}" if device_id else ""
    audit.record(db, kid.family_id, "title_requested", f"{kid.name} asked for “{title.title}”{where}")
    notify(
        db,
        kid.family_id,
        "title_request",
        kid_id=kid.id,
        facts={"kid": kid.name, "title": title.title, "title_id": title.id, "request_id": request.id},
    )
    return request, True


def count_open_for_kid(db: Session, kid_id: int) -> int:
    return db.execute(
        select(func.count()).where(TitleRequest.kid_profile_id == kid_id, TitleRequest.status == OPEN)
    ).scalar_one()


def count_open(db: Session, family_id: int) -> int:
    count: int = db.execute(
        owned_by(select(func.count()).select_from(TitleRequest), TitleRequest, family_id).where(
            TitleRequest.status == OPEN
        )
    ).scalar_one()
    return count


def count_waiting(db: Session, family_id: int) -> int:
    """What the home page counts: open title requests and today's requests for more time."""
    return count_open(db, family_id) + time_requests.count_open(db, family_id)


def sees_ask_list(kid: KidProfile) -> bool:
    """Whether the kid's launcher lists the hidden library titles they may ask for: the parent's
    choice, else by age (off under 8 and when no age is given: a list of what they cannot watch
    tempts a five-year-old). Either way the kid may ask from a title's page where one is shown."""
    if kid.ask_list is not None:
        return kid.ask_list
    return kid.age is not None and kid.age >= ASK_LIST_FROM_AGE


def set_ask_list(db: Session, family_id: int, kid: KidProfile, shown: bool | None) -> bool:
    """The parent's choice (None: back to the default by age); what the kid sees now."""
    kid.ask_list = shown
    db.flush()
    seen = sees_ask_list(kid)
    audit.record(
        db, family_id, "ask_list_changed", f"{kid.name} {'sees' if seen else 'no longer sees'} the titles to ask for"
    )
    return seen


def _views(db: Session, family_id: int, statement: Select[Any]) -> list[RequestView]:
    """Rows of (request, title, kid, the kid's policy on it) as views, with why open ones are hidden."""
    rows = db.execute(
        statement.join(Title, Title.id == TitleRequest.title_id)
        .join(KidProfile, KidProfile.id == TitleRequest.kid_profile_id)
        .outerjoin(KidProfileTitle, _kids_policy(TitleRequest.title_id, TitleRequest.kid_profile_id))
    ).all()
    family = _family_reading(db, family_id) if rows else None
    return [
        RequestView(
            request,
            title,
            kid.name,
            _decide(kid, title, policy, family).explanation if family and request.status == OPEN else "",
        )
        for request, title, kid, policy in rows
    ]


def _family_requests(family_id: int) -> Select[Any]:
    return owned_by(select(TitleRequest, Title, KidProfile, KidProfileTitle.policy), TitleRequest, family_id)


def open_requests(db: Session, family_id: int) -> list[RequestView]:
    """The family's open requests, oldest first (a queue), each with why the kid does not see it."""
    statement = _family_requests(family_id).where(TitleRequest.status == OPEN)
    return _views(db, family_id, statement.order_by(TitleRequest.created_at, TitleRequest.id))


def answered_requests(
    db: Session, family_id: int, status: str | None = None, limit: int = ANSWERED_LIMIT
) -> list[RequestView]:
    """The family's answered requests (approved, declined, or both), newest answer first."""
    if status not in (APPROVED, DECLINED, None):
        raise Invalid(f"status must be one of: {', '.join((APPROVED, DECLINED))}")
    statement = _family_requests(family_id).where(
        TitleRequest.status == status if status else TitleRequest.status != OPEN
    )
    statement = statement.order_by(TitleRequest.answered_at.desc(), TitleRequest.id.desc()).limit(limit)
    return _views(db, family_id, statement)


def answer(
    db: Session,
    family: FamilyContext,
    request_id: int,
    approve: bool,
    note: str | None = None,
    until: datetime | None = None,
) -> RequestView:
    """`until`: an approval for a while (the allow ends by itself then: policies/until.py)."""
    until = checked_until(until, now_utc()) if approve else None  # refused before anything is written
    request = get_owned(db, TitleRequest, request_id, family.id, "Request", lock=True)
    if request.status != OPEN:
        raise Conflict(
            {
                APPROVED.value: N_("This request was already approved"),
                DECLINED.value: N_("This request was already declined"),
            }.get(request.status, N_("This request was already %(status)s")),
            status=request.status,
        )
    kid = db.get_one(KidProfile, request.kid_profile_id)
    if approve:
        _library_title(db, family.id, request.title_id)  # removed since: nothing to approve (404)
        request.status = APPROVED  # answered here, not by set_policy's closing of open requests
        db.flush()
        _, title, _ = set_policy(db, kid, request.title_id, PolicyKind.ALLOW, until)
    else:
        title = get_title(db, request.title_id)
    request.status = APPROVED if approve else DECLINED
    request.note = (note or "").strip() or None
    request.answered_at = datetime.now(UTC)
    request.answered_by = family.user.id
    db.flush()
    verb = "approved" if approve else "declined"
    audit.record(
        db,
        family.id,
        "request_answered",
        f"{family.user.name_or_email} {verb} {kid.name}'s request for “{title.title}”",
    )
    return RequestView(request, title, kid.name)


def kid_requests(db: Session, kid: KidProfile) -> list[RequestView]:
    """What the kid sees: their requests, open first, then answers newest first."""
    statement = (
        select(TitleRequest, Title, KidProfile, KidProfileTitle.policy)
        .where(TitleRequest.kid_profile_id == kid.id)
        .order_by(
            (TitleRequest.status != OPEN),
            func.coalesce(TitleRequest.answered_at, TitleRequest.created_at).desc(),
            TitleRequest.id.desc(),
        )
        .limit(ANSWERED_LIMIT)
    )
    return _views(db, kid.family_id, statement)


def askable_titles(db: Session, kid: KidProfile) -> list[Title]:
    """The library titles the kid may ask for (hidden now, an allow would show them), by name."""
    rows = db.execute(
        in_library_titles(select(Title, KidProfileTitle.policy), kid.family_id)
        .outerjoin(KidProfileTitle, _kids_policy(Title.id, kid.id))
        .order_by(Title.title, Title.id)
    ).all()
    family = _family_reading(db, kid.family_id)
    return [title for title, policy in rows if _askable(kid, title, policy, family) is None]
