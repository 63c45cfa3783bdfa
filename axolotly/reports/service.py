"""Content reports: parents file them; admins see those of one title and issue together (with the
family that filed each and when, closed ones kept with their resolution) and close them."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from axolotly.catalog.service import get_title
from axolotly.enums import ReportStatus
from axolotly.errors import Conflict, NotFound
from axolotly.families.scoping import owned_by
from axolotly.families.settings import default_name
from axolotly.i18n import N_
from axolotly.models import ContentReport, Title, User


def file_report(db: Session, family_id: int, title_id: int, issue_type: str, description: str) -> ContentReport:
    title = get_title(db, title_id)
    report = ContentReport(
        family_id=family_id, title_id=title.id, issue_type=issue_type, description=description.strip() or None
    )
    db.add(report)
    db.flush()
    db.refresh(report)
    return report


def family_reports(db: Session, family_id: int) -> list[ContentReport]:
    statement = owned_by(select(ContentReport), ContentReport, family_id).order_by(ContentReport.id.desc())
    return list(db.execute(statement).scalars())


def reports_by_status(db: Session, status: ReportStatus, limit: int, offset: int) -> list[ContentReport]:
    return list(
        db.execute(
            select(ContentReport)
            .where(ContentReport.status == status)
            .order_by(ContentReport.created_at, ContentReport.id)
            .limit(limit)
            .offset(offset)
        ).scalars()
    )


def close_report(db: Session, report_id: int, status: ReportStatus) -> ContentReport:
    """Resolves or dismisses a pending report (once: a closed report is a 409)."""
    closed = db.execute(
        update(ContentReport)
        .where(ContentReport.id == report_id, ContentReport.status == ReportStatus.PENDING)
        .values(status=status, resolved_at=func.now())
        .returning(ContentReport.id)
    ).scalar_one_or_none()
    report = db.get(ContentReport, report_id, populate_existing=True)
    if report is None:
        raise NotFound(N_("Report not found"))
    if closed is None:
        raise Conflict(
            {
                ReportStatus.RESOLVED.value: N_("Report is already resolved"),
                ReportStatus.DISMISSED.value: N_("Report is already dismissed"),
            }.get(report.status, N_("Report is already %(status)s")),
            status=report.status,
        )
    return report


# -- the admin console's groups ----------------------------------------------------------------

PENDING_LIMIT = 500  # the moderation queue shown at once
CLOSED_LIMIT = 100  # the most recently closed reports kept in view


@dataclass(frozen=True)
class ReportLine:
    report: ContentReport
    family: str  # the family's name as its parents set it (else derived from the e-mail)
    family_email: str  # the family account's e-mail, to reach the reporter


@dataclass
class ReportGroup:
    title_id: int
    title: str
    issue_type: str
    lines: list[ReportLine] = field(default_factory=list)  # newest first

    @property
    def pending(self) -> list[ReportLine]:
        return [line for line in self.lines if line.report.status == ReportStatus.PENDING]

    @property
    def closed(self) -> list[ReportLine]:
        return [line for line in self.lines if line.report.status != ReportStatus.PENDING]

    @property
    def families(self) -> int:
        return len({line.report.family_id for line in self.lines})

    @property
    def waiting_since(self) -> datetime | None:
        return min((line.report.created_at for line in self.pending), default=None)

    @property
    def last_closed(self) -> datetime | None:
        return max((line.report.resolved_at for line in self.closed if line.report.resolved_at), default=None)


def _lines(db: Session, pending: bool, limit: int) -> list[tuple[ContentReport, str, str | None, str]]:
    statement = (
        select(ContentReport, Title.title, User.family_name, User.email)
        .join(Title, Title.id == ContentReport.title_id)
        .join(User, User.id == ContentReport.family_id)
    )
    if pending:
        statement = statement.where(ContentReport.status == ReportStatus.PENDING).order_by(
            ContentReport.created_at, ContentReport.id
        )
    else:
        statement = statement.where(ContentReport.status != ReportStatus.PENDING).order_by(
            ContentReport.resolved_at.desc().nullslast(), ContentReport.id.desc()
        )
    return [tuple(row) for row in db.execute(statement.limit(limit))]


def report_groups(
    db: Session, pending_limit: int = PENDING_LIMIT, closed_limit: int = CLOSED_LIMIT
) -> list[ReportGroup]:
    """Groups with pending reports first, longest waiting first (a queue); then groups whose
    reports are all closed, most recently closed first."""
    groups: dict[tuple[int, str], ReportGroup] = {}
    for report, title, family_name, email in _lines(db, True, pending_limit) + _lines(db, False, closed_limit):
        group = groups.setdefault(
            (report.title_id, report.issue_type), ReportGroup(report.title_id, title, report.issue_type)
        )
        group.lines.append(ReportLine(report, family_name or default_name(email), email))
    for group in groups.values():
        group.lines.sort(key=lambda line: (line.report.created_at, line.report.id), reverse=True)
    waiting = sorted(
        (g for g in groups.values() if g.pending), key=lambda g: g.waiting_since.timestamp() if g.waiting_since else 0.0
    )
    done = sorted(
        (g for g in groups.values() if not g.pending),
        key=lambda g: g.last_closed.timestamp() if g.last_closed else 0.0,
        reverse=True,
    )
    return waiting + done


def close_group(db: Session, title_id: int, issue_type: str, status: ReportStatus) -> int:
    """Resolves or dismisses every pending report of the title and issue at once; how many. Nothing
    pending is a 409 (another admin was quicker), no such reports a 404."""
    closed = (
        db.execute(
            update(ContentReport)
            .where(
                ContentReport.title_id == title_id,
                ContentReport.issue_type == issue_type,
                ContentReport.status == ReportStatus.PENDING,
            )
            .values(status=status, resolved_at=func.now())
            .returning(ContentReport.id)
        )
        .scalars()
        .all()
    )
    if closed:
        return len(closed)
    exists = db.execute(
        select(ContentReport.id)
        .where(ContentReport.title_id == title_id, ContentReport.issue_type == issue_type)
        .limit(1)
    ).first()
    if exists is None:
        raise NotFound(N_("No reports for this title and issue"))
    raise Conflict(N_("These reports are closed already"))
