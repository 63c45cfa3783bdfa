"""The kid web launcher (/kids): a browser paired like an Android launcher, PIN per kid, poster grid.

The browser holds a device id and key (HttpOnly cookie) from redeeming a parent's pairing code,
exactly as the Android launcher does; unpairing the device in the parent's Devices page signs it
out. A kid who enters the right PIN (same lockout as the API) gets a 4-hour kid cookie for this
device; the grid is the kid's launcher as `/api/apps` sends it (launcher/service.py).
"""

from typing import Annotated

from fastapi import APIRouter, Form, Request

from axolotly.accounts.deps import DbSession
from axolotly.devices import codes
from axolotly.errors import DomainError, Invalid, TooManyRequests, Unauthorized
from axolotly.families import kids
from axolotly.families import requests as title_requests
from axolotly.families.context import owner_of
from axolotly.launcher.auth import AuthenticatedDevice, authenticate_device
from axolotly.launcher.service import page_launcher
from axolotly.security.client import client_address
from axolotly.types import RowId, Text
from axolotly.web.session import DEVICE, KID, CsrfChecked, kid_claims, set_cookie, start_kid_session
from axolotly.web.templating import redirect, render

router = APIRouter(include_in_schema=False)
PAIRED_FOR = 365 * 24 * 3600


def paired_device(request: Request, db) -> AuthenticatedDevice | None:
    device_id, _, api_key = request.cookies.get(DEVICE, "").partition(":")
    try:
        return authenticate_device(db, device_id, api_key)
    except Unauthorized:
        return None


def _signed_in_kid(request: Request, kid_id: int) -> bool:
    """The kid cookie names this kid and was made for this paired browser."""
    claims = kid_claims(request)
    return bool(claims and claims.get("kid") == kid_id and claims.get("device") ==
                request.cookies.get(DEVICE, "").partition(":")[0])


@router.get("/kids")
def kids_home(request: Request, db: DbSession):
    device = paired_device(request, db)
    if device is None:
        return render(request, "kids/pair.html", body_class="kid")
    family = owner_of(db, device.family_id)
    return render(request, "kids/pick.html", body_class="kid", family=family,
                  kids=kids.list_kids(db, device.family_id))


@router.post("/kids/pair", dependencies=[CsrfChecked])
def pair(request: Request, db: DbSession, code: Annotated[Text, Form()]):
    code = code.strip()
    if not (len(code) == 6 and code.isascii() and code.isdigit()):
        raise Invalid("The code has 6 digits")
    paired = codes.pair_with_code(db, code, client_address(request))
    if paired is None:
        # Back to the pairing form with a kid-friendly message (the guess is counted already).
        return redirect("/kids", "That code did not work. Ask a parent for a new one.", kind="error")
    device, api_key, _ = paired
    device.friendly_name = "Web launcher"
    response = redirect("/kids", "This browser is now a kid launcher")
    set_cookie(response, DEVICE, f"{device.device_id}:{api_key}", max_age=PAIRED_FOR)
    return response


def _device_or_pairing(request: Request, db) -> AuthenticatedDevice:
    device = paired_device(request, db)
    if device is None:
        raise DomainError("This browser is not paired (or was unpaired); pair it again at /kids")
    return device


@router.get("/kids/{kid_id}/pin")
def pin_page(kid_id: RowId, request: Request, db: DbSession):
    device = _device_or_pairing(request, db)
    kid = kids.get_kid(db, device.family_id, kid_id)
    return render(request, "kids/pin.html", body_class="kid", kid=kid)


@router.post("/kids/{kid_id}/pin", dependencies=[CsrfChecked])
def enter_pin(kid_id: RowId, request: Request, db: DbSession, pin: Annotated[Text, Form()]):
    device = _device_or_pairing(request, db)
    pin = pin.strip()
    if not (len(pin) == 4 and pin.isascii() and pin.isdigit()):  # not a guess: nothing to count
        raise Invalid("A PIN is 4 digits")
    try:
        kids.check_pin(db, kids.get_kid(db, device.family_id, kid_id), pin)
    except TooManyRequests as locked:
        minutes = (int(locked.headers["Retry-After"]) + 59) // 60
        return redirect(f"/kids/{kid_id}/pin", f"Too many wrong PINs. Try again in {minutes} minute(s).",
                        kind="error")
    except Unauthorized:
        return redirect(f"/kids/{kid_id}/pin", "That PIN is not right. Try again.", kind="error")
    response = redirect(f"/kids/{kid_id}/launcher")
    start_kid_session(response, request.cookies[DEVICE].partition(":")[0], kid_id)
    return response


@router.get("/kids/{kid_id}/launcher")
def launcher(kid_id: RowId, request: Request, db: DbSession):
    device = _device_or_pairing(request, db)
    kid = kids.get_kid(db, device.family_id, kid_id)
    if not _signed_in_kid(request, kid.id):
        return redirect(f"/kids/{kid.id}/pin")
    groups = page_launcher(db, device.family_id, kid.id)
    asked = title_requests.kid_requests(db, kid)
    waiting = {view.title.id for view in asked if view.request.status == title_requests.OPEN}
    askable = [title for title in title_requests.askable_titles(db, kid) if title.id not in waiting]
    return render(request, "kids/launcher.html", body_class="kid", kid=kid, groups=groups, asked=asked,
                  askable=askable, messages=title_requests.KID_MESSAGES)


@router.post("/kids/{kid_id}/requests", dependencies=[CsrfChecked])
def ask_a_parent(kid_id: RowId, request: Request, db: DbSession, title_id: Annotated[RowId, Form()]):
    """The signed-in kid asks a parent for a library title hidden for them (families/requests.py)."""
    device = _device_or_pairing(request, db)
    kid = kids.get_kid(db, device.family_id, kid_id)
    if not _signed_in_kid(request, kid.id):
        return redirect(f"/kids/{kid.id}/pin")
    title_requests.ask(db, kid, title_id, device.id)
    return redirect(f"/kids/{kid.id}/launcher", "Asked! A parent will answer soon.")


@router.post("/kids/switch", dependencies=[CsrfChecked])
def switch_kid():
    response = redirect("/kids")
    response.delete_cookie(KID, path="/")
    return response
