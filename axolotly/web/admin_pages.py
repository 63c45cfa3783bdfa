"""The admin console: reports, episode links, content tags, database health."""

from typing import Annotated

from fastapi import APIRouter, Form, Request

from axolotly.accounts.deps import DbSession, WebAdmin
from axolotly.admin import moderation
from axolotly.admin.schemas import TagIn
from axolotly.catalog import service as catalog
from axolotly.config import get_settings
from axolotly.enums import ReportStatus
from axolotly.reports import service as reports
from axolotly.types import FormId, RowId, Text
from axolotly.web.forms import validated
from axolotly.web.session import CsrfChecked
from axolotly.web.templating import redirect, render

router = APIRouter(prefix="/admin", include_in_schema=False)
CLOSE = {"resolve": ReportStatus.RESOLVED, "dismiss": ReportStatus.DISMISSED}


@router.get("")
def console(request: Request, user: WebAdmin, db: DbSession):
    pending = reports.reports_by_status(db, ReportStatus.PENDING, 100, 0)
    return render(request, "admin/console.html", user=user, reports=pending, links=moderation.links_to_review(db, 50),
                  link_min_families=get_settings().link_min_families, tags=moderation.list_tags(db),
                  names=catalog.title_names(db, {report.title_id for report in pending}))


@router.post("/reports/{report_id}/{action}", dependencies=[CsrfChecked])
def close_report(report_id: RowId, action: str, user: WebAdmin, db: DbSession):
    if action not in CLOSE:
        return redirect("/admin", "Unknown action", kind="error")
    reports.close_report(db, report_id, CLOSE[action])
    return redirect("/admin", f"Report {report_id} {CLOSE[action]}")


@router.post("/episode-links/{link_id}/verify", dependencies=[CsrfChecked])
def verify_link(link_id: RowId, user: WebAdmin, db: DbSession):
    moderation.verify_link(db, link_id)
    return redirect("/admin#links", "Link verified")


@router.post("/episode-links/{link_id}/delete", dependencies=[CsrfChecked])
def delete_link(link_id: RowId, request: Request, user: WebAdmin, db: DbSession,
                confirm: Annotated[Text, Form()] = ""):
    """The console's Delete button lands on a confirmation naming the link; its own button
    (confirm=yes) deletes. Works without JavaScript."""
    if confirm != "yes":
        return render(request, "admin/link_delete.html", user=user, review=moderation.link_under_review(db, link_id))
    moderation.delete_link(db, link_id)
    return redirect("/admin#links", "Link deleted")


@router.post("/tags", dependencies=[CsrfChecked])
def save_tag(user: WebAdmin, db: DbSession, tag: Annotated[Text, Form()], category: Annotated[Text, Form()] = "",
             description: Annotated[Text, Form()] = "", tag_id: Annotated[FormId, Form()] = None):
    body = validated(TagIn, tag=tag, category=category.strip() or None, description=description.strip() or None)
    moderation.save_tag(db, tag_id, body.tag, body.category, body.description)
    return redirect("/admin#tags", f"Tag {body.tag} saved")


@router.get("/db-health")
def db_health(request: Request, user: WebAdmin):
    from axolotly.db.replicas import replica_status
    from axolotly.ops.stats import database_stats

    return render(request, "admin/db_health.html", user=user, health=database_stats.snapshot(),
                  replicas=replica_status())
