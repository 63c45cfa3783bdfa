"""Catalog pages: search, add a title to the library, allow/deny it per kid (an allow for good or
for a while: policies/until.py) with its blocked episodes (one form), what an allow would change
before it is saved (policies/preview.py), and "Why?"."""

from datetime import datetime
from typing import Annotated, Any

from babel.lists import format_list
from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from axolotly.accounts.deps import DbSession
from axolotly.catalog import service as catalog
from axolotly.catalog.deps import PageFamilyBeforeTmdb, Source, Transactions
from axolotly.catalog.schemas import ImportTitle
from axolotly.catalog.sources import CatalogTitle
from axolotly.enums import MediaType, PolicyKind
from axolotly.errors import DomainError, Invalid
from axolotly.families import kids, library
from axolotly.families.context import FamilyContext
from axolotly.families.deps import WebFamily, WebOwnedKid
from axolotly.i18n import N_, current_locale, gettext, ngettext
from axolotly.policies import preview
from axolotly.policies import service as policies
from axolotly.policies import until as allow_until
from axolotly.policies.evaluate import ALLOWED_UNTIL_PATH, Moment, Words
from axolotly.types import FormId, RowId, Text
from axolotly.web.forms import validated
from axolotly.web.library_pages import in_library_words, vocabulary
from axolotly.web.session import CsrfChecked
from axolotly.web.templating import fragment_refused, redirect, render

router = APIRouter(include_in_schema=False)
POLICIES = (*PolicyKind, "")  # "": no rule


POPULAR_ON_LANDING = 12
# The US TV Parental Guidelines' content descriptors (ratings/scales.py reads them off "TV-PG-LV"),
# in a parent's words.
DESCRIPTOR_WORDS = {
    "D": N_("suggestive dialogue"),
    "L": N_("coarse language"),
    "S": N_("sexual situations"),
    "V": N_("violence"),
    "FV": N_("fantasy violence"),
}
# The country of `titles.certification`, the rating the title's facts show unlabelled.
SHOWN_COUNTRY = "US"


@router.get("/catalog")
async def catalog_page(
    request: Request,
    family: PageFamilyBeforeTmdb,
    transactions: Transactions,
    source: Source,
    q: Text = "",
    media_type: Text = "",
):
    """Search results for `q`; without one, the landing page: the family library and the titles
    popular with families that the library lacks. TMDB is asked before the page's transaction."""
    q = q.strip()[:200]
    kind = MediaType(media_type) if media_type in (MediaType.MOVIE, MediaType.TV) else None
    found = await catalog.ask_source(source, q, kind) if q else []
    return await transactions.run(lambda db: _catalog_page(request, family, db, q, kind, found))


def _catalog_page(
    request: Request, family: FamilyContext, db, q: str, kind: MediaType | None, found: list[CatalogTitle]
) -> HTMLResponse:
    in_library = library.library_title_ids(db, family.id)
    context: dict[str, Any] = {"hits": [], "library": [], "popular": []}
    if q:
        context["hits"] = catalog.search_hits(db, q, found, kind)
    else:
        context["library"] = library.list_library(db, family.id)
        context["popular"] = [
            catalog.hit_of(title) for title in catalog.popular_titles(db, POPULAR_ON_LANDING, leave_out=in_library)
        ]
    return render(
        request,
        "catalog.html",
        user=family.user,
        q=q,
        media_type=kind or "",
        searchable=catalog.searchable(q),
        in_library=in_library,
        vocabulary=vocabulary(db),
        **context,
    )


@router.post("/catalog/titles", dependencies=[CsrfChecked])
async def add_title(
    family: PageFamilyBeforeTmdb,
    transactions: Transactions,
    source: Source,
    tmdb_id: Annotated[Text, Form()],
    media_type: Annotated[str, Form()],
):
    body = validated(ImportTitle, tmdb_id=tmdb_id.strip() or None, media_type=media_type)
    item = await catalog.ask_source_for_title(source, body.media_type, body.tmdb_id)  # before the transaction

    def store(db) -> RedirectResponse:
        title = catalog.upsert_title(db, item)
        library.add_to_library(db, family, title.id)
        return redirect(f"/catalog/titles/{title.id}", in_library_words(title.title))

    return await transactions.run(store, acting_for=family)


