"""The admin console: reports, episode links, content tags, notification emails that failed,
a family's data for a data request, database health."""

from typing import Annotated

from fastapi import APIRouter, Form, Request

from axolotly.accounts.deps import DbSession, WebAdmin
from axolotly.admin import moderation
from axolotly.admin.schemas import TagIn
from axolotly.config import get_settings
from axolotly.enums import ReportStatus
from axolotly.errors import Invalid
from axolotly.exports import family_export
from axolotly.exports.zipstream import zip_response
from axolotly.i18n import N_, gettext, ngettext
from axolotly.notifications import delivery
from axolotly.notifications.schemas import DeliveryId
from axolotly.notifications.words import event_name
from axolotly.reports import service as reports
from axolotly.types import FormId, RowId, Text
from axolotly.web.forms import validated
from axolotly.web.session import CsrfChecked
from axolotly.web.templating import redirect, render

router = APIRouter(prefix="/admin", include_in_schema=False)
CLOSE = {"resolve": ReportStatus.RESOLVED, "dismiss": ReportStatus.DISMISSED}
# The words for the stored identifiers (reports/schemas.py ISSUE_TYPES, enums.ReportStatus).
ISSUE_WORDS = {
    "inappropriate_content": N_("inappropriate content"),
    "wrong_age_rating": N_("wrong age rating"),
    "wrong_episode_data": N_("wrong episode data"),
    "broken_link": N_("broken link"),
    "not_on_service": N_("not on the service"),
    "other": N_("other"),
}
STATUS_WORDS: dict[str, str] = {
    ReportStatus.PENDING: N_("Pending"),
    ReportStatus.RESOLVED: N_("Resolved"),
    ReportStatus.DISMISSED: N_("Dismissed"),
}


def issue_words(issue_type: str) -> str:
    """An issue type in words; one the list does not know yet (an older row) as it is stored."""
    return gettext(ISSUE_WORDS[issue_type]) if issue_type in ISSUE_WORDS else issue_type.replace("_", " ")


def status_words(status: str) -> str:
    return gettext(STATUS_WORDS[status]) if status in STATUS_WORDS else status.capitalize()


def closed_words(status: ReportStatus, count: int) -> str:
    if status == ReportStatus.RESOLVED:
        words = ngettext("%(num)d report resolved", "%(num)d reports resolved", count)
    else:
        words = ngettext("%(num)d report dismissed", "%(num)d reports dismissed", count)
    return words % {"num": count}


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
        failed_deliveries=delivery.deliveries(db, delivery.FAILED, 50),
        event_name=event_name,
        issue_words=issue_words,
        status_words=status_words,
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
        return redirect("/admin", gettext("Unknown action"), kind="error")
    count = reports.close_group(db, title_id, issue_type, CLOSE[action])
    return redirect("/admin#reports", closed_words(CLOSE[action], count))


@router.post("/reports/{report_id}/{action}", dependencies=[CsrfChecked])
def close_report(report_id: RowId, action: str, user: WebAdmin, db: DbSession):
    if action not in CLOSE:
        return redirect("/admin", gettext("Unknown action"), kind="error")
    reports.close_report(db, report_id, CLOSE[action])
    if CLOSE[action] == ReportStatus.RESOLVED:
        return redirect("/admin#reports", gettext("Report %(id)d resolved") % {"id": report_id})
    return redirect("/admin#reports", gettext("Report %(id)d dismissed") % {"id": report_id})


@router.post("/episode-links/{link_id}/verify", dependencies=[CsrfChecked])
def verify_link(link_id: RowId, user: WebAdmin, db: DbSession):
    moderation.verify_link(db, link_id)
    return redirect("/admin#links", gettext("Link verified"))


@router.post("/episode-links/{link_id}/delete", dependencies=[CsrfChecked])
def delete_link(link_id: RowId, request: Request, user: WebAdmin, db: DbSession, confirm: Annotated[Text, Form()] = ""):
    """The console's Delete button lands on a confirmation naming the link; its own button
    (confirm=yes) deletes. Works without JavaScript."""
    if confirm != "yes":
        return render(request, "admin/link_delete.html", user=user, review=moderation.link_under_review(db, link_id))
    moderation.delete_link(db, link_id)
    return redirect("/admin#links", gettext("Link deleted"))


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
        raise Invalid(N_("Send every row of the tag form whole (id, tag, category and description)"))
    edits = []
    for row_id, name, group, text in zip(tag_id, tag, category, description, strict=True):
        if row_id is None and not (name.strip() or group.strip() or text.strip()):
            continue  # the empty "new tag" row
        try:
            body = validated(TagIn, tag=name, category=group.strip() or None, description=text.strip() or None)
        except Invalid as error:
            problem = {"tag": name.strip() or gettext("New tag"), "problem": gettext(error.detail)}
            raise Invalid(gettext("%(tag)s: %(problem)s") % problem) from None
        edits.append(moderation.TagEdit(row_id, body.tag, body.category, body.description))
    added, changed = moderation.save_tags(db, edits)
    saved = [ngettext("%(num)d added", "%(num)d added", added) % {"num": added}] * bool(added)
    saved += [ngettext("%(num)d changed", "%(num)d changed", changed) % {"num": changed}] * bool(changed)
    if not saved:
        return redirect("/admin#tags", gettext("No tag changed"))
    return redirect("/admin#tags", gettext("Tags saved: %(changes)s") % {"changes": ", ".join(saved)})


@router.post("/notification-deliveries/{delivery_id}/retry", dependencies=[CsrfChecked])
def retry_delivery(delivery_id: DeliveryId, user: WebAdmin, db: DbSession):
    delivery.retry(db, delivery_id)
    return redirect("/admin#deliveries", gettext("Email %(id)d queued again") % {"id": delivery_id})


@router.post("/families/export", dependencies=[CsrfChecked])
def export_family(user: WebAdmin, db: DbSession, email: Annotated[Text, Form(max_length=320)]):
    """A family's data for a data request, found by the email of any of its parents (owner or
    co-parent: the request comes from their address); the zip is the one the family downloads,
    and the export is a line of the family's activity list. An unknown email: back with a flash."""
    family_id = family_export.family_of_parent(db, email)
    name = family_export.start_admin_export(db, user, family_id)
    return zip_response(family_export.family_body(db, family_id), name)


@router.get("/db-health")
def db_health(request: Request, user: WebAdmin):
    from axolotly.db.replicas import replica_status
    from axolotly.ops.stats import database_stats

    return render(
        request, "admin/db_health.html", user=user, health=database_stats.snapshot(), replicas=replica_status()
    )
