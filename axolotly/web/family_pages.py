"""The parent's pages: home, kids, services, devices and pairing codes, reports, activity."""

from typing import Annotated

from fastapi import APIRouter, Form, Request

from axolotly.accounts.deps import DbSession
from axolotly.audit import service as audit
from axolotly.catalog import service as catalog
from axolotly.catalog.providers import PROVIDERS
from axolotly.devices import codes
from axolotly.devices import service as devices
from axolotly.devices.schemas import DeviceUpdate
from axolotly.errors import Invalid
from axolotly.families import kids, members, streaming
from axolotly.families import requests as title_requests
from axolotly.families.schemas import KidCreate, KidUpdate, PinBody
from axolotly.reports import service as reports
from axolotly.reports.schemas import ISSUE_TYPES, ReportCreate
from axolotly.types import FormCount, FormText, RowId, Text
from axolotly.web import library_pages
from axolotly.web.forms import validated
from axolotly.families.deps import WebFamily, WebOwnedDevice, WebOwnedKid
from axolotly.web.session import CsrfChecked
from axolotly.web.templating import redirect, render

router = APIRouter(include_in_schema=False)


@router.get("/")
def home(request: Request, family: WebFamily, db: DbSession):
    return render(request, "home.html", user=family.user, family_name=members.family_name(db, family.id),
                  kids=kids.list_kids(db, family.id),
                  selected=streaming.selected_services(db, family.id), devices=devices.list_devices(db, family.id),
                  activity=audit.recent(db, family.id, limit=5),
                  open_requests=title_requests.count_open(db, family.id))


# -- kids ---------------------------------------------------------------------------------------

@router.get("/family/kids")
def kids_page(request: Request, family: WebFamily, db: DbSession):
    return render(request, "kids.html", user=family.user, kids=kids.list_kids(db, family.id),
                  locks=kids.current_locks(db, family.id), **library_pages.rules_form_context(db))


@router.post("/family/kids", dependencies=[CsrfChecked])
def add_kid(family: WebFamily, db: DbSession, name: FormText, pin: FormText, age: FormText = ""):
    body = validated(KidCreate, name=name.strip(), pin=pin, age=age.strip() or None)
    kid = kids.create_kid(db, family.id, body.name, body.age, body.pin)
    return redirect("/family/kids", f"Added {kid.name}")


@router.post("/family/kids/{kid_id}", dependencies=[CsrfChecked])
def update_kid(kid: WebOwnedKid, db: DbSession, name: FormText, age: FormText = ""):
    body = validated(KidUpdate, name=name.strip(), age=age.strip() or None)
    kid = kids.update_kid(db, kid, body.model_dump(exclude_unset=True))
    return redirect("/family/kids", f"Saved {kid.name}")


@router.post("/family/kids/{kid_id}/pin", dependencies=[CsrfChecked])
def change_pin(kid: WebOwnedKid, db: DbSession, pin: FormText):
    body = validated(PinBody, pin=pin)
    kids.change_pin(db, kid, body.pin)
    return redirect("/family/kids", "PIN changed")


@router.post("/family/kids/{kid_id}/unlock", dependencies=[CsrfChecked])
def unlock_kid(kid: WebOwnedKid, db: DbSession):
    """Lifts the kid's PIN lockouts on every device (kids.unlock audits it)."""
    lifted = kids.unlock(db, kid)
    return redirect("/family/kids", f"Unlocked {kid.name}" if lifted else f"{kid.name} was not locked")


@router.get("/family/kids/{kid_id}/delete")
def confirm_delete_kid(kid: WebOwnedKid, request: Request, family: WebFamily, db: DbSession):
    assigned = [d for d in devices.list_devices(db, family.id) if d.kid_profile_id == kid.id]
    return render(request, "kid_delete.html", user=family.user, kid=kid, assigned=assigned)


@router.post("/family/kids/{kid_id}/delete", dependencies=[CsrfChecked])
def delete_kid(kid: WebOwnedKid, db: DbSession):
    name = kid.name
    kids.delete_kid(db, kid)
    return redirect("/family/kids", f"Deleted {name}")


