"""The family library and each kid's rules: add and remove titles (with a confirmation that names
the rules that go), the rules form and its presets, and "What Emma can watch"."""

from typing import Annotated

from fastapi import APIRouter, Form, Request

from axolotly.accounts.deps import DbSession
from axolotly.admin import moderation
from axolotly.catalog import service as catalog
from axolotly.errors import Invalid, NotFound
from axolotly.families import library, members, presets, rules
from axolotly.families.deps import WebFamily, WebOwnedKid
from axolotly.policies import service as policies
from axolotly.policies.evaluate import MOVIE_RATINGS, RULES, TV_RATINGS
from axolotly.types import FormCount, FormText, RowId, Text
from axolotly.web.session import CsrfChecked
from axolotly.web.templating import redirect, render, same_site_path

router = APIRouter(include_in_schema=False)


def vocabulary(db) -> dict:
    """Content tags by name, so pages show a tag's words (and its description), never its code."""
    return {tag.tag: tag for tag in moderation.list_tags(db)}


def rules_form_context(db) -> dict:
    """What the kids page needs to draw each kid's rules form."""
    return {
        "movie_ratings": MOVIE_RATINGS,
        "tv_ratings": TV_RATINGS,
        "presets": presets.PRESETS,
        "tag_groups": moderation.tags_by_category(db),
        "rules_of": rules.kid_rules,
        "describe": rules.describe,
    }


def spoken_list(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


# -- the library --------------------------------------------------------------------------------


@router.get("/family/library")
def library_page(request: Request, family: WebFamily, db: DbSession):
    parents = {member.user_id: member.email for member in members.members(db, family.id)}
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
    return redirect(same_site_path(request, "/family/library"), f"“{title.title}” is in your library")


def _library_title(db, family_id: int, title_id: int):
    title = catalog.get_title(db, title_id)
    if not library.in_library(db, family_id, title.id):
        raise NotFound("Title not in the family library")
    return title


@router.get("/family/library/{title_id}/remove")
def confirm_remove(title_id: RowId, request: Request, family: WebFamily, db: DbSession):
    title = _library_title(db, family.id, title_id)
    losing = library.titles_losing_rules(db, family.id, title.id)
    return render(
        request, "library_remove.html", user=family.user, title=title, losing=spoken_list(losing) if losing else ""
    )


@router.post("/family/library/{title_id}/remove", dependencies=[CsrfChecked])
def remove_from_library(title_id: RowId, family: WebFamily, db: DbSession):
    title = catalog.get_title(db, title_id)
    dropped = library.remove_from_library(db, family, title.id)
    return redirect(
        "/family/library", f"Removed “{title.title}”" + (f" and {dropped} rule(s) on it" if dropped else "")
    )


# -- a kid's rules --------------------------------------------------------------------------------


@router.post("/family/kids/{kid_id}/rules", dependencies=[CsrfChecked])
def save_rules(
    kid: WebOwnedKid,
    db: DbSession,
    mode: FormText = "",
    max_movie_rating: FormText = "",
    max_tv_rating: FormText = "",
    block_unrated: FormText = "",
    blocked_tags: Annotated[list[Text] | None, Form()] = None,
    preset: Annotated[FormCount, Form()] = None,
):
    """The rules form, or one of its preset buttons (rules mode and that age's rating caps; the
    kid's blocked tags stay, since no preset knows what a family wants to avoid)."""
    if preset is not None:
        if preset not in {lowest for lowest, _ in presets.PRESETS}:
            raise Invalid("Unknown preset")
        chosen = presets.preset_for_age(preset)
        rules.set_rules(
            db, kid, RULES, chosen["max_movie_rating"], chosen["max_tv_rating"], True, sorted(kid.blocked_tags)
        )
    elif block_unrated not in ("", "on"):
        raise Invalid("Block unrated: tick the box or leave it empty")
    else:
        rules.set_rules(
            db, kid, mode, max_movie_rating or None, max_tv_rating or None, block_unrated == "on", blocked_tags or []
        )
    return redirect(f"/family/kids#kid-{kid.id}", f"Saved {kid.name}'s rules: {rules.describe(rules.kid_rules(kid))}")


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
    )
