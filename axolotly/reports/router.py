from fastapi import APIRouter, status

from axolotly.accounts.deps import DbSession
from axolotly.families.deps import CurrentFamily
from axolotly.reports import service
from axolotly.reports.schemas import ISSUE_TYPES, ReportCreate, ReportOut

router = APIRouter(prefix="/api/parent/reports", tags=["reports"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ReportOut)
def file_report(body: ReportCreate, family: CurrentFamily, db: DbSession):
    return service.file_report(db, family.id, body.title_id, body.issue_type, body.description)


@router.get("", response_model=list[ReportOut])
def my_reports(family: CurrentFamily, db: DbSession):
    """This family's reports, newest first, with their status."""
    return service.family_reports(db, family.id)


@router.get("/issue-types", response_model=list[str])
def issue_types():
    return list(ISSUE_TYPES)
