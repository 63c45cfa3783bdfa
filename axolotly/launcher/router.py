"""The Android launcher's wire contract (docs/launcher-api.md), served exactly.

Pairing, validation, the kid's launcher, crowd-sourced episode links and device care. Being seen
is the heartbeat's whole job: `CurrentDevice` refreshes `last_active` (at most once a minute),
which is what the parent's "online" reads (devices/service.py).
"""

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Request, Response

from axolotly.accounts.deps import DbSession
from axolotly.catalog import service as catalog
from axolotly.devices import codes
from axolotly.devices import service as devices
from axolotly.errors import NotFound, Unauthorized
from axolotly.families import kids
from axolotly.families import requests as title_requests
from axolotly.families.deps import OwnedKid
from axolotly.http_errors import PAIR_PATH
from axolotly.launcher import episode_links, legacy_pairing
from axolotly.launcher.answers import Answer, ClientGone, apps_answer, heartbeat_answer, held_capacity
from axolotly.launcher.auth import AuthenticatedDevice, CurrentDevice, LauncherDevice
from axolotly.launcher.live import get_changes
from axolotly.launcher.reads import LauncherReads, get_launcher_reads
from axolotly.launcher.schemas import (
    DeviceInfo,
    DeviceValidation,
    EpisodeReport,
    EpisodeReportResult,
    Heartbeat,
    PairingInitiate,
    PairingStatus,
    PairRequest,
    PairResponse,
    Stored,
    TitleRequestCreate,
    TitleRequestOut,
)
from axolotly.launcher.service import visible_title_count
from axolotly.launcher.time_limits import time_limits_answer
from axolotly.screen_time import service as screen_time
from axolotly.screen_time import usage
from axolotly.screen_time.schemas import Stats, TimeLimits, UsageLogBody, UsageLogged
from axolotly.security.client import client_address
from axolotly.types import Text

router = APIRouter(tags=["launcher"])
PREFER_WAIT = "`wait=N` (N ≤ 60) with If-None-Match: held until the content changes (an extension)"

INVALID_CODE = "Invalid or expired pairing code"
NOT_LINKED = "Device not linked to a kid profile"


@router.post(
    PAIR_PATH,
    response_model=PairResponse,
    responses={
        400: {"description": "Not 6 digits"},
        401: {"description": "Unknown, used or expired code"},
        429: {"description": "Too many guesses (Retry-After)"},
    },
)
def pair(body: PairRequest, request: Request, db: DbSession) -> PairResponse:
    """Redeem a parent's 6-digit code: a new device of that family, with its key shown once."""
    paired = codes.pair_with_code(db, body.pairingCode, client_address(request))
    if paired is None:
        raise Unauthorized(INVALID_CODE)
    device, api_key, family = paired
    return PairResponse(deviceId=device.device_id, apiKey=api_key, familyName=family.family_name or "Family")


@router.get("/api/device/validate", response_model=DeviceValidation, responses={404: {"description": NOT_LINKED}})
async def validate(device: LauncherDevice) -> DeviceValidation:
    """The device's kid; 404 while no kid is chosen (the launcher asks for a parent)."""
    if device.kid_profile_id is None:
        raise NotFound(NOT_LINKED)
    return DeviceValidation(
        is_paired=True, kid_profile_id=device.kid_profile_id, kid_name=device.kid_name or "", kid_age=device.kid_age
    )


