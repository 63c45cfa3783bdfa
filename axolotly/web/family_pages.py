"""The parent's pages: home, kids, services, devices and pairing codes, reports, activity."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse

from axolotly.accounts.deps import DbSession
from axolotly.audit import service as audit
from axolotly.catalog import service as catalog
from axolotly.catalog.providers import PROVIDERS_BY_ID
from axolotly.devices import codes
from axolotly.devices import service as devices
from axolotly.devices.schemas import DeviceUpdate
from axolotly.errors import Invalid
from axolotly.families import kids, library, members, streaming
from axolotly.families import requests as title_requests
from axolotly.families.deps import WebFamily, WebOwnedDevice, WebOwnedKid
from axolotly.families.schemas import KidCreate, KidUpdate, PinBody
from axolotly.i18n import gettext
from axolotly.reports import service as reports
from axolotly.reports.schemas import ISSUE_TYPES, ReportCreate
from axolotly.screen_time import service as screen_time
from axolotly.types import FormText, RowId, Text
from axolotly.web import library_pages, screen_time_pages
from axolotly.web.forms import validated
from axolotly.web.session import CsrfChecked
from axolotly.web.templating import redirect, render

router = APIRouter(include_in_schema=False)


def setup_steps(family_kids: list, selected: list[str], has_titles: bool, paired: list) -> list[tuple[bool, str, str]]:
    """The home page's set-up checklist, (done, what to do, where), computed from the family's
    data each time: it ticks itself off and the page drops it once every step is done."""
    return [
        (bool(family_kids), gettext("Add your kids"), "/family/kids"),
        (bool(selected), gettext("Choose the streaming services you pay for"), "/family/services"),
        (has_titles, gettext("Add something to watch to your library"), "/catalog"),
        (bool(paired), gettext("Pair a device for the kids to watch on"), "/family/devices"),
    ]


@router.get("/")
def home(request: Request, family: WebFamily, db: DbSession):
    family_kids = kids.list_kids(db, family.id)
    statuses = screen_time.family_today(db, family_kids)
    time_left = {kid_id: screen_time.today_words(status) for kid_id, status in statuses.items()}
    selected = streaming.selected_services(db, family.id)
    paired = devices.list_devices(db, family.id)
    steps = setup_steps(family_kids, selected, bool(library.library_title_ids(db, family.id)), paired)
    return render(
        request,
        "home.html",
        user=family.user,
        family_name=members.family_name(db, family.id),
        kids=family_kids,
        time_left=time_left,
        statuses=statuses,
        pause_choices=screen_time_pages.pause_choices(),
        selected=selected,
        devices=paired,
        setup=[] if all(done for done, _, _ in steps) else steps,
        activity=audit.recent(db, family.id, limit=5),
        open_requests=title_requests.count_waiting(db, family.id),
    )


# -- kids ---------------------------------------------------------------------------------------


@router.get("/family/kids")
def kids_page(request: Request, family: WebFamily, db: DbSession):
    return library_pages.kids_page(request, db, family)


@router.post("/family/kids", dependencies=[CsrfChecked])
def add_kid(family: WebFamily, db: DbSession, name: FormText, pin: FormText, age: FormText = ""):
    body = validated(KidCreate, name=name.strip(), pin=pin, age=age.strip() or None)
    kid = kids.create_kid(db, family.id, body.name, body.age, body.pin)
    return redirect("/family/kids", gettext("Added %(name)s") % {"name": kid.name})


@router.post("/family/kids/{kid_id}", dependencies=[CsrfChecked])
def update_kid(kid: WebOwnedKid, db: DbSession, name: FormText, age: FormText = ""):
    body = validated(KidUpdate, name=name.strip(), age=age.strip() or None)
    kid = kids.update_kid(db, kid, body.model_dump(exclude_unset=True))
    return redirect("/family/kids", gettext("Saved %(name)s") % {"name": kid.name})


@router.post("/family/kids/{kid_id}/pin", dependencies=[CsrfChecked])
def change_pin(kid: WebOwnedKid, db: DbSession, pin: FormText):
    body = validated(PinBody, pin=pin)
    kids.change_pin(db, kid, body.pin)
    return redirect("/family/kids", gettext("PIN changed"))


@router.post("/family/kids/{kid_id}/unlock", dependencies=[CsrfChecked])
def unlock_kid(kid: WebOwnedKid, db: DbSession):
    """Lifts the kid's PIN lockouts on every device (kids.unlock audits it)."""
    lifted = kids.unlock(db, kid)
    words = gettext("Unlocked %(name)s") if lifted else gettext("%(name)s was not locked")
    return redirect("/family/kids", words % {"name": kid.name})


