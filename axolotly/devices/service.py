"""The parent's view of their devices: list (with what each launcher reports), rename, assign, unpair."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, delete, func, select, update
from sqlalchemy.orm import Session, aliased

from axolotly.audit import service as audit
from axolotly.families.kids import get_kid
from axolotly.families.scoping import get_owned, owned_by
from axolotly.families.settings import load_family_settings
from axolotly.i18n import format_ago, format_moment, gettext
from axolotly.models import Device, KidProfile, PairingRequest
from axolotly.ota import service as ota

# A launcher touches last_active at most once a minute while in use and heartbeats on its own
# schedule; five minutes without either is what the parent sees as "offline".
ONLINE_WINDOW = timedelta(minutes=5)
# The web launcher notes the kid it shows at most once a minute (record_watching); a kid whose
# launcher showed within the online window is "watching now".
WATCHING_TOUCH = timedelta(minutes=1)
SHOWN = (
    Device.id,
    Device.device_id,
    Device.friendly_name,
    Device.kid_profile_id,
    Device.paired_at,
    Device.last_active,
    Device.device_model,
    Device.device_manufacturer,
    Device.app_version,
    Device.app_version_code,
    Device.any_kid,
    Device.held_version,
    Device.held_since,
)


def _statuses(db: Session, family_id: int, *criteria) -> list[SimpleNamespace]:
    """The family's devices with attribute access (pages and DeviceOut read them alike).

    `online` is computed by the database, on its own clock (the one that wrote last_active).
    `update_due`: the production manifest offers this device an update now (its rollout bucket
    and minimum versions included, ota/service.py); a device that never reported its version is
    not flagged.
    """
    online = func.coalesce(Device.last_active > func.now() - ONLINE_WINDOW, False)
    # Proof of delivery: the device holds its kid's launcher as it is now (launcher/reads.py
    # records the version each device last fetched); an unassigned device holds "nothing" (NULL).
    assigned = aliased(KidProfile)
    up_to_date = func.coalesce(Device.held_version == assigned.launcher_version, False) | and_(
        Device.kid_profile_id.is_(None), Device.held_since.is_not(None), Device.held_version.is_(None)
    )
    # Who is watching now: the kid a web launcher showed lately, or, on a launcher that never
    # showed one by name (Android: it always shows its assigned kid), the assigned kid while online.
    watching = case(
        (Device.watching_at > func.now() - ONLINE_WINDOW, Device.watching_kid_id),
        (and_(Device.watching_at.is_(None), online), Device.kid_profile_id),
        else_=None,
    )
    statement = (
        owned_by(
            select(
                *SHOWN,
                online.label("online"),
                KidProfile.id.label("watching_kid_id"),
                KidProfile.name.label("watching_kid_name"),
                up_to_date.label("up_to_date"),
                assigned.name.label("kid_name"),
            ),
            Device,
            family_id,
        )
        .outerjoin(KidProfile, KidProfile.id == watching)
        .outerjoin(assigned, assigned.id == Device.kid_profile_id)
        .where(*criteria)
    )
    rows = db.execute(statement.order_by(Device.id)).all()
    releases = ota.active_releases(db, "production") if rows else []
    zone = ZoneInfo(load_family_settings(db, family_id).time_zone) if rows else None
    now = datetime.now(UTC)
    devices = [
        SimpleNamespace(
            **row._asdict(),
            update_due=row.app_version_code is not None
            and ota.offers_update(releases, row.app_version_code, row.device_id),
        )
        for row in rows
    ]
    for device in devices:
        device.delivery = delivery_words(device, zone, now)  # type: ignore[arg-type]  # rows: a zone
    return devices


def list_devices(db: Session, family_id: int) -> list[SimpleNamespace]:
    return _statuses(db, family_id)


def update_device(db: Session, device: Device, changes: dict) -> SimpleNamespace:
    if changes.get("friendly_name") is not None:
        device.friendly_name = changes["friendly_name"]
    if "kid_id" in changes:
        kid_id = changes["kid_id"]
        device.kid_profile_id = None if kid_id is None else get_kid(db, device.family_id, kid_id).id
    if changes.get("any_kid") is not None:
        device.any_kid = changes["any_kid"]
    db.flush()
    return _statuses(db, device.family_id, Device.id == device.id)[0]


def saved_words(device: SimpleNamespace, kid_name: str | None) -> str:
    """What the parent is told after saving a device (a page's words, in the reader's language):
    whose launcher it opens, and who else may use it."""
    words = {"name": device.friendly_name or gettext("The device"), "kid": kid_name}
    if kid_name is None:
        return (
            gettext("Saved: %(name)s has no kid of its own yet: in a browser each kid signs in with their PIN") % words
        )
    if device.any_kid:
        return (
            gettext("Saved: %(name)s shows %(kid)s's launcher, and any kid of the family may sign in with their PIN")
            % words
        )
    return gettext("Saved: %(name)s shows %(kid)s's launcher, and only %(kid)s's") % words


def delivery_words(device: SimpleNamespace, zone: ZoneInfo, now: datetime) -> str:
    """Whether the kid's launcher as it is now has reached this device, in a parent's words ("On
    Emma's tablet since 19:02:03", "Not yet on Leo's phone (last seen 2 hours ago)"), on the
    family's clock (`zone`); `now`: the clock that wrote last_active's comparison."""
    words = {"device": device.friendly_name or gettext("the device"), "kid": device.kid_name}
    if device.up_to_date and device.held_since is not None:
        words["time"] = format_moment(device.held_since.astimezone(zone), "clock_seconds")
        if device.kid_name is None:
            return gettext("On %(device)s since %(time)s (no kid assigned)") % words
        return gettext("On %(kid)s's %(device)s since %(time)s") % words
    if device.last_active is None:
        return gettext("Not yet on %(device)s (never seen)") % words
    words["ago"] = format_ago(device.last_active - now)
    return gettext("Not yet on %(device)s (last seen %(ago)s)") % words


def record_held_version(db: Session, device_id: int, version: int) -> None:
    """A web launcher showed its own kid's launcher at `version`: proof of delivery, as the launcher
    statement records it for /api/apps (launcher/reads.py), written only when it changes."""
    db.execute(
        update(Device)
        .where(Device.id == device_id, Device.held_version.is_distinct_from(version))
        .values(held_version=version, held_since=func.now())
    )


def record_info(db: Session, device_id: int, info: dict) -> None:
    """What the launcher reports about itself (`POST /api/device/info`); `info` holds only what it sent."""
    db.execute(update(Device).where(Device.id == device_id).values(**info, info_updated_at=func.now()))


def may_sign_in(db: Session, device_id: int, kid_id: int) -> bool:
    """Whether this kid may use the device: its assigned kid always; another kid only when the
    parent lets any kid of the family use it, or has not chosen a kid for it yet."""
    device = db.get_one(Device, device_id)
    return device.any_kid or device.kid_profile_id in (None, kid_id)


def opens_for(db: Session, device_id: int) -> int | None:
    """The kid whose launcher this device opens by itself: its kid, unless any kid may use it."""
    device = db.get_one(Device, device_id)
    return None if device.any_kid else device.kid_profile_id


def record_watching(db: Session, device_id: int, kid_id: int | None) -> None:
    """The kid the web launcher shows now (None: "Who is watching?"): one statement that writes only
    when the kid changed or a minute went by. A web launcher's `watching_at` is never NULL again."""
    values: dict[str, Any]
    if kid_id is None:
        changed = Device.watching_kid_id.is_not(None) | Device.watching_at.is_(None)
        values = {"watching_kid_id": None, "watching_at": func.coalesce(Device.watching_at, func.now())}
    else:
        changed = (
            Device.watching_kid_id.is_distinct_from(kid_id)
            | Device.watching_at.is_(None)
            | (Device.watching_at < func.now() - WATCHING_TOUCH)
        )
        values = {"watching_kid_id": kid_id, "watching_at": func.now()}
    db.execute(
        update(Device)
        .where(Device.id == device_id, changed)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def get_device(db: Session, family_id: int, device_id: int) -> Device:
    """The family's device, or 404 (the owned-resource dependencies call this: families/deps.py)."""
    return get_owned(db, Device, device_id, family_id, "Device")


def unpair(db: Session, device: Device) -> None:
    """Deletes the device row: its key stops working on the very next call."""
    db.execute(delete(Device).where(Device.id == device.id))
    # A re-pairing confirmed but not yet collected must not bring the device back.
    db.execute(delete(PairingRequest).where(PairingRequest.device_id == device.device_id))
    audit.record(db, device.family_id, "device_unpaired", f"Unpaired {device.friendly_name or 'a device'}")
