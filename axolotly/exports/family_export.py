"""A family's data to take away: one zip of what Axolotly holds about the family (GET
/api/parent/me/export, the account page's button; an admin's export for a data request).

What goes in (README.txt says it in the family's language):
- family.json: the family, its parents (no password hash, no token epochs), kids (no PIN hash)
  with their rules, screen time and policies (episode blocks named, `allowed_until`), the library,
  devices (no key digests, no push token), services, requests, invitations (no token digest) and
  each parent's notification settings. Titles, kids, devices and parents are named next to their ids.
- watch-history.csv: every stored watching session (`usage_sessions`). The daily totals
  (`usage_daily`) are left out: they are exactly the sum of these sessions (screen_time/usage.py).
- activity.csv: the activity trail (`audit_events`).

All files are one consistent snapshot: the zip is read in a REPEATABLE READ, read-only transaction
of its own connection, opened when the body starts streaming. The request's session has committed
and closed by then (accounts/deps.py DbSession), and the history is read through a server-side
cursor in batches, so memory stays flat however long the history. Times are written in the
family's time zone, with their offset.
"""

import json
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime, time, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, and_, select
from sqlalchemy.orm import Session

from axolotly.accounts.service import normalise_email
from axolotly.audit import service as audit
from axolotly.catalog.providers import PROVIDERS_BY_ID
from axolotly.config import get_settings
from axolotly.enums import UserRole
from axolotly.errors import NotFound
from axolotly.exports.zipstream import ZipStream, csv_chunks
from axolotly.families.context import FamilyContext
from axolotly.families.scoping import of_family, owned_by
from axolotly.families.settings import load_family_settings
from axolotly.families.streaming import selected_services
from axolotly.i18n import N_, family_language, translations
from axolotly.models import (
    AuditEvent,
    Device,
    Episode,
    FamilyInvitation,
    FamilyMember,
    FamilyTitle,
    KidProfile,
    KidProfileTitle,
    TimeRequest,
    Title,
    TitleRequest,
    User,
    usage_sessions,
)
from axolotly.notifications.preferences import preferences_of
from axolotly.security import rate_limits
from axolotly.security.rate_limits import Limit

FORMAT_VERSION = 1
HISTORY_BATCH = 2000  # rows per fetch of the server-side cursor
EXPORTS_PER_HOUR = 6  # per family: an export holds a connection for as long as it streams
TOO_MANY_EXPORTS = N_("Your family's data was exported several times this hour: try again later")
FAMILY_NOT_FOUND = N_("Family not found")
NO_SUCH_PARENT = N_("No parent account has this email")

Snapshot = Callable[[], AbstractContextManager[Session]]


# -- starting an export (in the request's own transaction, before any byte is sent) ----------------


def start_family_export(db: Session, family: FamilyContext) -> str:
    """A parent's export of their own family (owner or co-parent: the zip is the family's, and
    either may see all of it in the pages). Counted per family before anything else, and recorded
    in the trail; returns the file's name."""
    rate_limits.spend(Limit(f"export:family:{family.id}", EXPORTS_PER_HOUR, timedelta(hours=1)), TOO_MANY_EXPORTS)
    audit.record(db, family.id, "family_exported", "Exported the family's data")
    return file_name(db, family.id)


def start_admin_export(db: Session, admin: User, family_id: int) -> str:
    """An administrator's export of any family (a data request), itself a line of its trail."""
    family_owner(db, family_id)
    db.info["actor"] = admin.email
    audit.record(db, family_id, "family_exported", "An administrator exported the family's data (data request)")
    return file_name(db, family_id)


def family_owner(db: Session, family_id: int) -> User:
    """The users row that is a family: a parent's own account, not an admin's nor a co-parent's."""
    owner = db.get(User, family_id)
    is_co_parent = db.scalar(select(FamilyMember.id).where(FamilyMember.user_id == family_id))
    if owner is None or owner.role != UserRole.PARENT or is_co_parent is not None:
        raise NotFound(FAMILY_NOT_FOUND)
    return owner