@router.get("/family/kids/{kid_id}/delete")
def confirm_delete_kid(kid: WebOwnedKid, request: Request, family: WebFamily, db: DbSession):
    assigned = [d for d in devices.list_devices(db, family.id) if d.kid_profile_id == kid.id]
    return render(request, "kid_delete.html", user=family.user, kid=kid, assigned=assigned)


@router.post("/family/kids/{kid_id}/delete", dependencies=[CsrfChecked])
def delete_kid(kid: WebOwnedKid, db: DbSession):
    name = kid.name
    kids.delete_kid(db, kid)
    return redirect("/family/kids", gettext("Deleted %(name)s") % {"name": name})


# -- services -----------------------------------------------------------------------------------


@router.get("/family/services")
def services_page(request: Request, family: WebFamily, db: DbSession):
    selected = [
        PROVIDERS_BY_ID[service] for service in streaming.selected_services(db, family.id) if service in PROVIDERS_BY_ID
    ]
    return render(
        request,
        "services.html",
        user=family.user,
        providers=streaming.offered_services(db, family.id),
        selected=selected,
        chosen={p.id for p in selected},
    )


@router.post("/family/services", dependencies=[CsrfChecked])
def save_services(family: WebFamily, db: DbSession, use: Annotated[list[Text] | None, Form()] = None):
    """The ticked services; those chosen before keep their place, new ones join at the end."""
    chosen = streaming.use_services(db, family.id, use or [])
    return redirect("/family/services", gettext("Services saved") if chosen else gettext("No services selected"))


MOVES = {"up": -1, "down": 1}


@router.post("/family/services/move", dependencies=[CsrfChecked])
def move_service(family: WebFamily, db: DbSession, service: FormText, direction: FormText):
    """One place earlier or later on the launcher: each arrow button is its own small form."""
    if direction not in MOVES:
        raise Invalid(gettext("Move a service up or down"))
    _, moved = streaming.move_service(db, family.id, service, MOVES[direction])
    name = PROVIDERS_BY_ID[service].name
    if moved:
        words = gettext("Moved %(name)s up") if direction == "up" else gettext("Moved %(name)s down")
    else:
        words = gettext("%(name)s is first already") if direction == "up" else gettext("%(name)s is last already")
    return redirect("/family/services#order", words % {"name": name})


# -- devices ------------------------------------------------------------------------------------


@router.get("/family/devices")
def devices_page(request: Request, family: WebFamily, db: DbSession):
    return render(
        request,
        "devices.html",
        user=family.user,
        devices=devices.list_devices(db, family.id),
        codes=codes.live_codes(db, family.id),
        kids=kids.list_kids(db, family.id),
        launcher_address=codes.launcher_address(str(request.base_url)),
    )


@router.post("/family/pairing-codes", dependencies=[CsrfChecked])
def new_code(family: WebFamily, db: DbSession):
    code = codes.create_code(db, family.id)
    words = gettext("New pairing code %(code)s: enter it on the kid's device") % {"code": code.code}
    return redirect("/family/devices", words)