@router.get(
    "/api/apps",
    responses={
        200: {"description": "Provider groups of this kid's content"},
        304: {"description": "Not modified (If-None-Match), or nothing changed while held (Prefer: wait=N)"},
    },
)
async def apps(
    request: Request,
    reads: Annotated[LauncherReads, Depends(get_launcher_reads)],
    x_device_id: Annotated[str | None, Header()] = None,
    x_api_key: Annotated[str | None, Header()] = None,
    if_none_match: Annotated[str | None, Header()] = None,
    accept_encoding: Annotated[str | None, Header()] = None,
    prefer: Annotated[str | None, Header(description=PREFER_WAIT)] = None,
) -> Response:
    """This device's kid's launcher (answers.py; usually served by hot_path.py before this route)."""
    answer = await _unless_gone(
        apps_answer,
        reads,
        get_changes(request),
        held_capacity(request.scope),
        device_id=x_device_id,
        api_key=x_api_key,
        if_none_match=if_none_match,
        accept_encoding=accept_encoding,
        prefer=prefer,
        receive=request.receive,
    )
    if answer is None:  # the client left while held: nobody to answer
        return Response(status_code=204)
    return Response(answer.body, status_code=answer.status, headers=answer.response_headers())


async def _unless_gone(answering: Callable[..., Awaitable[Answer]], *args: Any, **kwargs: Any) -> Answer | None:
    try:
        return await answering(*args, **kwargs)
    except ClientGone:
        return None


@router.post("/api/pairing/initiate", tags=["launcher (3-step pairing)"], response_model=None)
def pairing_initiate(
    body: PairingInitiate, request: Request, db: DbSession
) -> dict[str, str]:  # 400 on a missing field (http_errors)
    """Older launchers: the device shows its own code and waits for a parent to confirm it."""
    legacy_pairing.initiate(db, body.device_id, body.pairing_code, client_address(request))
    return {"status": "pending_confirmation"}


@router.get("/api/pairing/status/{device_id:path}", response_model=PairingStatus, tags=["launcher (3-step pairing)"])
def pairing_status(
    device_id: Annotated[Text, Path(min_length=1, max_length=255)], request: Request, db: DbSession
) -> PairingStatus:
    is_paired, api_key = legacy_pairing.poll(db, device_id, client_address(request))
    return PairingStatus(is_paired=is_paired, api_key=api_key)


@router.post("/api/device/episode-report", response_model=EpisodeReportResult)
@router.post("/api/launcher/device/episode-report", response_model=EpisodeReportResult, include_in_schema=False)
def episode_report(body: EpisodeReport, device: CurrentDevice, db: DbSession) -> EpisodeReportResult:
    outcome = episode_links.record_report(db, device.family_id, device.kid_profile_id, body)
    return EpisodeReportResult(report_id=outcome.report_id, status=outcome.status, message=outcome.message)


@router.post("/api/device/heartbeat", responses={200: {"model": Heartbeat}})
async def heartbeat(
    reads: Annotated[LauncherReads, Depends(get_launcher_reads)],
    x_device_id: Annotated[str | None, Header()] = None,
    x_api_key: Annotated[str | None, Header()] = None,
) -> Response:
    """Being seen (answers.py; usually served by hot_path.py before this route)."""
    answer = await heartbeat_answer(reads, device_id=x_device_id, api_key=x_api_key)
    return Response(answer.body, status_code=answer.status, headers=answer.response_headers())


@router.post("/api/device/info", response_model=Stored)
def device_info(body: DeviceInfo, device: CurrentDevice, db: DbSession) -> Stored:
    devices.record_info(db, device.id, body.model_dump(exclude_none=True))
    return Stored()


# -- screen time and usage (the launcher enforces; the server decides: screen_time/) ---------------


@router.get(
    "/api/time-limits",
    responses={
        200: {"model": TimeLimits},
        304: {"description": "Unchanged while held (If-None-Match, Prefer: wait=N)"},
    },
)
async def time_limits(
    request: Request,
    reads: Annotated[LauncherReads, Depends(get_launcher_reads)],
    x_device_id: Annotated[str | None, Header()] = None,
    x_api_key: Annotated[str | None, Header()] = None,
    if_none_match: Annotated[str | None, Header()] = None,
    prefer: Annotated[str | None, Header(description=PREFER_WAIT)] = None,
) -> Response:
    """Today's limits for this device's kid in the family's time zone (time_limits.py)."""
    answer = await _unless_gone(
        time_limits_answer,
        request.app,
        reads,
        get_changes(request),
        held_capacity(request.scope),
        device_id=x_device_id,
        api_key=x_api_key,
        if_none_match=if_none_match,
        prefer=prefer,
        receive=request.receive,
    )
    if answer is None:  # the client left while held: nobody to answer
        return Response(status_code=204)
    return Response(answer.body, status_code=answer.status, headers=answer.response_headers())


