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
cursor in batches, so memory stays flat however long the history; the zip goes to a temporary
file and is sent from there once the transaction has ended (zipstream.py spooled). Times are written in the
family's time zone, with their offset.
"""

import json
import logging
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, and_, select
from sqlalchemy.orm import Session

from axolotly.accounts.service import normalise_email
from axolotly.audit import service as audit
from axolotly.config import get_settings
from axolotly.enums import UserRole
from axolotly.errors import NotFound
from axolotly.exports.family_document import at_zone, family_document
from axolotly.exports.zipstream import ZipStream, csv_chunks
from axolotly.families.context import FamilyContext
from axolotly.families.scoping import of_family, owned_by
from axolotly.families.settings import load_family_settings
from axolotly.i18n import N_, family_language, translations
from axolotly.models import (
    AuditEvent,
    Device,
    FamilyMember,
    KidProfile,
    Title,
    User,
    usage_sessions,
)
from axolotly.security import rate_limits
from axolotly.security.rate_limits import Limit

logger = logging.getLogger(__name__)
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
    family_owner(db, family.id)  # an admin acting as their own "family" has none: 404 before anything is spent
    rate_limits.spend(Limit(f"export:family:{family.id}", EXPORTS_PER_HOUR, timedelta(hours=1)), TOO_MANY_EXPORTS)
    audit.record(db, family.id, "family_exported", "Exported the family's data")
    return file_name(db, family.id)


def start_admin_export(db: Session, admin: User, family_id: int) -> str:
    """An administrator's export of any family (a data request), itself a line of its trail."""
    family_owner(db, family_id)
    # The family reads its trail: it names the service, not a member of staff; the operator's log
    # keeps which administrator it was.
    db.info["actor"] = "Axolotly support"
    logger.info("family data export", extra={"family_id": family_id, "admin_id": admin.id})
    audit.record(db, family_id, "family_exported", "An administrator exported the family's data (data request)")
    return file_name(db, family_id, numbered=True)


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


def file_name(db: Session, family_id: int, numbered: bool = False) -> str:
    """The zip's name: the family's date; an administrator's also names the family (support staff
    keep several families' files side by side)."""
    today = datetime.now(ZoneInfo(load_family_settings(db, family_id).time_zone)).date()
    return f"axolotly-family-{family_id}-{today.isoformat()}.zip" if numbered else f"axolotly-family-{today}.zip"


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


def family_body(db: Session, family_id: int) -> Iterator[bytes]:
    """The zip of the family, read (when iterated) from a snapshot of the database `db` reads."""
    return family_zip(snapshot_of(db), family_id)


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
                at_zone(started, zone),
                at_zone(ended, zone),
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
            yield [at_zone(created_at, zone), _blank(actor), what, summary]


def _blank(value: object) -> object:
    return "" if value is None else value
