from typing import Annotated, Literal

from fastapi import APIRouter, Query

from axolotly.accounts.deps import CurrentAdmin, DbSession
from axolotly.reports import service as reports
from axolotly.reports.schemas import AdminReportOut

router = APIRouter(prefix="/api/admin", tags=["admin"])


@router.get("/reports", response_model=list[AdminReportOut])
def list_reports(
    admin: CurrentAdmin, db: DbSession,
    status: Literal["pending", "resolved", "dismissed"] = "pending",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
):
    return reports.reports_by_status(db, status, limit, offset)


@router.post("/reports/{report_id}/resolve", response_model=AdminReportOut)
def resolve_report(report_id: int, admin: CurrentAdmin, db: DbSession):
    return reports.close_report(db, report_id, "resolved")


@router.post("/reports/{report_id}/dismiss", response_model=AdminReportOut)
def dismiss_report(report_id: int, admin: CurrentAdmin, db: DbSession):
    return reports.close_report(db, report_id, "dismissed")


@router.get("/db-health")
def db_health(admin: CurrentAdmin) -> dict:
    """The database figures of /metrics as JSON, plus the slowest statements and the replicas."""
    from axolotly.db.replicas import replica_status
    from axolotly.ops.stats import database_stats

    return {**database_stats.snapshot(), "replica_status": replica_status()}
