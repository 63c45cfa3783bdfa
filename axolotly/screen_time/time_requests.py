"""Kids ask for more screen time: the time's-up screen's "Ask for more time" becomes a request a
parent answers with the bonus buttons (a grant is `service.grant_bonus`, for the day the kid asked)
or with "Not today", and the kid's screen shows the answer.

A kid has at most one open request; asking again while it waits is the same request. After "Not
today" the kid cannot ask again that day (no nagging); after a grant they may, once it runs out.
A request left open is for its own day only: the next day it no longer counts (nor shows).
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from axolotly.audit import service as audit
from axolotly.errors import Conflict
from axolotly.families.context import FamilyContext
from axolotly.families.scoping import get_owned, owned_by
from axolotly.families.settings import family_zone
from axolotly.i18n import N_, gettext, ngettext
from axolotly.models import KidProfile, TimeRequest
from axolotly.screen_time import service
from axolotly.screen_time.clock import Today, local_day

OPEN, GRANTED, DECLINED = "open", "granted", "declined"
# What the kid is told on the time's-up screen and the grid (a grant: kid_message, with its minutes).
KID_MESSAGES = {
    OPEN: N_("You asked for more time. Waiting for a grown-up…"),
    DECLINED: N_("A grown-up said not today."),
}


@dataclass(frozen=True)
class TimeRequestView:
    request: TimeRequest
    kid_name: str


def _today(db: Session, family_id: int) -> date:
    return local_day(service.now_utc(), family_zone(db, family_id))


def latest_today(db: Session, kid: KidProfile) -> TimeRequest | None:
    """The kid's most recent request of today (the family's day), if any."""
    return db.scalar(
        select(TimeRequest)
        .where(TimeRequest.kid_profile_id == kid.id, TimeRequest.day == _today(db, kid.family_id))
        .order_by(TimeRequest.created_at.desc(), TimeRequest.id.desc())
        .limit(1)
    )


def kid_message(request: TimeRequest | None) -> str:
    """The answer in the kid's words and language."""
    if request is None:
        return ""
    if request.status == GRANTED:
        minutes = request.minutes or 0
        return ngettext(
            "A grown-up gave you %(num)d more minute!", "A grown-up gave you %(num)d more minutes!", minutes
        ) % {"num": minutes}
    return gettext(KID_MESSAGES[request.status])


def may_ask(today: Today, latest: TimeRequest | None) -> bool:
    """The button shows when the day's minutes are spent (not at bedtime: bonus minutes do not move
    a bedtime), nothing is waiting, and no parent said no today."""
    spent = today.enabled and not today.in_bedtime and today.budget_spent
    return spent and (latest is None or latest.status == GRANTED)


def ask(db: Session, kid: KidProfile) -> tuple[TimeRequest, bool]:
    """The kid's open request for more time today, and whether it is new."""
    db.execute(select(KidProfile.id).where(KidProfile.id == kid.id).with_for_update())
    status = service.allowed_now(db, kid)
    latest = latest_today(db, kid)
    if latest is not None and latest.status == OPEN:
        return latest, False
    if not may_ask(status, latest):
        if latest is not None and latest.status == DECLINED:
            raise Conflict(N_("A grown-up already said not today"))
        raise Conflict(N_("You can ask for more time when your time is up"))
    # A request of an earlier day still open is no longer answered: it makes way for today's.
    stale = db.scalar(select(TimeRequest).where(TimeRequest.kid_profile_id == kid.id, TimeRequest.status == OPEN))
    if stale is not None:
        stale.status, stale.answered_at = DECLINED, datetime.now(UTC)
    request = TimeRequest(family_id=kid.family_id, kid_profile_id=kid.id, day=status.day, status=OPEN)
    db.add(request)
    db.flush()
    audit.record(db, kid.family_id, "time_requested", f"{kid.name} asked for more screen time")
    return request, True


def _family_open(family_id: int, day: date):
    return owned_by(select(TimeRequest, KidProfile.name), TimeRequest, family_id).where(
        TimeRequest.status == OPEN, TimeRequest.day == day
    )


def open_requests(db: Session, family_id: int) -> list[TimeRequestView]:
    """Today's open requests for more time, oldest first."""
    statement = _family_open(family_id, _today(db, family_id)).join(
        KidProfile, KidProfile.id == TimeRequest.kid_profile_id
    )
    rows = db.execute(statement.order_by(TimeRequest.created_at, TimeRequest.id)).all()
    return [TimeRequestView(request, name) for request, name in rows]


def count_open(db: Session, family_id: int) -> int:
    statement = owned_by(select(func.count()).select_from(TimeRequest), TimeRequest, family_id)
    count: int = db.execute(
        statement.where(TimeRequest.status == OPEN, TimeRequest.day == _today(db, family_id))
    ).scalar_one()
    return count


def answer(
    db: Session, family: FamilyContext, request_id: int, minutes: int | None
) -> tuple[TimeRequestView, Today | None]:
    """Grants `minutes` of bonus time for the day asked (the existing bonus), or declines (None)."""
    request = get_owned(db, TimeRequest, request_id, family.id, "Request", lock=True)
    if request.status != OPEN:
        raise Conflict(
            {GRANTED: N_("This request was already granted"), DECLINED: N_("This request was already declined")}.get(
                request.status, N_("This request was already %(status)s")
            ),
            status=request.status,
        )
    kid = db.get_one(KidProfile, request.kid_profile_id)
    if request.day != _today(db, family.id):
        raise Conflict(N_("%(kid)s asked on another day: bonus time is for today only"), kid=kid.name)
    today = None
    if minutes is not None:
        today = service.grant_bonus(db, family, kid, minutes)
    request.status = GRANTED if minutes is not None else DECLINED
    request.minutes = minutes
    request.answered_at = datetime.now(UTC)
    request.answered_by = family.user.id
    db.flush()
    if minutes is None:
        audit.record(db, family.id, "time_request_answered", f"{kid.name}: no more screen time today")
    return TimeRequestView(request, kid.name), today