# -- services -----------------------------------------------------------------------------------

@router.get("/family/services")
def services_page(request: Request, family: WebFamily, db: DbSession):
    selected = streaming.selected_services(db, family.id)
    order = {service: position for position, service in enumerate(selected, start=1)}
    return render(request, "services.html", user=family.user, providers=PROVIDERS, order=order)


@router.post("/family/services", dependencies=[CsrfChecked])
def save_services(family: WebFamily, db: DbSession, use: Annotated[list[Text] | None, Form()] = None,
                  position: Annotated[list[FormCount] | None, Form()] = None):
    """Checked services, ordered by their position fields (one per registry entry, blank = last)."""
    use, position = use or [], position or [None] * len(PROVIDERS)
    if len(position) != len(PROVIDERS):
        raise Invalid("Send one position per service")
    positions = dict(zip([p.id for p in PROVIDERS], position, strict=True))
    ranked = sorted((positions.get(service) or 1000, index, service) for index, service in enumerate(use))
    chosen = [service for _, _, service in ranked]
    streaming.set_selection(db, family.id, chosen)
    return redirect("/family/services", "Services saved" if chosen else "No services selected")


# -- devices ------------------------------------------------------------------------------------

@router.get("/family/devices")
def devices_page(request: Request, family: WebFamily, db: DbSession):
    return render(request, "devices.html", user=family.user, devices=devices.list_devices(db, family.id),
                  codes=codes.live_codes(db, family.id), kids=kids.list_kids(db, family.id))


@router.post("/family/pairing-codes", dependencies=[CsrfChecked])
def new_code(family: WebFamily, db: DbSession):
    code = codes.create_code(db, family.id)
    return redirect("/family/devices", f"New pairing code {code.code}: enter it on the kid's device")


@router.post("/family/pairing-codes/{code_id}/revoke", dependencies=[CsrfChecked])
def revoke(code_id: RowId, family: WebFamily, db: DbSession):
    codes.revoke_code(db, family.id, code_id)
    return redirect("/family/devices", "Code revoked")


@router.post("/family/devices/{device_id}", dependencies=[CsrfChecked])
def update_device(device: WebOwnedDevice, db: DbSession, friendly_name: FormText = "", kid_id: FormText = ""):
    body = validated(DeviceUpdate, friendly_name=friendly_name.strip() or None, kid_id=kid_id.strip() or None)
    devices.update_device(db, device, {"friendly_name": body.friendly_name, "kid_id": body.kid_id})
    return redirect("/family/devices", "Device saved")


@router.post("/family/devices/{device_id}/unpair", dependencies=[CsrfChecked])
def unpair(device: WebOwnedDevice, db: DbSession):
    devices.unpair(db, device)
    return redirect("/family/devices", "Device unpaired: its key no longer works")


# -- reports and activity -----------------------------------------------------------------------

@router.get("/family/reports")
def reports_page(request: Request, family: WebFamily, db: DbSession, title_id: RowId | None = None):
    title = catalog.get_title(db, title_id) if title_id else None
    filed = reports.family_reports(db, family.id)
    return render(request, "reports.html", user=family.user, reports=filed, title=title, issue_types=ISSUE_TYPES,
                  names=catalog.title_names(db, {report.title_id for report in filed}))


@router.post("/family/reports", dependencies=[CsrfChecked])
def file_report(family: WebFamily, db: DbSession, title_id: FormText, issue_type: FormText, description: FormText = ""):
    if not title_id.strip():
        raise Invalid("Choose a title to report")
    body = validated(ReportCreate, title_id=title_id, issue_type=issue_type, description=description)
    reports.file_report(db, family.id, body.title_id, body.issue_type, body.description)
    return redirect("/family/reports", "Thank you: an admin will look at it")


@router.get("/family/activity")
def activity_page(request: Request, family: WebFamily, db: DbSession):
    return render(request, "activity.html", user=family.user, events=audit.recent(db, family.id, limit=200),
                  labels=audit.ACTIONS)
