"""The parent API of a family: kids, services, co-parents, the library and rules.

Routes that hand FastAPI an ORM row return `object`: the decorator's `response_model` shapes it,
and routers import no models."""

from collections.abc import Iterable, Sequence
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response, status

from axolotly.accounts.deps import CurrentUser, DbSession
from axolotly.audit import service as audit
from axolotly.catalog import service as catalog
from axolotly.catalog.providers import PROVIDERS
from axolotly.catalog.schemas import TitleSummary
from axolotly.families import kids, library, members, rules, settings, streaming
from axolotly.families.deps import CurrentFamily, FamilyOwner, OwnedKid
from axolotly.families.schemas import (
    ActivityOut,
    CapMove,
    CountryBody,
    FamilySettingsBody,
    FamilySettingsOut,
    InvitationOut,
    JoinedFamily,
    KidCapsPreview,
    KidCreate,
    KidOut,
    KidUpdate,
    LibraryEntryOut,
    MemberOut,
    OpenInvitationOut,
    PinBody,
    PinVerified,
    RulesBody,
    RulesOut,
    ServiceOut,
    ServiceSelection,
    ServiceSelectionOut,
)
from axolotly.families.settings import FamilySettings
from axolotly.types import RowId, Text

router = APIRouter(prefix="/api/parent", tags=["kids and services"])


@router.get("/family", response_model=FamilySettingsOut)
def get_family(family: CurrentFamily, db: DbSession) -> FamilySettings:
    """The family's name, time zone (the clock of screen time, bedtimes and usage days) and country."""
    return settings.load_family_settings(db, family.id)


@router.put(
    "/family",
    response_model=FamilySettingsOut,
    responses={
        409: {"description": "The kids' caps would be re-mapped otherwise than `expected` shows (nothing changes)"},
        422: {"description": "Unknown time zone or country"},
    },
)
def update_family(body: FamilySettingsBody, family: CurrentFamily, db: DbSession) -> FamilySettings:
    """Changes what was sent; any parent of the family may, co-parents too (the country is a
    family-wide setting like the time zone). A new country re-maps each kid's caps to its nearest
    ratings by minimum age: POST /family/country-preview shows them first, and `expected` (that
    answer) makes the save refuse a re-mapping other than the one shown."""
    expected = None if body.expected is None else settings.mapping_digest(_shown(body.expected))
    return settings.update_settings(db, family, body.family_name, body.time_zone, body.country, expected)


def _shown(previews: list[KidCapsPreview]) -> list[settings.ShownCaps]:
    return [(p.kid_id, p.movie.before, p.movie.after, p.tv.before, p.tv.after) for p in previews]


@router.post(
    "/family/country-preview",
    response_model=list[KidCapsPreview],
    responses={422: {"description": "Unknown country"}},
)
def preview_country(body: CountryBody, family: CurrentFamily, db: DbSession) -> list[KidCapsPreview]:
    """What each kid's caps would become in that country ("from", "to"; null: no cap). Writes nothing."""
    return [
        KidCapsPreview(
            kid_id=preview.kid.id,
            name=preview.kid.name,
            movie=CapMove(before=preview.changes[0].before, after=preview.changes[0].after),
            tv=CapMove(before=preview.changes[1].before, after=preview.changes[1].after),
        )
        for preview in settings.country_preview(db, family.id, body.country)
    ]


def _kids_out(db: DbSession, family_id: int, kid_list: Iterable[OwnedKid]) -> list[KidOut]:
    locks = kids.current_locks(db, family_id)
    return [KidOut.of(kid, locks.get(kid.id, [])) for kid in kid_list]


@router.get("/kids", response_model=list[KidOut])
def list_kids(family: CurrentFamily, db: DbSession) -> list[KidOut]:
    return _kids_out(db, family.id, kids.list_kids(db, family.id))


@router.post("/kids", status_code=status.HTTP_201_CREATED, response_model=KidOut)
def create_kid(body: KidCreate, family: CurrentFamily, db: DbSession) -> object:
    return kids.create_kid(db, family.id, body.name, body.age, body.pin)


@router.get("/kids/{kid_id}", response_model=KidOut)
def get_kid(kid: OwnedKid, db: DbSession) -> KidOut:
    return _kids_out(db, kid.family_id, [kid])[0]