def family_of_parent(db: Session, email: str) -> int:
    """The family a parent (owner or co-parent) belongs to, by their email (the admin's console)."""
    parent = db.scalar(select(User).where(User.email == normalise_email(email), User.role == UserRole.PARENT))
    if parent is None:
        raise NotFound(NO_SUCH_PARENT)
    return db.scalar(select(FamilyMember.family_id).where(FamilyMember.user_id == parent.id)) or parent.id


def file_name(db: Session, family_id: int) -> str:
    today = datetime.now(ZoneInfo(load_family_settings(db, family_id).time_zone)).date()
    return f"axolotly-family-{today.isoformat()}.zip"


# -- the snapshot the zip is read from ------------------------------------------------------------


@contextmanager
def _repeatable_read(engine: Engine) -> Iterator[Session]:
    """A connection of the export's own, in one REPEATABLE READ read-only transaction (rolled back
    at the end: it wrote nothing)."""
    with engine.connect() as connection:
        connection.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        with Session(bind=connection) as db:
            yield db


@contextmanager
def _inside(connection: Connection) -> Iterator[Session]:
    """Within the transaction that owns the request's connection (a savepoint of it)."""
    with Session(bind=connection, join_transaction_mode="create_savepoint") as db:
        yield db


def snapshot_of(db: Session) -> Snapshot:
    """How the streamed body reads the database the request's session uses, once that session has
    ended: a connection of its own from the session's engine; when the session is bound to one
    connection whose transaction someone else owns (the tests' rolled-back transaction), inside it."""
    bind = db.get_bind()
    if isinstance(bind, Connection):
        return partial(_inside, bind)
    return partial(_repeatable_read, bind)


def family_zip(open_snapshot: Snapshot, family_id: int) -> Iterator[bytes]:
    """The zip's bytes, read from one snapshot as they are sent."""
    with open_snapshot() as db:
        owner = family_owner(db, family_id)
        settings = load_family_settings(db, family_id)
        zone = ZoneInfo(settings.time_zone)
        words = translations(family_language(owner, "en")).gettext
        now = datetime.now(zone)
        archive = ZipStream(now)
        document = family_document(db, owner, zone, now)
        yield from archive.add("README.txt", [readme(words, settings.family_name, settings.time_zone, now)])
        yield from archive.add("family.json", [json.dumps(document, ensure_ascii=False, indent=2).encode()])
        history = history_rows(db, family_id, zone)
        yield from archive.add("watch-history.csv", csv_chunks(history_header(words), history))
        activity = activity_rows(db, family_id, zone, words)
        yield from archive.add("activity.csv", csv_chunks(activity_header(words), activity))
        yield from archive.finish()


# -- README.txt -----------------------------------------------------------------------------------


def readme(words: Callable[[str], str], family_name: str, zone: str, now: datetime) -> bytes:
    paragraphs = [
        words(N_("Your family's data from Axolotly")),
        words(N_("%(family)s, exported on %(date)s. Times are in your family's time zone, %(zone)s."))
        % {"family": family_name, "date": now.strftime("%Y-%m-%d %H:%M"), "zone": zone},
        "README.txt: " + words(N_("this description.")),
        "family.json: "
        + words(
            N_(
                "what your family set up: your account and your co-parents (without passwords), your kids "
                "(without their PINs) with their rules, their screen time and every title allowed or blocked for "
                "them (blocked episodes, and when an allow ends), the family library, your devices (without "
                "their keys), the streaming services you chose, the kids' requests and the answers, invitations "
                "and each parent's notification settings. Titles, kids and devices are named next to their "
                "number, which the other files use too. Any text editor opens it."
            )
        ),
        "watch-history.csv: "
        + words(
            N_(
                "every watching session the kids' launchers reported, one per line: who watched what, on which "
                "device, from when until when and for how many seconds. Axolotly keeps watch history for "
                "%(days)d days."
            )
        )
        % {"days": get_settings().usage_retention_days},
        "activity.csv: "
        + words(N_("your family's activity list: when, who, what changed. No name in “Who”: a device or Axolotly."))
        + " "
        + words(N_("Axolotly keeps the activity list for %(days)d days."))
        % {"days": get_settings().audit_retention_days},
        words(N_("The CSV files open in any spreadsheet program: comma-separated, the first line names the columns.")),
    ]
    return ("\r\n\r\n".join(paragraphs) + "\r\n").encode()


# -- family.json ----------------------------------------------------------------------------------