@router.get("/catalog/titles/{title_id}")
def title_page(
    title_id: RowId,
    request: Request,
    family: WebFamily,
    db: DbSession,
    kid: RowId | None = None,
    preview_for: Annotated[RowId | None, Query(alias="preview")] = None,
):
    """The title, who may watch it and its episodes. `preview`: the kid whose "What allowing it
    would change" comes filled in (the page's link for a browser without static/preview.js)."""
    title = catalog.get_title(db, title_id)
    family_kids = kids.list_kids(db, family.id)
    rules = policies.rules_for_title(db, family.id, title.id)
    episodes = catalog.episodes_of(db, title.id) if title.media_type == MediaType.TV else []
    allowed = [k for k in family_kids if rules.get(k.id) and rules[k.id].policy == PolicyKind.ALLOW]
    chosen = next((k for k in allowed if k.id == kid), allowed[0] if allowed else None)
    seasons: dict[int, list] = {}
    for episode in episodes:
        seasons.setdefault(episode.season_number, []).append(episode)
    zone = policies.family_time_zone(db, family.id)
    in_library = library.in_library(db, family.id, title.id)
    # A title not yet in the library joins it with any policy, where kids in rules mode may see it:
    # what an allow for each kid without a rule would change for everyone. Each preview reads every
    # kid's launcher twice, so none is computed for a view: the panel route below answers the one a
    # parent opens, `preview` fills one in without the script.
    allow_previews: dict[int, list[preview.KidPreview] | None] = (
        {
            k.id: preview.preview_allow(db, k, title.id) if k.id == preview_for else None
            for k in family_kids
            if k.id not in rules
        }
        if not in_library and any(k.rules_mode == "rules" for k in family_kids)
        else {}
    )
    return render(
        request,
        "title.html",
        user=family.user,
        title=title,
        rating_descriptors=rating_descriptor_words(title.certifications, title.rating_descriptors),
        kids=family_kids,
        rules=rules,
        seasons=seasons,
        allowed=allowed,
        chosen=chosen,
        blocked=set(rules[chosen.id].blocked_episodes) if chosen else set(),
        in_library=in_library,
        allow_previews=allow_previews,
        vocabulary=vocabulary(db),
        until_choices=allow_until.CHOICES,
        allowed_until=allowed_until_words(rules, zone),
        until_values={kid_id: allow_until.local_input_value(row.allowed_until, zone) for kid_id, row in rules.items()},
    )


@router.post("/catalog/titles/{title_id}/allow-preview/{kid_id}", dependencies=[CsrfChecked])
def allow_preview_panel(title_id: RowId, kid: WebOwnedKid, request: Request, db: DbSession):
    """What allowing the title for the kid would change, for every kid of the family: the panel
    static/preview.js asks for when a parent opens it on the title page. It writes nothing (the
    preview's savepoint is rolled back, and the route changes nothing else)."""
    try:
        previews = preview.preview_allow(db, kid, title_id)
    except DomainError as error:
        return fragment_refused(error)
    return render(request, "_preview.html", fragment=True, previews=previews)


def allowed_until_words(rules: dict[int, Any], zone: str) -> dict[int, str]:
    """Per kid whose allow ends by itself: "Allowed by you until Sunday 20:00"."""
    return {
        kid_id: Words(ALLOWED_UNTIL_PATH, (("when", Moment(row.allowed_until, zone)),)).read()
        for kid_id, row in rules.items()
        if row.allowed_until is not None
    }


def rating_descriptor_words(certifications: Any, descriptors: Any) -> list[tuple[str, str]]:
    """(rating, its descriptors in words) per country whose certification came with some (a
    title's `certifications` and `rating_descriptors`): ("TV-PG", "coarse language and violence");
    another country's rating is named with its country ("CA 14+"). Stored values that are no
    rating or no known descriptor are left out: the columns are objects, their values anyone's."""
    if not isinstance(certifications, dict) or not isinstance(descriptors, dict):
        return []
    notes = []
    for country, codes in sorted(descriptors.items()):
        rating = certifications.get(country)
        known = (
            [code for code in codes if isinstance(code, str) and code in DESCRIPTOR_WORDS]
            if isinstance(codes, list)
            else []
        )
        if not isinstance(rating, str) or not known:
            continue
        words = format_list([gettext(DESCRIPTOR_WORDS[code]) for code in dict.fromkeys(known)], locale=current_locale())
        notes.append((rating if country == SHOWN_COUNTRY else f"{country} {rating}", words))
    return notes