@router.patch("/kids/{kid_id}", response_model=KidOut)
def update_kid(kid: OwnedKid, body: KidUpdate, db: DbSession) -> KidOut:
    return _kids_out(db, kid.family_id, [kids.update_kid(db, kid, body.model_dump(exclude_unset=True))])[0]


@router.delete("/kids/{kid_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_kid(kid: OwnedKid, db: DbSession) -> None:
    """Deletes the kid and their policies; their devices stay paired, unassigned."""
    kids.delete_kid(db, kid)


@router.put("/kids/{kid_id}/pin", status_code=status.HTTP_204_NO_CONTENT)
def change_pin(kid: OwnedKid, body: PinBody, db: DbSession) -> None:
    """Set a new PIN (parents only); also lifts a lockout."""
    kids.change_pin(db, kid, body.pin)


@router.post(
    "/kids/{kid_id}/verify-pin",
    response_model=PinVerified,
    responses={401: {"description": "Wrong PIN"}, 429: {"description": "Locked after 5 wrong PINs"}},
)
def verify_pin(kid: OwnedKid, body: PinBody, db: DbSession) -> PinVerified:
    """Checks a kid's PIN for a parent's app. Its wrong PINs lock only this check (no device):
    never a kid's own device."""
    kids.check_pin(db, kid, body.pin, device_id=None)
    return PinVerified(verified=True)


@router.post("/kids/{kid_id}/unlock", response_model=KidOut)
def unlock_kid(kid: OwnedKid, db: DbSession) -> KidOut:
    """Lifts the kid's PIN lockouts (and wrong-PIN counts) on every device; audited."""
    kids.unlock(db, kid)
    return _kids_out(db, kid.family_id, [kid])[0]


@router.get("/services", response_model=list[ServiceOut], tags=["kids and services"])
def list_services() -> list[ServiceOut]:
    """Every streaming service Axolotly knows (the launcher's provider registry)."""
    return [ServiceOut(id=p.id, name=p.name, package=p.package) for p in PROVIDERS]


@router.get("/services/offered", response_model=list[ServiceOut])
def offered_services(family: CurrentFamily, db: DbSession) -> list[ServiceOut]:
    """The services this family can pick: its country's, then any it chose before that are not."""
    return [ServiceOut(id=p.id, name=p.name, package=p.package) for p in streaming.offered_services(db, family.id)]


@router.get("/services/selected", response_model=ServiceSelectionOut)
def get_selected_services(family: CurrentFamily, db: DbSession) -> ServiceSelectionOut:
    selection = streaming.get_selection(db, family.id)
    if selection is None:
        return ServiceSelectionOut(services=[], updated_at=None)
    return ServiceSelectionOut(services=selection.selected_services, updated_at=selection.updated_at)


@router.put("/services/selected", response_model=ServiceSelectionOut)
def set_selected_services(body: ServiceSelection, family: CurrentFamily, db: DbSession) -> ServiceSelectionOut:
    selection = streaming.set_selection(db, family.id, body.services)
    return ServiceSelectionOut(services=selection.selected_services, updated_at=selection.updated_at)


@router.get("/activity", response_model=list[ActivityOut])
def activity(
    family: CurrentFamily, db: DbSession, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> Sequence[object]:
    """What changed in the family, newest first (pairings, policies, PINs, lockouts, logins)."""
    return audit.recent(db, family.id, limit)


# -- co-parents ----------------------------------------------------------------------------------


@router.post("/family/invitations", status_code=status.HTTP_201_CREATED, response_model=InvitationOut, tags=["family"])
def invite_co_parent(request: Request, family: FamilyOwner, db: DbSession) -> InvitationOut:
    """A single-use link for a co-parent, valid 7 days (owner only); share it as you like."""
    invitation, token = members.invite(db, family)
    return InvitationOut(
        id=invitation.id,
        token=token,
        url=members.invitation_url(str(request.base_url), token),
        expires_at=invitation.expires_at,
    )


@router.get("/family/invitations", response_model=list[OpenInvitationOut], tags=["family"])
def list_invitations(family: FamilyOwner, db: DbSession) -> Sequence[object]:
    """Open invitations (owner only); their links are not shown again."""
    return members.open_invitations(db, family)


@router.delete("/family/invitations/{invitation_id}", status_code=status.HTTP_204_NO_CONTENT, tags=["family"])
def revoke_invitation(invitation_id: RowId, family: CurrentFamily, db: DbSession) -> None:
    members.revoke_invitation(db, family, invitation_id)


@router.post("/family/invitations/{token}/accept", response_model=JoinedFamily, tags=["family"])
def accept_invitation(token: Annotated[Text, Path(max_length=100)], user: CurrentUser, db: DbSession) -> JoinedFamily:
    """The invitee (their own Bearer token) joins the inviting family as a co-parent."""
    family = members.accept_invitation(db, user, token)
    return JoinedFamily(family_id=family.id, family_name=members.family_name(db, family.id), role=family.role)


@router.get("/family/members", response_model=list[MemberOut], tags=["family"])
def list_members(family: CurrentFamily, db: DbSession) -> list[members.Member]:
    return members.members(db, family.id)


@router.delete("/family/members/{user_id}", status_code=status.HTTP_204_NO_CONTENT, tags=["family"])
def remove_member(user_id: RowId, family: CurrentFamily, db: DbSession) -> None:
    """The owner removes a co-parent; a co-parent may remove themselves (leave)."""
    members.remove_member(db, family, user_id)


# -- the family library and each kid's rules ----------------------------------------------------


def library_entry(title: object, entry: library.LibraryEntry) -> LibraryEntryOut:
    return LibraryEntryOut(title=TitleSummary.model_validate(title), added_at=entry.added_at, added_by=entry.added_by)


@router.get("/library", response_model=list[LibraryEntryOut], tags=["library and rules"])
def list_library(family: CurrentFamily, db: DbSession) -> list[LibraryEntryOut]:
    """The family's titles, newest first: kids in `rules` mode see those within their rules."""
    return [library_entry(title, entry) for title, entry in library.list_library(db, family.id)]


@router.put(
    "/library/{title_id}",
    response_model=LibraryEntryOut,
    tags=["library and rules"],
    responses={201: {"description": "Added"}, 404: {"description": "No such title in the catalog"}},
)
def add_to_library(title_id: RowId, response: Response, family: CurrentFamily, db: DbSession) -> LibraryEntryOut:
    """Adds a catalog title (imports nothing); 200 when it was there already."""
    if not library.in_library(db, family.id, title_id):
        response.status_code = status.HTTP_201_CREATED
    entry = library.add_to_library(db, family, title_id)
    return library_entry(catalog.get_title(db, title_id), entry)


@router.delete("/library/{title_id}", status_code=status.HTTP_204_NO_CONTENT, tags=["library and rules"])
def remove_from_library(title_id: RowId, family: CurrentFamily, db: DbSession) -> None:
    """Removes the title and every policy of the family's kids on it."""
    library.remove_from_library(db, family, title_id)


def rules_out(kid: OwnedKid) -> RulesOut:
    return RulesOut(
        kid_id=kid.id,
        mode=kid.rules_mode,  # type: ignore[arg-type]  # a CHECK holds it to the two modes
        max_movie_rating=kid.max_movie_rating,
        max_tv_rating=kid.max_tv_rating,
        block_unrated=kid.block_unrated,
        blocked_tags=kid.blocked_tags,
    )


@router.get("/kids/{kid_id}/rules", response_model=RulesOut, tags=["library and rules"])
def get_rules(kid: OwnedKid) -> RulesOut:
    return rules_out(kid)


@router.put(
    "/kids/{kid_id}/rules",
    response_model=RulesOut,
    tags=["library and rules"],
    responses={422: {"description": "Unknown mode, rating or tag (nothing changes)"}},
)
def set_rules(kid: OwnedKid, body: RulesBody, db: DbSession) -> RulesOut:
    """Replaces the kid's rules: every field, tags by content_tags name, the caps as ratings of the
    family country's movie and TV scales (GET /api/rating-systems/{country})."""
    rules.set_rules(
        db, kid, body.mode, body.max_movie_rating, body.max_tv_rating, body.block_unrated, body.blocked_tags
    )
    return rules_out(kid)