def family_document(db: Session, owner: User, zone: ZoneInfo, now: datetime) -> dict[str, Any]:
    family_id = owner.id
    settings = load_family_settings(db, family_id)
    parents = _parents(db, owner)
    names = {parent["id"]: parent["name"] for parent in parents}
    kids = list(db.scalars(owned_by(select(KidProfile), KidProfile, family_id).order_by(KidProfile.id)))
    policies = _policies(db, family_id, zone)
    return {
        "format": FORMAT_VERSION,
        "exported_at": now.isoformat(),
        "family": {
            "id": family_id,
            "name": settings.family_name,
            "country": settings.country,
            "language": owner.language,
            "time_zone": settings.time_zone,
            "created_at": _at(owner.created_at, zone),
        },
        "parents": parents,
        "kids": [_kid(kid, policies.get(kid.id, []), zone) for kid in kids],
        "library": _library(db, family_id, names, zone),
        "devices": _devices(db, family_id, {kid.id: kid.name for kid in kids}, zone),
        "streaming_services": [
            {"id": service, "name": PROVIDERS_BY_ID[service].name if service in PROVIDERS_BY_ID else service}
            for service in selected_services(db, family_id)
        ],
        "title_requests": _title_requests(db, family_id, names, zone),
        "time_requests": _time_requests(db, family_id, names, zone),
        "invitations": _invitations(db, family_id, names, zone),
    }


def _at(moment: datetime | None, zone: ZoneInfo) -> str | None:
    return moment.astimezone(zone).isoformat() if moment is not None else None


def _clock(moment: time | None) -> str | None:
    return moment.strftime("%H:%M") if moment is not None else None


def _named(row_id: int | None, names: dict[int, str]) -> dict[str, Any] | None:
    """Someone by id and name; a parent who has left the family by id only."""
    return None if row_id is None else {"id": row_id, "name": names.get(row_id)}


def _parents(db: Session, owner: User) -> list[dict[str, Any]]:
    members = db.execute(
        owned_by(select(User, FamilyMember.created_at), FamilyMember, owner.id)
        .join(User, User.id == FamilyMember.user_id)
        .order_by(FamilyMember.id)
    ).all()
    everyone = [(owner, "owner", owner.created_at), *((user, "co-parent", joined) for user, joined in members)]
    return [
        {
            "id": user.id,
            "name": user.name_or_email,
            "email": user.email,
            "display_name": user.display_name,
            "role": role,
            "language": user.language,
            "account_created_at": user.created_at.isoformat(),
            "parent_since": joined.isoformat(),
            "notifications": _notifications(user),
        }
        for user, role, joined in everyone
    ]


def _notifications(user: User) -> dict[str, Any]:
    preferences = preferences_of(user)
    quiet = preferences.quiet_hours
    return {
        "on": preferences.events,
        "quiet_hours": {"from": _clock(quiet[0]), "until": _clock(quiet[1])} if quiet else None,
    }


def _kid(kid: KidProfile, policies: list[dict[str, Any]], zone: ZoneInfo) -> dict[str, Any]:
    return {
        "id": kid.id,
        "name": kid.name,
        "age": kid.age,
        "created_at": _at(kid.created_at, zone),
        "rules": {
            "mode": kid.rules_mode,
            "max_movie_rating": kid.max_movie_rating,
            "max_tv_rating": kid.max_tv_rating,
            "block_unrated": kid.block_unrated,
            "blocked_tags": kid.blocked_tags,
            "ask_list": kid.ask_list,
        },
        "screen_time": {
            "enabled": kid.screen_time_enabled,
            "school_day_limit_minutes": kid.school_day_limit_minutes,
            "weekend_limit_minutes": kid.weekend_limit_minutes,
            "school_day_bedtime": _window(kid.school_day_bedtime_start, kid.school_day_bedtime_end),
            "weekend_bedtime": _window(kid.weekend_bedtime_start, kid.weekend_bedtime_end),
            "bonus_minutes": kid.bonus_minutes,
            "bonus_day": kid.bonus_day.isoformat() if kid.bonus_day else None,
            "paused_until": _at(kid.paused_until, zone),
            "episode_grace_minutes": kid.episode_grace_minutes,
        },
        "policies": policies,
    }


