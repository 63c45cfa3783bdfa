"""The admin console: reports, episode links, content tags, database health."""

from datetime import UTC
from typing import Annotated

from fastapi import APIRouter, Form, Request

from axolotly.accounts.deps import DbSession, WebAdmin
from axolotly.admin import moderation
from axolotly.admin.schemas import TagIn
from axolotly.config import get_settings
from axolotly.enums import ReportStatus
from axolotly.errors import Invalid
from axolotly.reports import service as reports
from axolotly.types import FormId, RowId, Text
from axolotly.web.forms import validated
from axolotly.web.session import CsrfChecked
from axolotly.web.templating import redirect, render

router = APIRouter(prefix="/admin", include_in_schema=False)
CLOSE = {"resolve": ReportStatus.RESOLVED, "dismiss": ReportStatus.DISMISSED}


@router.get("")
def console(request: Request, user: WebAdmin, db: DbSession):
    return render(
        request,
        "admin/console.html",
        user=user,
        groups=reports.report_groups(db),
        links=moderation.links_to_review(db, 50),
        link_min_families=get_settings().link_min_families,
        tags=moderation.list_tags(db),
        utc=UTC,
    )


@router.post("/report-groups/{action}", dependencies=[CsrfChecked])
def close_report_group(
    action: str,
    user: WebAdmin,
    db: DbSession,
    title_id: Annotated[RowId, Form()],
    issue_type: Annotated[Text, Form(max_length=100)],
):
    """Resolves or dismisses every pending report of one title and issue (the console's groups)."""
    if action not in CLOSE:
        return redirect("/admin", "Unknown action", kind="error")
    count = reports.close_group(db, title_id, issue_type, CLOSE[action])
    return redirect("/admin#reports", f"{count} report{'s' if count != 1 else ''} {CLOSE[action]}")


@router.post("/reports/{report_id}/{action}", dependencies=[CsrfChecked])
def close_report(report_id: RowId, action: str, user: WebAdmin, db: DbSession):
    if action not in CLOSE:
        return redirect("/admin", "Unknown action", kind="error")
    reports.close_report(db, report_id, CLOSE[action])
    return redirect("/admin#reports", f"Report {report_id} {CLOSE[action]}")


@router.post("/episode-links/{link_id}/verify", dependencies=[CsrfChecked])
def verify_link(link_id: RowId, user: WebAdmin, db: DbSession):
    moderation.verify_link(db, link_id)
    return redirect("/admin#links", "Link verified")


@router.post("/episode-links/{link_id}/delete", dependencies=[CsrfChecked])
def delete_link(link_id: RowId, request: Request, user: WebAdmin, db: DbSession, confirm: Annotated[Text, Form()] = ""):
    """The console's Delete button lands on a confirmation naming the link; its own button
    (confirm=yes) deletes. Works without JavaScript."""
    if confirm != "yes":
        return render(request, "admin/link_delete.html", user=user, review=moderation.link_under_review(db, link_id))
    moderation.delete_link(db, link_id)
    return redirect("/admin#links", "Link deleted")


@router.post("/tags", dependencies=[CsrfChecked])
def save_tags(
    user: WebAdmin,
    db: DbSession,
    tag_id: Annotated[list[FormId] | None, Form()] = None,
    tag: Annotated[list[Text] | None, Form()] = None,
    category: Annotated[list[Text] | None, Form()] = None,
    description: Annotated[list[Text] | None, Form()] = None,
):
    """The one tag form: a row per tag (tag_id set) and a row for a new tag (tag_id blank; left
    empty, it adds nothing). Rows are saved together or not at all."""
    tag_id, tag, category, description = tag_id or [], tag or [], category or [], description or []
    if not len(tag_id) == len(tag) == len(category) == len(description):
        raise Invalid("Send every row of the tag form whole (id, tag, category and description)")
    edits = []
    for row_id, name, group, text in zip(tag_id, tag, category, description, strict=True):
        if row_id is None and not (name.strip() or group.strip() or text.strip()):
            continue  # the empty "new tag" row
        try:
            body = validated(TagIn, tag=name, category=group.strip() or None, description=text.strip() or None)
        except Invalid as error:
            raise Invalid(f"{name.strip() or 'New tag'}: {error.detail}") from None
        edits.append(moderation.TagEdit(row_id, body.tag, body.category, body.description))
    added, changed = moderation.save_tags(db, edits)
    saved = [f"{added} added"] * bool(added) + [f"{changed} changed"] * bool(changed)
    return redirect("/admin#tags", f"Tags saved: {', '.join(saved)}" if saved else "No tag changed")


@router.get("/db-health")
def db_health(request: Request, user: WebAdmin):
    from axolotly.db.replicas import replica_status
    from axolotly.ops.stats import database_stats

    return render(
        request, "admin/db_health.html", user=user, health=database_stats.snapshot(), replicas=replica_status()
    )
