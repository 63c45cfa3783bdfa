"""Starter packs: the admin curates them (/admin/starter-packs), a parent applies one to the
family library (/catalog/packs), optionally allowing its titles for chosen kids."""

from typing import Annotated

from fastapi import APIRouter, Form, Request

from axolotly.accounts.deps import DbSession, WebAdmin
from axolotly.catalog import packs
from axolotly.catalog import service as catalog
from axolotly.catalog.pack_schemas import PackIn
from axolotly.families import kids
from axolotly.families.deps import WebFamily
from axolotly.families.library import library_title_ids
from axolotly.families.packs import apply_pack
from axolotly.i18n import gettext, ngettext
from axolotly.types import FormCount, FormText, RowId
from axolotly.web.forms import validated
from axolotly.web.session import CsrfChecked
from axolotly.web.templating import redirect, render

router = APIRouter(include_in_schema=False)
TitleIds = Annotated[list[RowId] | None, Form()]
FormAge = Annotated[FormCount, Form()]
CATALOG_CHOICES = 2000  # the titles an admin picks from (the offline catalog is far smaller)


@router.get("/admin/starter-packs")
def admin_packs_page(request: Request, user: WebAdmin, db: DbSession):
    return render(
        request,
        "admin/starter_packs.html",
        user=user,
        packs=packs.list_packs(db),
        titles=catalog.list_titles(db, None, CATALOG_CHOICES, 0),
    )


def _pack_form(
    name: str, description: str, min_age: int | None, max_age: int | None, title_ids: list[int] | None
) -> PackIn:
    return validated(
        PackIn, name=name, description=description, min_age=min_age, max_age=max_age, title_ids=title_ids or []
    )


@router.post("/admin/starter-packs", dependencies=[CsrfChecked])
def add_pack(
    user: WebAdmin,
    db: DbSession,
    name: FormText,
    description: FormText = "",
    min_age: FormAge = None,
    max_age: FormAge = None,
    title_ids: TitleIds = None,
):
    pack = packs.save_pack(db, None, _pack_form(name, description, min_age, max_age, title_ids))
    added = ngettext(
        "Starter pack “%(name)s” added (%(num)d title)",
        "Starter pack “%(name)s” added (%(num)d titles)",
        len(pack.titles),
    )
    return redirect("/admin/starter-packs", added % {"name": pack.pack.name, "num": len(pack.titles)})


@router.post("/admin/starter-packs/{pack_id}", dependencies=[CsrfChecked])
def edit_pack(
    pack_id: RowId,
    user: WebAdmin,
    db: DbSession,
    name: FormText,
    description: FormText = "",
    min_age: FormAge = None,
    max_age: FormAge = None,
    title_ids: TitleIds = None,
):
    # The list offers titles in catalog order: keep the pack's own order for those still chosen.
    chosen = set(title_ids or [])
    kept = [title_id for title_id in packs.get_pack(db, pack_id).title_ids if title_id in chosen]
    ordered = kept + [title_id for title_id in title_ids or [] if title_id not in kept]
    pack = packs.save_pack(db, pack_id, _pack_form(name, description, min_age, max_age, ordered))
    saved = ngettext(
        "Starter pack “%(name)s” saved (%(num)d title)",
        "Starter pack “%(name)s” saved (%(num)d titles)",
        len(pack.titles),
    )
    return redirect("/admin/starter-packs", saved % {"name": pack.pack.name, "num": len(pack.titles)})


@router.post("/admin/starter-packs/{pack_id}/delete", dependencies=[CsrfChecked])
def delete_pack(pack_id: RowId, user: WebAdmin, db: DbSession):
    name = packs.delete_pack(db, pack_id)
    return redirect("/admin/starter-packs", gettext("Starter pack “%(name)s” deleted") % {"name": name})


@router.get("/catalog/packs")
def packs_page(request: Request, family: WebFamily, db: DbSession):
    return render(
        request,
        "packs.html",
        user=family.user,
        packs=packs.list_packs(db),
        kids=kids.list_kids(db, family.id),
        library=library_title_ids(db, family.id),
    )


@router.post("/catalog/packs/{pack_id}/apply", dependencies=[CsrfChecked])
def apply(pack_id: RowId, family: WebFamily, db: DbSession, kid: Annotated[list[RowId] | None, Form()] = None):
    applied = apply_pack(db, family, pack_id, kid or [])
    names = {k.id: k.name for k in kids.list_kids(db, family.id)}
    message = ngettext(
        "%(added)d of %(num)d title was new in your library.",
        "%(added)d of %(num)d titles were new in your library.",
        applied.titles,
    ) % {"added": applied.added, "num": applied.titles}
    if applied.allowed:
        allowed = ", ".join(
            ngettext("%(name)s (%(num)d new)", "%(name)s (%(num)d new)", count) % {"name": names[kid_id], "num": count}
            for kid_id, count in applied.allowed.items()
        )
        message += " " + gettext("Allowed for %(kids)s.") % {"kids": allowed}
    return redirect("/catalog/packs", message)