@router.get("/api/stats", response_model=Stats)
def stats(device: CurrentDevice, db: DbSession) -> Stats:
    """The kid's day so far across all of the kid's devices (the family's time zone)."""
    if device.kid_profile_id is None:
        return Stats(totalAppsEnabled=0, timeUsedToday=0, timeRemainingToday=None, mostUsedApp=None)
    kid = kids.get_kid(db, device.family_id, device.kid_profile_id)
    status, apps = screen_time.today_with_apps(db, kid)
    watched = [app for app in apps if app.seconds]
    version = device.launcher_version
    return Stats(
        totalAppsEnabled=visible_title_count(db, device.family_id, kid.id, version, device.allows_ended),  # type: ignore[arg-type]  # a kid has a version
        timeUsedToday=status.used_minutes,
        timeRemainingToday=status.remaining_minutes,
        mostUsedApp=watched[0].name if watched else None,
    )


@router.post(
    "/api/usage-logs",
    response_model=UsageLogged,
    responses={
        400: {
            "description": "A missing field, bad times, end before start, a negative or over-24-hour duration, "
            "times in the future or more than 30 days ago"
        },
        404: {"description": NOT_LINKED},
    },
)
def usage_logs(body: UsageLogBody, device: CurrentDevice, db: DbSession) -> UsageLogged:
    """One watching session of this device's kid; a retried identical log counts once."""
    usage.record(db, _device_kid(device, db), device.id, body.log())
    return UsageLogged()


# -- kids ask, parents answer (an extension of the launcher contract: families/requests.py) --------


def _iso(moment: datetime | None) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z") if moment else ""


def _request_out(title_request: Any, title: Any) -> TitleRequestOut:  # ORM rows: routers import no models
    return TitleRequestOut(
        id=title_request.id,
        status=title_request.status,
        title_id=str(title_request.title_id),
        title=title.title,
        note=title_request.note or "",
        message=title_requests.KID_MESSAGES[title_request.status],
        created_at=_iso(title_request.created_at),
        answered_at=_iso(title_request.answered_at),
    )


def _device_kid(device: AuthenticatedDevice, db: DbSession) -> OwnedKid:
    if device.kid_profile_id is None:
        raise NotFound(NOT_LINKED)
    return kids.get_kid(db, device.family_id, device.kid_profile_id)


@router.post(
    "/api/requests",
    response_model=TitleRequestOut,
    status_code=201,
    responses={
        200: {"description": "Already asked: the same open request"},
        404: {"description": "Not in the family library, or the device has no kid"},
        409: {"description": "Denied by a parent, already visible, or 10 requests already open"},
    },
)
def ask_for_title(
    body: TitleRequestCreate, device: CurrentDevice, db: DbSession, response: Response
) -> TitleRequestOut:
    """The device's kid asks a parent for a library title hidden for them."""
    title_request, created = title_requests.ask(db, _device_kid(device, db), body.title_id, device.id)
    if not created:
        response.status_code = 200
    return _request_out(title_request, catalog.get_title(db, title_request.title_id))


@router.get("/api/requests", response_model=list[TitleRequestOut], responses={404: {"description": NOT_LINKED}})
def my_requests(device: CurrentDevice, db: DbSession) -> list[TitleRequestOut]:
    """The device's kid's requests with the parents' answers: open first, then newest answers."""
    return [_request_out(view.request, view.title) for view in title_requests.kid_requests(db, _device_kid(device, db))]