@router.get("/family/pairing-codes/{code_id}/status")
def code_status(code_id: RowId, family: WebFamily, db: DbSession) -> JSONResponse:
    """The pairing page's poll (every second, static/pairing.js): has the code been used yet?
    When it has, `next` is the page asking who uses the new device."""
    state, device_id = codes.code_status(db, family.id, code_id)
    next_page = f"/family/devices/{device_id}/setup" if device_id else "/family/devices"
    return JSONResponse(
        {"state": state, "device_id": device_id, "next": next_page if state == "paired" else None},
        headers={"Cache-Control": "no-store"},
    )


@router.post("/family/pairing-codes/{code_id}/revoke", dependencies=[CsrfChecked])
def revoke(code_id: RowId, family: WebFamily, db: DbSession):
    codes.revoke_code(db, family.id, code_id)
    return redirect("/family/devices", gettext("Code revoked"))


@router.get("/family/devices/{device_id}/setup")
def device_setup(device: WebOwnedDevice, request: Request, family: WebFamily, db: DbSession):
    """ "Who uses this device?": its name and its kid in one form (posted to update_device)."""
    return render(request, "device_setup.html", user=family.user, device=device, kids=kids.list_kids(db, family.id))


@router.post("/family/devices/{device_id}", dependencies=[CsrfChecked])
def update_device(
    device: WebOwnedDevice, db: DbSession, friendly_name: FormText = "", kid_id: FormText = "", any_kid: FormText = ""
):
    body = validated(
        DeviceUpdate, friendly_name=friendly_name.strip() or None, kid_id=kid_id.strip() or None, any_kid=any_kid == "1"
    )
    changes = {"friendly_name": body.friendly_name, "kid_id": body.kid_id, "any_kid": body.any_kid}
    saved = devices.update_device(db, device, changes)
    kid = kids.get_kid(db, device.family_id, saved.kid_profile_id) if saved.kid_profile_id else None
    return redirect("/family/devices", devices.saved_words(saved, kid.name if kid else None))


@router.get("/family/devices/{device_id}/unpair")
def confirm_unpair(device: WebOwnedDevice, request: Request, family: WebFamily):
    return render(request, "device_unpair.html", user=family.user, device=device)


@router.post("/family/devices/{device_id}/unpair", dependencies=[CsrfChecked])
def unpair(device: WebOwnedDevice, db: DbSession):
    devices.unpair(db, device)
    if device.friendly_name:
        words = gettext("Unpaired %(name)s: its key no longer works") % {"name": device.friendly_name}
    else:
        words = gettext("Unpaired the device: its key no longer works")
    return redirect("/family/devices", words)


# -- reports and activity -----------------------------------------------------------------------


@router.get("/family/reports")
def reports_page(request: Request, family: WebFamily, db: DbSession, title_id: RowId | None = None):
    title = catalog.get_title(db, title_id) if title_id else None
    filed = reports.family_reports(db, family.id)
    return render(
        request,
        "reports.html",
        user=family.user,
        reports=filed,
        title=title,
        issue_types=ISSUE_TYPES,
        names=catalog.title_names(db, {report.title_id for report in filed}),
    )


@router.post("/family/reports", dependencies=[CsrfChecked])
def file_report(family: WebFamily, db: DbSession, title_id: FormText, issue_type: FormText, description: FormText = ""):
    if not title_id.strip():
        raise Invalid(gettext("Choose a title to report"))
    body = validated(ReportCreate, title_id=title_id, issue_type=issue_type, description=description)
    reports.file_report(db, family.id, body.title_id, body.issue_type, body.description)
    return redirect("/family/reports", gettext("Thank you: an admin will look at it"))


@router.get("/family/activity")
def activity_page(request: Request, family: WebFamily, db: DbSession):
    return render(
        request,
        "activity.html",
        user=family.user,
        events=audit.recent(db, family.id, limit=200),
        labels={action: gettext(label) for action, label in audit.ACTIONS.items()},
        parent_names=members.names_by_email(db, family.id),
    )
