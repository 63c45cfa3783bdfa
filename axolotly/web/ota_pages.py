"""The admin's launcher releases: publish an APK, then steer its rollout (ota/service.py)."""

from typing import Annotated, Literal

from fastapi import APIRouter, Form, Request

from axolotly.accounts.deps import DbSession, WebAdmin
from axolotly.i18n import gettext
from axolotly.ota import service as ota
from axolotly.ota.schemas import CHANNELS, ReleaseCreate, ReleaseUpdate
from axolotly.types import FormText, RowId
from axolotly.web.forms import validated
from axolotly.web.session import CsrfChecked
from axolotly.web.templating import redirect, render

router = APIRouter(prefix="/admin/releases", include_in_schema=False)
Checkbox = Annotated[Literal["", "on"], Form()]  # sent ("on") only when ticked


@router.get("")
def releases_page(request: Request, user: WebAdmin, db: DbSession):
    return render(
        request,
        "admin/releases.html",
        user=user,
        channels=CHANNELS,
        releases=ota.list_releases(db, None, limit=200, offset=0),
    )


@router.post("", dependencies=[CsrfChecked])
def publish(
    user: WebAdmin,
    db: DbSession,
    version_name: FormText,
    version_code: FormText,
    apk_url: FormText,
    sha256: FormText,
    channel: FormText = "production",
    min_version_code: FormText = "",
    release_notes: FormText = "",
    rollout_percentage: FormText = "",
    active: Checkbox = "",
):
    fields = dict(
        version_name=version_name,
        version_code=version_code,
        apk_url=apk_url,
        sha256=sha256,
        channel=channel,
        min_version_code=min_version_code,
        release_notes=release_notes,
        rollout_percentage=rollout_percentage,
    )
    # Blank fields take the API's defaults; a checkbox is sent only when ticked.
    body = validated(
        ReleaseCreate, **{name: value for name, value in fields.items() if value.strip()}, active=bool(active)
    )
    release = ota.publish(db, body)
    published = {"name": release.version_name, "code": release.version_code, "channel": release.channel}
    return redirect("/admin/releases", gettext("Published %(name)s (%(code)d) on %(channel)s") % published)


@router.post("/{release_id}", dependencies=[CsrfChecked])
def edit(
    release_id: RowId,
    user: WebAdmin,
    db: DbSession,
    rollout_percentage: FormText,
    min_version_code: FormText = "",
    release_notes: FormText = "",
    active: Checkbox = "",
):
    # The form shows every field, so each is sent: a blank minimum means none (0), blank notes none.
    body = validated(
        ReleaseUpdate,
        rollout_percentage=rollout_percentage,
        min_version_code=min_version_code.strip() or 0,
        release_notes=release_notes,
        active=bool(active),
    )
    release = ota.update_release(db, release_id, body.model_dump(exclude_none=True))
    saved = {"name": release.version_name, "percent": release.rollout_percentage}
    if release.active:
        return redirect("/admin/releases", gettext("Saved %(name)s: active, rollout %(percent)d %%") % saved)
    return redirect("/admin/releases", gettext("Saved %(name)s: inactive, rollout %(percent)d %%") % saved)