@router.post("/catalog/titles/{title_id}/policies", dependencies=[CsrfChecked])
def save_policies(
    title_id: RowId,
    family: WebFamily,
    db: DbSession,
    kid: Annotated[list[RowId] | None, Form()] = None,
    policy: Annotated[list[str] | None, Form()] = None,
    until_choice: Annotated[list[Text] | None, Form()] = None,
    until_local: Annotated[list[Text] | None, Form()] = None,
    until_shown: Annotated[list[Text] | None, Form()] = None,
    episodes_for: Annotated[FormId, Form()] = None,
    blocked: Annotated[list[RowId] | None, Form()] = None,
):
    """One form for the title: allow (for good or for a while), deny or no rule for every kid,
    and the blocked episodes of the kid whose episodes it shows (`episodes_for`), saved together
    so neither drops the other. How long applies to an allow only. A form without the "how long"
    fields allows for good. `until_shown`: the end each row showed, to know an allow that ended
    while the page was open (_allow_has_ended)."""
    kid, policy = kid or [], policy or []
    if len(kid) != len(policy) or any(p not in POLICIES for p in policy):
        raise Invalid(gettext("Choose allow, deny or no rule for each kid"))
    choices, typed = until_choice or [""] * len(kid), until_local or [""] * len(kid)
    shown = until_shown or [""] * len(kid)
    if len(choices) != len(kid) or len(typed) != len(kid) or len(shown) != len(kid):
        raise Invalid(gettext("Choose how long the allow lasts"))
    episodes_kid = kids.get_kid(db, family.id, episodes_for) if episodes_for is not None else None
    rules = policies.rules_for_title(db, family.id, title_id)
    zone, now = policies.family_time_zone(db, family.id), policies.now_utc()
    rows = list(zip(kid, policy, choices, typed, shown, strict=True))
    # A row sent back as shown for an allow that ended meanwhile is left as it is: the allow has
    # simply ended, and the other kids' changes are saved.
    ended = {
        kid_id
        for kid_id, wanted, choice, local, was in rows
        if _allow_has_ended(rules.get(kid_id), wanted, choice, local, was, zone, now)
    }
    # Every end checked before anything is written.
    ends = [
        None if kid_id in ended else _chosen_until(rules.get(kid_id), wanted, choice, local, zone, now)
        for kid_id, wanted, choice, local, _was in rows
    ]
    queued = False
    for kid_id, wanted, until in zip(kid, policy, ends, strict=True):
        if kid_id in ended:
            continue
        current = rules.get(kid_id)
        if wanted and (current is None or current.policy != wanted or current.allowed_until != until):
            kid_row = kids.get_kid(db, family.id, kid_id)
            queued |= policies.set_policy(db, kid_row, title_id, PolicyKind(wanted), until)[2]
        elif not wanted and current is not None:
            policies.remove_policy(db, kids.get_kid(db, family.id, kid_id), title_id)
    blocked_count = None
    if episodes_kid is not None:
        blocked_count = _save_blocked(db, family.id, title_id, episodes_kid, set(blocked or []))
    words = _saved_words(queued, blocked_count, episodes_kid.name if episodes_kid else "")
    if names := [k.name for k in kids.list_kids(db, family.id) if k.id in ended]:
        words += ". " + gettext("The allow for %(names)s had already ended.") % {
            "names": format_list(names, locale=current_locale())
        }
    return redirect(f"/catalog/titles/{title_id}" + (f"?kid={episodes_kid.id}" if episodes_kid else ""), words)


def _allow_has_ended(current: Any, wanted: str, choice: str, local: str, shown: str, zone: str, now: datetime) -> bool:
    """An allow "until" sent back as the page showed it (`shown`), with no allow in force any more
    and its end come: it ended between showing the page and saving it, nothing to save for the kid.
    A past end typed anew (over an allow in force, or where the page showed none) is no such row:
    until_of_choice refuses it."""
    if wanted != PolicyKind.ALLOW or choice != allow_until.UNTIL or current is not None:
        return False
    if not shown or local.strip() != shown.strip():
        return False
    moment = allow_until.on_family_clock(local, zone)
    return moment is not None and moment <= now


def _chosen_until(current: Any, wanted: str, choice: str, local: str, zone: str, now: datetime) -> datetime | None:
    """The end of the allow the form asks for (None: for good, or not an allow). The end shown in
    the form (to the minute) sent back unchanged keeps the stored end."""
    if wanted != PolicyKind.ALLOW:
        return None
    kept = current.allowed_until if current is not None else None
    if choice == allow_until.UNTIL and kept is not None and local == allow_until.local_input_value(kept, zone):
        return kept
    return allow_until.until_of_choice(choice, local, zone, now)


def _saved_words(queued: bool, blocked_count: int | None, kid_name: str) -> str:
    """What the form saved, in one sentence (episodes loading, episodes blocked for the kid)."""
    if blocked_count is None:
        return gettext("Saved: episodes are being loaded") if queued else gettext("Saved")
    if queued:
        words = ngettext(
            "Saved: episodes are being loaded; %(num)d episode blocked for %(name)s",
            "Saved: episodes are being loaded; %(num)d episodes blocked for %(name)s",
            blocked_count,
        )
    else:
        words = ngettext(
            "Saved: %(num)d episode blocked for %(name)s", "Saved: %(num)d episodes blocked for %(name)s", blocked_count
        )
    return words % {"num": blocked_count, "name": kid_name}


def _save_blocked(db, family_id: int, title_id: int, kid, wanted: set[int]) -> int | None:
    """The kid's blocked episodes, when they changed and the kid still has the show allowed (a
    rule changed to deny or no rule in the same form makes single episodes moot): how many, or
    None when nothing changed."""
    row = policies.rules_for_title(db, family_id, title_id).get(kid.id)
    if row is None or row.policy != PolicyKind.ALLOW or wanted == set(row.blocked_episodes):
        return None
    row = policies.set_blocked_episodes(db, kid, title_id, sorted(wanted))
    return len(row.blocked_episodes)


@router.get("/family/kids/{kid_id}/why/{title_id}")
def why_page(kid: WebOwnedKid, title_id: RowId, request: Request, family: WebFamily, db: DbSession):
    kid, title, decision, episodes = policies.explain(db, kid, title_id)
    return render(request, "why.html", user=family.user, kid=kid, title=title, decision=decision, episodes=episodes)
