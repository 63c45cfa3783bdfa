"""The family's streaming services: which of the registry, in which order.

A family picks among the services of its country (catalog/providers.py providers_for_country);
one chosen before (in another country, or before the registry knew where it is offered) stays
until the family unticks it, so a country switch never takes a paid service off the launcher.

("Streaming", not "services": the domain logic of every package lives in its service module.)"""

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from axolotly.catalog.providers import PROVIDERS_BY_ID, Provider, providers_for_country
from axolotly.errors import Invalid, NotFound
from axolotly.families.context import owner_of
from axolotly.families.scoping import owned_by
from axolotly.i18n import N_
from axolotly.models import StreamingServiceSelection


def get_selection(db: Session, family_id: int, lock: bool = False) -> StreamingServiceSelection | None:
    """`lock`: the row stays locked until the transaction ends."""
    statement = owned_by(select(StreamingServiceSelection), StreamingServiceSelection, family_id)
    if lock:
        statement = statement.with_for_update()
    return db.execute(statement.execution_options(populate_existing=True)).scalar_one_or_none()


def selected_services(db: Session, family_id: int, lock: bool = False) -> list[str]:
    """Registry ids in launcher order; empty when the family chose none (titles show under their own)."""
    selection = get_selection(db, family_id, lock)
    return list(selection.selected_services) if selection else []


def offered_services(db: Session, family_id: int) -> tuple[Provider, ...]:
    """What the services page offers: the services of the family's country, in registry order,
    then any chosen before that are not among them (so they can be unticked)."""
    offered = providers_for_country(owner_of(db, family_id).country)
    ids = {provider.id for provider in offered}
    kept = [PROVIDERS_BY_ID[s] for s in selected_services(db, family_id) if s in PROVIDERS_BY_ID and s not in ids]
    return (*offered, *kept)


def set_selection(db: Session, family_id: int, services: list[str]) -> StreamingServiceSelection:
    """Replaces the selection: every id known, each once, and each offered in the family's country
    unless the family had it already."""
    unknown = [s for s in services if s not in PROVIDERS_BY_ID]
    if unknown:
        raise Invalid(N_("Unknown service ids: %(ids)s"), ids=", ".join(unknown))
    if len(set(services)) != len(services):
        raise Invalid(N_("A service may be selected only once"))
    country = owner_of(db, family_id).country
    offered = {provider.id for provider in providers_for_country(country)}
    had = set(selected_services(db, family_id))
    elsewhere = [s for s in services if s not in offered and s not in had]
    if elsewhere:
        names = ", ".join(PROVIDERS_BY_ID[s].name for s in elsewhere)
        raise Invalid(N_("Not offered in the family's country (%(country)s): %(names)s"), country=country, names=names)
    statement = insert(StreamingServiceSelection).values(family_id=family_id, selected_services=services)
    statement = statement.on_conflict_do_update(
        index_elements=[StreamingServiceSelection.family_id],
        set_={"selected_services": statement.excluded.selected_services, "updated_at": func.now()},
    )
    db.execute(statement)
    selection = get_selection(db, family_id)
    if selection is None:  # written just above, in this transaction
        raise NotFound(N_("No streaming services selected"))
    return selection


def use_services(db: Session, family_id: int, wanted: list[str]) -> list[str]:
    """Keeps the services of `wanted` in their saved order; newly wanted ones go last (in the
    order given). Order is changed by moving a service (move_service), never by typed numbers."""
    current = selected_services(db, family_id, lock=True)  # two tabs at once: each starts from the other's result
    if len(set(wanted)) != len(wanted):
        raise Invalid(N_("A service may be selected only once"))
    chosen = [s for s in current if s in wanted] + [s for s in wanted if s not in current]
    return set_selection(db, family_id, chosen).selected_services


def move_service(db: Session, family_id: int, service: str, steps: int) -> tuple[list[str], bool]:
    """Moves a selected service `steps` places later (negative: earlier), stopping at either end;
    returns the new order and whether it changed."""
    current = selected_services(db, family_id, lock=True)  # two tabs at once: each starts from the other's result
    if service not in PROVIDERS_BY_ID:
        raise Invalid(N_("Unknown service id: %(id)s"), id=service)
    if service not in current:
        raise Invalid(
            N_("%(service)s is not one of your services: tick it and save first"), service=PROVIDERS_BY_ID[service].name
        )
    position = current.index(service)
    wanted = max(0, min(len(current) - 1, position + steps))
    if wanted == position:
        return current, False
    current.insert(wanted, current.pop(position))
    return set_selection(db, family_id, current).selected_services, True
