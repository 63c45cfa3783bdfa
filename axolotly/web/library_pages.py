"""The family library and each kid's rules: add and remove titles (with a confirmation that names
the rules that go and shows what each kid would stop seeing), the rules form and its presets (each
previewed before it is saved: policies/preview.py), and "What Emma can watch"."""

from collections.abc import Sequence
from typing import Annotated, Any, NamedTuple

from fastapi import APIRouter, Depends, Form, Request

from axolotly.accounts.deps import DbSession
from axolotly.admin import moderation
from axolotly.catalog import service as catalog
from axolotly.catalog.tags import spoken_tags
from axolotly.errors import DomainError, Invalid, NotFound
from axolotly.families import kids, library, members, rules
from axolotly.families import requests as title_requests
from axolotly.families.context import FamilyContext
from axolotly.families.deps import WebFamily, WebOwnedKid
from axolotly.i18n import gettext, ngettext
from axolotly.policies import preview
from axolotly.policies import service as policies
from axolotly.policies.evaluate import Decision, Reason
from axolotly.types import FormCount, FormText, RowId, Text
from axolotly.web.session import CsrfChecked
from axolotly.web.templating import fragment_refused, redirect, render, same_site_path

router = APIRouter(include_in_schema=False)


def vocabulary(db) -> dict:
    """Content tags by name, so pages show a tag's words (and its description), never its code."""
    return {tag.tag: tag for tag in moderation.list_tags(db)}


def kids_page(request: Request, db, family: FamilyContext, **shown):
    """The kids page, each kid's rules form with the caps and presets of the family country's
    scales; `shown`: what a preview adds (the proposed rules and their previews)."""
    context: dict[str, Any] = {
        "user": family.user,
        "kids": kids.list_kids(db, family.id),
        "locks": kids.current_locks(db, family.id),
        **rules.form_options(db, family.id),
        "tag_groups": moderation.tags_by_category(db),
        "rules_of": rules.kid_rules,
        "describe": rules.describe,
    }
    return render(request, "kids.html", **context, **shown)


def spoken_list(names: list[str]) -> str:
    if len(names) == 1:
        return names[0]
    return gettext("%(names)s and %(last)s") % {"names": ", ".join(names[:-1]), "last": names[-1]}


# -- the library --------------------------------------------------------------------------------


@router.get("/family/library")
def library_page(request: Request, family: WebFamily, db: DbSession):
    parents = {member.user_id: member.name for member in members.members(db, family.id)}
    return render(
        request,
        "library.html",
        user=family.user,
        entries=library.list_library(db, family.id),
        parents=parents,
        vocabulary=vocabulary(db),
    )


@router.post("/family/library/{title_id}", dependencies=[CsrfChecked])
def add_to_library(title_id: RowId, request: Request, family: WebFamily, db: DbSession):
    library.add_to_library(db, family, title_id)
    title = catalog.get_title(db, title_id)
    return redirect(same_site_path(request, "/family/library"), in_library_words(title.title))


def in_library_words(name: str) -> str:
    return gettext("“%(title)s” is in your library") % {"title": name}


def _library_title(db, family_id: int, title_id: int):
    title = catalog.get_title(db, title_id)
    if not library.in_library(db, family_id, title.id):
        raise NotFound(gettext("Title not in the family library"))
    return title


@router.get("/family/library/{title_id}/remove")
def confirm_remove(title_id: RowId, request: Request, family: WebFamily, db: DbSession):
    title = _library_title(db, family.id, title_id)
    losing = library.titles_losing_rules(db, family.id, title.id)
    return render(
        request,
        "library_remove.html",
        user=family.user,
        title=title,
        losing=spoken_list(losing) if losing else "",
        previews=preview.preview_removal(db, family, title.id),
    )


@router.post("/family/library/{title_id}/remove", dependencies=[CsrfChecked])
def remove_from_library(title_id: RowId, family: WebFamily, db: DbSession):
    title = catalog.get_title(db, title_id)
    dropped = library.remove_from_library(db, family, title.id)
    if not dropped:
        return redirect("/family/library", gettext("Removed “%(title)s”") % {"title": title.title})
    removed = ngettext(
        "Removed “%(title)s” and %(num)d rule on it", "Removed “%(title)s” and %(num)d rules on it", dropped
    )
    return redirect("/family/library", removed % {"title": title.title, "num": dropped})


# -- a kid's rules --------------------------------------------------------------------------------


class RulesForm(NamedTuple):
    mode: str
    max_movie_rating: str | None
    max_tv_rating: str | None
    block_unrated: bool
    blocked_tags: list[str]
    preset: int | None  # one of the preset buttons (the youngest age of its band), instead of the fields

    def fields(self) -> tuple[str, str | None, str | None, bool, list[str]]:
        """The rules as set_rules takes them, in its order."""
        return self.mode, self.max_movie_rating, self.max_tv_rating, self.block_unrated, self.blocked_tags


def rules_form(
    mode: FormText = "",
    max_movie_rating: FormText = "",
    max_tv_rating: FormText = "",
    block_unrated: FormText = "",
    blocked_tags: Annotated[list[Text] | None, Form()] = None,
    preset: Annotated[FormCount, Form()] = None,
) -> RulesForm:
    """The rules form's fields, or one of its preset buttons, as the save and the preview read them."""
    if preset is None and block_unrated not in ("", "on"):
        raise Invalid(gettext("Block unrated: tick the box or leave it empty"))
    blocked = blocked_tags or []
    return RulesForm(mode, max_movie_rating or None, max_tv_rating or None, block_unrated == "on", blocked, preset)


