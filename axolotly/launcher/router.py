"""The Android launcher's wire contract (docs/launcher-api.md), served exactly.

Pairing, validation, the kid's launcher, crowd-sourced episode links and device care. Being seen
is the heartbeat's whole job: `CurrentDevice` refreshes `last_active` (at most once a minute),
which is what the parent's "online" reads (devices/service.py).
"""

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
from axolotly.families import settings as family_settings
from axolotly.families.deps import OwnedKid
from axolotly.http_errors import PAIR_PATH
from axolotly.launcher import episode_links, legacy_pairing
from axolotly.launcher.auth import AuthenticatedDevice, CurrentDevice, LauncherDevice
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
from axolotly.launcher.service import RenderedLauncher, device_launcher, visible_title_count
from axolotly.screen_time import service as screen_time
from axolotly.screen_time import usage
from axolotly.screen_time.schemas import Stats, TimeLimits, UsageLogBody, UsageLogged
from axolotly.security.client import client_address
from axolotly.types import Text

router = APIRouter(tags=["launcher"])

INVALID_CODE = "Invalid or expired pairing code"
NOT_LINKED = "Device not linked to a kid profile"
# Bump when the shape of /api/apps changes, so old ETags never match a new format.
CONTENT_FORMAT = "2"
UNASSIGNED = RenderedLauncher.of("[]")


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
        304: {"description": "Not modified (If-None-Match)"},
    },
)
async def apps(
    device: LauncherDevice,
    reads: Annotated[LauncherReads, Depends(get_launcher_reads)],
    if_none_match: Annotated[str | None, Header()] = None,
    accept_encoding: Annotated[str | None, Header()] = None,
) -> Response:
    """This device's kid's launcher: provider groups in the family's order; `[]` when unassigned.

    gzip when the client accepts it (OkHttp does, transparently); each encoding has its own strong
    ETag, and either one answers If-None-Match since both name the same content.
    """
    if device.kid_profile_id is None:
        etag = f'"{CONTENT_FORMAT}-unassigned"'
        rendered = UNASSIGNED
    else:
        etag = f'"{CONTENT_FORMAT}-k{device.kid_profile_id}-v{device.launcher_version}"'
        rendered = None
    gzip_etag = etag[:-1] + '-gz"'
    use_gzip = _accepts_gzip(accept_encoding)
    headers = {"ETag": gzip_etag if use_gzip else etag, "Cache-Control": "private, no-cache", "Vary": "Accept-Encoding"}
    if if_none_match and _etag_matches(if_none_match, {etag, gzip_etag}):
        return Response(status_code=304, headers=headers)
    if rendered is None:
        rendered = await device_launcher(
            reads,
            device.family_id,
            device.kid_profile_id,  # type: ignore[arg-type]  # a kid, checked above
            device.launcher_version,  # type: ignore[arg-type]  # a kid has a version
        )
    if use_gzip:
        headers["Content-Encoding"] = "gzip"
        return Response(content=rendered.gzip, media_type="application/json", headers=headers)
    return Response(content=rendered.json, media_type="application/json", headers=headers)


def _accepts_gzip(header: str | None) -> bool:
    for coding in (header or "").lower().split(","):
        name, _, params = coding.strip().partition(";")
        if name.strip() == "gzip":
            return params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


def _etag_matches(header: str, etags: set[str]) -> bool:
    candidates = {candidate.strip().removeprefix("W/") for candidate in header.split(",")}
    return "*" in candidates or not candidates.isdisjoint(etags)


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


def utc_now_iso() -> str:
    # "Z", not "+00:00": older Java/Android parsers (Instant.parse before JDK 12) accept only "Z".
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@router.post("/api/device/heartbeat", response_model=Heartbeat)
def heartbeat(device: CurrentDevice) -> Heartbeat:
    return Heartbeat(server_time=utc_now_iso())


@router.post("/api/device/info", response_model=Stored)
def device_info(body: DeviceInfo, device: CurrentDevice, db: DbSession) -> Stored:
    devices.record_info(db, device.id, body.model_dump(exclude_none=True))
    return Stored()


# -- screen time and usage (the launcher enforces; the server decides: screen_time/) ---------------


@router.get("/api/time-limits", response_model=TimeLimits)
def time_limits(device: CurrentDevice, db: DbSession) -> TimeLimits:
    """Today's limits for this device's kid in the family's time zone; all null and false when unassigned."""
    if device.kid_profile_id is None:
        return TimeLimits(
            dailyLimitMinutes=None,
            bedtimeStart=None,
            bedtimeEnd=None,
            scheduleEnabled=False,
            timeZone=family_settings.load_family_settings(db, device.family_id).time_zone,
            allowedNow=True,
            nextChangeAt=None,
            reason=None,
        )
    kid = kids.get_kid(db, device.family_id, device.kid_profile_id)
    status = screen_time.allowed_now(db, kid)
    return TimeLimits(
        dailyLimitMinutes=status.limit_minutes,
        bedtimeStart=f"{status.bedtime.start:%H:%M}" if status.bedtime else None,
        bedtimeEnd=f"{status.bedtime.end:%H:%M}" if status.bedtime else None,
        scheduleEnabled=status.enabled,
        timeZone=family_settings.load_family_settings(db, device.family_id).time_zone,
        allowedNow=status.allowed_now,
        nextChangeAt=_iso(status.next_change_at) or None,
        reason="bedtime" if status.in_bedtime else "limit_reached" if status.budget_spent else None,
    )


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
        totalAppsEnabled=visible_title_count(db, device.family_id, kid.id, version),  # type: ignore[arg-type]  # a kid has a version
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
