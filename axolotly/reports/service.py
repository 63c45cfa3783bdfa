from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from axolotly.catalog.service import get_title
from axolotly.enums import ReportStatus
from axolotly.errors import Conflict, NotFound
from axolotly.families.scoping import owned_by
from axolotly.models import ContentReport


def file_report(db: Session, family_id: int, title_id: int, issue_type: str, description: str) -> ContentReport:
    title = get_title(db, title_id)
    report = ContentReport(family_id=family_id, title_id=title.id, issue_type=issue_type,
                           description=description.strip() or None)
    db.add(report)
    db.flush()
    db.refresh(report)
    return report


def family_reports(db: Session, family_id: int) -> list[ContentReport]:
    statement = owned_by(select(ContentReport), ContentReport, family_id).order_by(ContentReport.id.desc())
    return list(db.execute(statement).scalars())


def reports_by_status(db: Session, status: ReportStatus, limit: int, offset: int) -> list[ContentReport]:
    return list(db.execute(
        select(ContentReport).where(ContentReport.status == status)
        .order_by(ContentReport.created_at, ContentReport.id).limit(limit).offset(offset)
    ).scalars())


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
        raise NotFound("Report not found")
    if closed is None:
        raise Conflict(f"Report is already {report.status}")
    return report