def _window(start: time | None, end: time | None) -> dict[str, str | None] | None:
    return {"from": _clock(start), "until": _clock(end)} if start is not None else None


def _policies(db: Session, family_id: int, zone: ZoneInfo) -> dict[int, list[dict[str, Any]]]:
    rows = db.execute(
        owned_by(select(KidProfileTitle, Title.title, Title.media_type), KidProfile, family_id)
        .join(KidProfile, KidProfile.id == KidProfileTitle.kid_profile_id)
        .join(Title, Title.id == KidProfileTitle.title_id)
        .order_by(KidProfileTitle.kid_profile_id, Title.title, KidProfileTitle.id)
    ).all()
    blocked_ids = {episode for policy, _, _ in rows for episode in policy.blocked_episodes}
    episodes = {
        episode.id: episode for episode in db.scalars(select(Episode).where(Episode.id.in_(sorted(blocked_ids))))
    }
    by_kid: dict[int, list[dict[str, Any]]] = {}
    for policy, name, media_type in rows:
        by_kid.setdefault(policy.kid_profile_id, []).append(
            {
                "title": {"id": policy.title_id, "name": name, "type": media_type},
                "policy": policy.policy,
                "allowed_until": _at(policy.allowed_until, zone),
                "since": _at(policy.created_at, zone),
                "blocked_episodes": [_episode(episode_id, episodes) for episode_id in policy.blocked_episodes],
            }
        )
    return by_kid


def _episode(episode_id: int, episodes: dict[int, Episode]) -> dict[str, Any]:
    episode = episodes.get(episode_id)
    if episode is None:  # the catalog no longer has it: the id is all there is
        return {"id": episode_id}
    return {
        "id": episode_id,
        "season": episode.season_number,
        "episode": episode.episode_number,
        "name": episode.name,
    }


def _library(db: Session, family_id: int, names: dict[int, str], zone: ZoneInfo) -> list[dict[str, Any]]:
    rows = db.execute(
        owned_by(select(FamilyTitle, Title.title, Title.media_type), FamilyTitle, family_id)
        .join(Title, Title.id == FamilyTitle.title_id)
        .order_by(Title.title, FamilyTitle.title_id)
    ).all()
    return [
        {
            "title": {"id": row.title_id, "name": name, "type": media_type},
            "added_at": _at(row.added_at, zone),
            "added_by": _named(row.added_by, names),
        }
        for row, name, media_type in rows
    ]


def _devices(db: Session, family_id: int, kids: dict[int, str], zone: ZoneInfo) -> list[dict[str, Any]]:
    devices = db.scalars(owned_by(select(Device), Device, family_id).order_by(Device.id))
    return [
        {
            "id": device.id,
            "name": device.friendly_name,
            "device_id": device.device_id,
            "kid": _named(device.kid_profile_id, kids),
            "any_kid_may_sign_in": device.any_kid,
            "paired_at": _at(device.paired_at, zone),
            "last_active": _at(device.last_active, zone),
            "model": device.device_model,
            "manufacturer": device.device_manufacturer,
            "app_version": device.app_version,
            "app_version_code": device.app_version_code,
            "last_watching": _named(device.watching_kid_id, kids),
            "last_watching_at": _at(device.watching_at, zone),
        }
        for device in devices
    ]


def _title_requests(db: Session, family_id: int, names: dict[int, str], zone: ZoneInfo) -> list[dict[str, Any]]:
    rows = db.execute(
        owned_by(select(TitleRequest, KidProfile.name, Title.title), TitleRequest, family_id)
        .join(KidProfile, KidProfile.id == TitleRequest.kid_profile_id)
        .join(Title, Title.id == TitleRequest.title_id)
        .order_by(TitleRequest.created_at, TitleRequest.id)
    ).all()
    return [
        {
            "id": request.id,
            "kid": {"id": request.kid_profile_id, "name": kid},
            "title": {"id": request.title_id, "name": title},
            "status": request.status,
            "asked_at": _at(request.created_at, zone),
            "answered_at": _at(request.answered_at, zone),
            "answered_by": _named(request.answered_by, names),
            "note": request.note,
        }
        for request, kid, title in rows
    ]


