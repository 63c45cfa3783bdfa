"""The family behind a request: `CurrentFamily` (Bearer token) and `WebFamily` (page session),
and the owned-resource dependencies that load a family's row or answer 404."""

from typing import Annotated

from fastapi import Depends, Request

from axolotly.accounts.deps import CurrentUser, DbSession, WebUser
from axolotly.devices.service import get_device
from axolotly.errors import Forbidden
from axolotly.families.context import FamilyContext, act_for_family
from axolotly.families.kids import get_kid
from axolotly.families.settings import family_country, family_zone
from axolotly.i18n import N_
from axolotly.models import Device, KidProfile
from axolotly.ratings.service import current_scales
from axolotly.types import RowId


def current_family(user: CurrentUser, db: DbSession) -> FamilyContext:
    return act_for_family(db, user)


def web_family(request: Request, user: WebUser, db: DbSession) -> FamilyContext:
    family = act_for_family(db, user)
    # Pages show times on the family's clock (web/templating.py local_time), and ratings as the
    # family's country reads them (web/templating.py rating_here).
    request.state.family_zone = family_zone(db, family.id)
    request.state.family_country = family_country(db, family.id)
    request.state.family_scales = current_scales(db)
    return family


CurrentFamily = Annotated[FamilyContext, Depends(current_family)]
WebFamily = Annotated[FamilyContext, Depends(web_family)]


def family_owner(family: CurrentFamily) -> FamilyContext:
    return require_owner(family)


def require_owner(family: FamilyContext) -> FamilyContext:
    if not family.is_owner:
        raise Forbidden(N_("Only the family's owner can do this"))
    return family


FamilyOwner = Annotated[FamilyContext, Depends(family_owner)]


def owned_kid(kid_id: RowId, family: CurrentFamily, db: DbSession) -> KidProfile:
    return get_kid(db, family.id, kid_id)


def owned_device(device_id: RowId, family: CurrentFamily, db: DbSession) -> Device:
    return get_device(db, family.id, device_id)


def page_owned_kid(kid_id: RowId, family: WebFamily, db: DbSession) -> KidProfile:
    return get_kid(db, family.id, kid_id)


def page_owned_device(device_id: RowId, family: WebFamily, db: DbSession) -> Device:
    return get_device(db, family.id, device_id)


# The family's row named in the path, or 404: another family's id is "not found", never "forbidden".
OwnedKid = Annotated[KidProfile, Depends(owned_kid)]
OwnedDevice = Annotated[Device, Depends(owned_device)]
WebOwnedKid = Annotated[KidProfile, Depends(page_owned_kid)]
WebOwnedDevice = Annotated[Device, Depends(page_owned_device)]
