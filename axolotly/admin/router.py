from typing import Annotated, Literal

from fastapi import APIRouter, FastAPI, Query

from axolotly.accounts.deps import CurrentAdmin, DbSession
from axolotly.admin import moderation
from axolotly.admin.schemas import EpisodeLinkOut, TagIn, TagOut
from axolotly.catalog import packs
from axolotly.catalog.pack_schemas import PackIn, PackOut
from axolotly.config import get_settings
from axolotly.enums import ReportStatus
from axolotly.notifications import delivery
from axolotly.notifications.schemas import DeliveryId, DeliveryOut
from axolotly.reports import service as reports
from axolotly.reports.schemas import (
    AdminReportOut,
    GroupedReportOut,
    ReportGroupClose,
    ReportGroupClosed,
    ReportGroupOut,
)
from axolotly.types import PageOffset, RowId

ADMIN_API = "/api/admin"
router = APIRouter(prefix=ADMIN_API, tags=["admin"])


def unpublish_admin_api_in_production(app: FastAPI) -> None:
    """In production /docs and /openapi.json describe the launcher and parent APIs only: the admin
    API (every route under /api/admin, this router's and e.g. OTA releases) still answers its
    admins, but its map is not handed to whoever asks, nor the schemas only it uses.

    The published document is filtered rather than the routes marked: routers are module-level
    objects shared by every app made in the process."""
    if get_settings().env != "production":
        return
    full_schema = app.openapi

    def public_schema() -> dict:
        return without_admin_api(full_schema())

    app.openapi = public_schema  # type: ignore[method-assign]  # FastAPI's documented override


def without_admin_api(schema: dict) -> dict:
    """A copy of an OpenAPI document without the /api/admin paths and the schemas only they use."""
    paths = {path: item for path, item in schema["paths"].items() if not path.startswith(ADMIN_API + "/")}
    components = schema.get("components", {})
    schemas = components.get("schemas", {})
    used: set[str] = set()
    pending = _schema_refs(paths)
    while pending:
        name = pending.pop()
        if name not in used and name in schemas:
            used.add(name)
            pending |= _schema_refs(schemas[name])
    kept = {name: body for name, body in schemas.items() if name in used}
    return {**schema, "paths": paths, "components": {**components, "schemas": kept}}