def _time_requests(db: Session, family_id: int, names: dict[int, str], zone: ZoneInfo) -> list[dict[str, Any]]:
    rows = db.execute(
        owned_by(select(TimeRequest, KidProfile.name), TimeRequest, family_id)
        .join(KidProfile, KidProfile.id == TimeRequest.kid_profile_id)
        .order_by(TimeRequest.created_at, TimeRequest.id)
    ).all()
    return [
        {
            "id": request.id,
            "kid": {"id": request.kid_profile_id, "name": kid},
            "day": request.day.isoformat(),
            "status": request.status,
            "minutes_granted": request.minutes,
            "asked_at": _at(request.created_at, zone),
            "answered_at": _at(request.answered_at, zone),
            "answered_by": _named(request.answered_by, names),
        }
        for request, kid in rows
    ]


def _invitations(db: Session, family_id: int, names: dict[int, str], zone: ZoneInfo) -> list[dict[str, Any]]:
    invitations = db.scalars(
        owned_by(select(FamilyInvitation), FamilyInvitation, family_id).order_by(FamilyInvitation.id)
    )
    return [
        {
            "id": invitation.id,
            "created_at": _at(invitation.created_at, zone),
            "expires_at": _at(invitation.expires_at, zone),
            "accepted_at": _at(invitation.accepted_at, zone),
            "accepted_by": _named(invitation.accepted_by, names),
        }
        for invitation in invitations
    ]


# -- the CSV files --------------------------------------------------------------------------------


def history_header(words: Callable[[str], str]) -> list[str]:
    return [
        words(N_("Started")),
        words(N_("Ended")),
        words(N_("Seconds")),
        words(N_("Kid number")),
        words(N_("Kid")),
        words(N_("Title number")),
        words(N_("Title")),
        words(N_("App")),
        words(N_("App name")),
        words(N_("Device number")),
        words(N_("Device")),
    ]


def history_rows(db: Session, family_id: int, zone: ZoneInfo) -> Iterator[list[object]]:
    """The family's sessions in time order, fetched HISTORY_BATCH at a time (a server-side cursor)."""
    sessions = usage_sessions.c
    statement = (
        owned_by(
            select(
                sessions.started_at,
                sessions.ended_at,
                sessions.seconds,
                sessions.kid_profile_id,
                KidProfile.name,
                sessions.title_id,
                Title.title,
                sessions.app_id,
                sessions.app_name,
                sessions.device_id,
                Device.friendly_name,
            ),
            KidProfile,
            family_id,
        )
        .select_from(usage_sessions)
        .join(KidProfile, KidProfile.id == sessions.kid_profile_id)
        .outerjoin(Title, Title.id == sessions.title_id)
        # No foreign key (the history outlives the device): only this family's device is named.
        .outerjoin(Device, and_(Device.id == sessions.device_id, of_family(Device, family_id)))
        .order_by(sessions.started_at, sessions.kid_profile_id, sessions.device_id, sessions.app_id)
    )
    result = db.execute(statement, execution_options={"yield_per": HISTORY_BATCH})
    for batch in result.partitions():
        for row in batch:
            started, ended, seconds, kid_id, kid, title_id, title, app_id, app_name, device_id, device = row
            yield [
                _at(started, zone),
                _at(ended, zone),
                seconds,
                kid_id,
                kid,
                _blank(title_id),
                _blank(title),
                app_id,
                app_name,
                _blank(device_id),
                _blank(device),
            ]


def activity_header(words: Callable[[str], str]) -> list[str]:
    return [words(N_("When")), words(N_("Who")), words(N_("What")), words(N_("Details"))]


def activity_rows(db: Session, family_id: int, zone: ZoneInfo, words: Callable[[str], str]) -> Iterator[list[object]]:
    statement = owned_by(
        select(AuditEvent.created_at, AuditEvent.actor, AuditEvent.action, AuditEvent.summary), AuditEvent, family_id
    ).order_by(AuditEvent.created_at, AuditEvent.id)
    for batch in db.execute(statement, execution_options={"yield_per": HISTORY_BATCH}).partitions():
        for created_at, actor, action, summary in batch:
            what = words(audit.ACTIONS[action]) if action in audit.ACTIONS else action
            yield [_at(created_at, zone), _blank(actor), what, summary]


def _blank(value: object) -> object:
    return "" if value is None else value