RulesFormFields = Annotated[RulesForm, Depends(rules_form)]


@router.post("/family/kids/{kid_id}/rules", dependencies=[CsrfChecked])
def save_rules(kid: WebOwnedKid, db: DbSession, form: RulesFormFields):
    """The rules form, or one of its preset buttons (rules mode and that age's rating caps; the
    kid's blocked tags stay, since no preset knows what a family wants to avoid). A newly blocked
    tag that no title of the library carries is saved, and the message says it hides nothing yet."""
    blocked_before = set(kid.blocked_tags)
    if form.preset is not None:
        rules.set_preset(db, kid, form.preset)
    else:
        rules.set_rules(db, kid, *form.fields())
    saved = gettext("Saved %(name)s's rules: %(rules)s.") % {
        "name": kid.name,
        "rules": rules.describe(rules.kid_rules(kid)),
    }
    newly_blocked = sorted(set(kid.blocked_tags) - blocked_before)
    idle = set(newly_blocked) - rules.tags_in_library(db, kid.family_id, newly_blocked)
    if idle:
        idle_words = gettext("No title in your library carries %(tags)s yet.") % {"tags": spoken_tags(idle, "or")}
        saved = f"{saved} {idle_words}"
    return redirect(f"/family/kids#kid-{kid.id}", saved)


def _preview_rules(db, kid, form: RulesForm) -> preview.RulesPreview:
    if form.preset is not None:
        return preview.preview_preset(db, kid, form.preset)
    return preview.preview_rules(db, kid, *form.fields())


@router.post("/family/kids/{kid_id}/rules/preview", dependencies=[CsrfChecked])
def preview_rules(kid: WebOwnedKid, request: Request, family: WebFamily, db: DbSession, form: RulesFormFields):
    """The kids page again, the kid's form holding the proposed rules (a preset's, for a preset
    button) with what they would change in the kid's launcher under it; nothing is saved."""
    previewed = _preview_rules(db, kid, form)
    return kids_page(request, db, family, proposed={kid.id: previewed.proposed}, previews={kid.id: [previewed.kid]})


@router.post("/family/kids/{kid_id}/rules/preview-panel", dependencies=[CsrfChecked])
def preview_rules_panel(kid: WebOwnedKid, request: Request, db: DbSession, form: RulesFormFields):
    """The preview alone, for static/preview.js to put under the form as the parent changes it."""
    try:
        previewed = _preview_rules(db, kid, form)
    except DomainError as error:
        return fragment_refused(error)
    return render(request, "_preview.html", fragment=True, previews=[previewed.kid])


# Why a kid sees nothing: each reason a library title is hidden, in words, with what fixes it.
RULES_HIDE = {Reason.ABOVE_LIMIT, Reason.UNRATED, Reason.TAG_BLOCKED}


def why_nothing_visible(kid, hidden: Sequence[tuple[object, Decision]]) -> list[tuple[str, str, str]]:
    """(sentence, link, link words) for each reason the kid's titles are hidden, most titles first."""
    if not hidden:
        return [
            (
                gettext("Your library is empty, so there is nothing to show yet."),
                "/catalog",
                gettext("Find titles in the catalog"),
            )
        ]
    counts: dict[str, int] = {}
    for _, decision in hidden:
        key = "rules" if decision.reason in RULES_HIDE else decision.reason.value
        counts[key] = counts.get(key, 0) + 1
    rules_link = f"/family/kids#kid-{kid.id}"
    name = {"name": kid.name}
    fixes = {
        Reason.NO_POLICY.value: (
            gettext("%(name)s sees only the titles you allow one by one, and you have allowed none of these yet.")
            % name,
            rules_link,
            gettext("Let %(name)s see every library title that fits their rules") % name,
        ),
        "rules": (
            gettext("%(name)s's rules hide these titles.") % name,
            rules_link,
            gettext("Change %(name)s's rules") % name,
        ),
        Reason.DENIED.value: (
            gettext("You said no to these titles for %(name)s.") % name,
            "/family/library",
            gettext("Open your library"),
        ),
        Reason.NOT_ON_YOUR_SERVICES.value: (
            gettext("These titles are not on any of the services you chose."),
            "/family/services",
            gettext("Choose your services"),
        ),
        Reason.NOT_STREAMING.value: (
            gettext("No streaming service is known to carry these titles."),
            "/catalog",
            gettext("Find titles that stream"),
        ),
        Reason.NOT_IN_LIBRARY.value: (
            gettext("These titles are not in your library."),
            "/family/library",
            gettext("Open your library"),
        ),
    }
    reasons = sorted(counts, key=lambda key: -counts[key])
    return [
        (
            ngettext("%(num)d title: %(reason)s", "%(num)d titles: %(reason)s", counts[key])
            % {"num": counts[key], "reason": fixes[key][0]},
            fixes[key][1],
            fixes[key][2],
        )
        for key in reasons
        if key in fixes
    ]


@router.get("/family/kids/{kid_id}/watch")
def what_kid_can_watch(kid: WebOwnedKid, request: Request, family: WebFamily, db: DbSession):
    visible, hidden = policies.what_kid_can_watch(db, kid)
    return render(
        request,
        "kid_watch.html",
        user=family.user,
        kid=kid,
        visible=visible,
        hidden=hidden,
        described=rules.describe(rules.kid_rules(kid)),
        empty_reasons=[] if visible else why_nothing_visible(kid, hidden),
        sees_ask_list=title_requests.sees_ask_list(kid),
    )