def _schema_refs(node) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"].rpartition("/")[2]} if isinstance(node.get("$ref"), str) else set()
        return found.union(*(_schema_refs(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(_schema_refs(value) for value in node))
    return set()


@router.get("/reports", response_model=list[AdminReportOut])
def list_reports(
    admin: CurrentAdmin,
    db: DbSession,
    status: ReportStatus = ReportStatus.PENDING,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[PageOffset, Query()] = 0,
):
    return reports.reports_by_status(db, status, limit, offset)


@router.post("/reports/{report_id}/resolve", response_model=AdminReportOut)
def resolve_report(report_id: RowId, admin: CurrentAdmin, db: DbSession):
    return reports.close_report(db, report_id, ReportStatus.RESOLVED)


@router.post("/reports/{report_id}/dismiss", response_model=AdminReportOut)
def dismiss_report(report_id: RowId, admin: CurrentAdmin, db: DbSession):
    return reports.close_report(db, report_id, ReportStatus.DISMISSED)


@router.get("/report-groups", response_model=list[ReportGroupOut])
def list_report_groups(admin: CurrentAdmin, db: DbSession):
    """Reports of the same title and issue together: groups with pending reports first (longest
    waiting first), then the most recently closed, each report with its family and resolution."""
    return [report_group_out(group) for group in reports.report_groups(db)]


@router.post("/report-groups/resolve", response_model=ReportGroupClosed)
def resolve_report_group(body: ReportGroupClose, admin: CurrentAdmin, db: DbSession):
    return ReportGroupClosed(closed=reports.close_group(db, body.title_id, body.issue_type, ReportStatus.RESOLVED))


@router.post("/report-groups/dismiss", response_model=ReportGroupClosed)
def dismiss_report_group(body: ReportGroupClose, admin: CurrentAdmin, db: DbSession):
    return ReportGroupClosed(closed=reports.close_group(db, body.title_id, body.issue_type, ReportStatus.DISMISSED))


def report_group_out(group: reports.ReportGroup) -> ReportGroupOut:
    return ReportGroupOut(
        title_id=group.title_id,
        title=group.title,
        issue_type=group.issue_type,
        pending=len(group.pending),
        reports=[
            GroupedReportOut(
                **AdminReportOut.model_validate(line.report).model_dump(),
                family=line.family,
                family_email=line.family_email,
            )
            for line in group.lines
        ],
    )


def link_out(row: moderation.LinkUnderReview) -> EpisodeLinkOut:
    link, episode = row.link, row.episode
    return EpisodeLinkOut(
        id=link.id,
        title=row.title.title,
        season=episode.season_number,
        episode=episode.episode_number,
        platform=link.platform,
        url=link.url,
        verified=link.verified,
        reported_count=link.reported_count,
        families=row.families,
        visible_to_kids=row.visible_to_kids,
    )


@router.get("/episode-links", response_model=list[EpisodeLinkOut])
def list_links(
    admin: CurrentAdmin,
    db: DbSession,
    limit: Annotated[int, Query(ge=1, le=200)] = 100,
    offset: Annotated[PageOffset, Query()] = 0,
):
    """Crowd-sourced deep links, most reported first, with how many families reported each and
    whether kids see it."""
    return [link_out(row) for row in moderation.links_to_review(db, limit, offset)]


@router.post("/episode-links/{link_id}/verify", status_code=204)
def verify_link(link_id: RowId, admin: CurrentAdmin, db: DbSession) -> None:
    moderation.verify_link(db, link_id)


@router.delete("/episode-links/{link_id}", status_code=204)
def delete_link(link_id: RowId, admin: CurrentAdmin, db: DbSession) -> None:
    moderation.delete_link(db, link_id)


@router.get("/tags", response_model=list[TagOut])
def list_tags(admin: CurrentAdmin, db: DbSession):
    return moderation.list_tags(db)


@router.post("/tags", response_model=TagOut, status_code=201)
def add_tag(body: TagIn, admin: CurrentAdmin, db: DbSession):
    return moderation.save_tag(db, None, body.tag, body.category, body.description)


@router.put("/tags/{tag_id}", response_model=TagOut)
def edit_tag(tag_id: RowId, body: TagIn, admin: CurrentAdmin, db: DbSession):
    return moderation.save_tag(db, tag_id, body.tag, body.category, body.description)


@router.get("/starter-packs", response_model=list[PackOut])
def list_starter_packs(admin: CurrentAdmin, db: DbSession):
    return [pack.out() for pack in packs.list_packs(db)]


@router.post("/starter-packs", response_model=PackOut, status_code=201)
def add_starter_pack(body: PackIn, admin: CurrentAdmin, db: DbSession):
    return packs.save_pack(db, None, body).out()


@router.put("/starter-packs/{pack_id}", response_model=PackOut)
def edit_starter_pack(pack_id: RowId, body: PackIn, admin: CurrentAdmin, db: DbSession):
    return packs.save_pack(db, pack_id, body).out()


@router.delete("/starter-packs/{pack_id}", status_code=204)
def delete_starter_pack(pack_id: RowId, admin: CurrentAdmin, db: DbSession) -> None:
    packs.delete_pack(db, pack_id)


@router.get("/db-health")
def db_health(admin: CurrentAdmin) -> dict:
    """The database figures of /metrics as JSON, plus the slowest statements and the replicas."""
    from axolotly.db.replicas import replica_status
    from axolotly.ops.stats import database_stats

    return {**database_stats.snapshot(), "replica_status": replica_status()}


@router.get("/notification-deliveries", response_model=list[DeliveryOut])
def list_notification_deliveries(
    admin: CurrentAdmin,
    db: DbSession,
    status: Literal["pending", "sent", "failed"] = "failed",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
):
    """Emails of the notification outbox in one status (every family's), newest first; a failed
    one says why in `last_error` (a closed one that sent nothing says why too)."""
    return [DeliveryOut.of(row) for row in delivery.deliveries(db, status, limit)]


@router.post(
    "/notification-deliveries/{delivery_id}/retry",
    status_code=204,
    responses={404: {"description": "No such delivery"}, 409: {"description": "Not a failed delivery"}},
)
def retry_notification_delivery(delivery_id: DeliveryId, admin: CurrentAdmin, db: DbSession) -> None:
    """Queues a failed delivery again (its tries counted afresh)."""
    delivery.retry(db, delivery_id)
