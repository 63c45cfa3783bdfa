"""The family's streaming services: which of the registry, in which order.

("Streaming", not "services": the domain logic of every package lives in its service module.)"""

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from axolotly.catalog.providers import PROVIDERS_BY_ID
from axolotly.errors import Invalid, NotFound
from axolotly.families.scoping import owned_by
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


def set_selection(db: Session, family_id: int, services: list[str]) -> StreamingServiceSelection:
    unknown = [s for s in services if s not in PROVIDERS_BY_ID]
    if unknown:
        raise Invalid(f"Unknown service ids: {', '.join(unknown)}")
    if len(set(services)) != len(services):
        raise Invalid("A service may be selected only once")
    statement = insert(StreamingServiceSelection).values(family_id=family_id, selected_services=services)
    statement = statement.on_conflict_do_update(
        index_elements=[StreamingServiceSelection.family_id],
        set_={"selected_services": statement.excluded.selected_services, "updated_at": func.now()},
    )
    db.execute(statement)
    selection = get_selection(db, family_id)
    if selection is None:  # written just above, in this transaction
        raise NotFound("No streaming services selected")
    return selection


def use_services(db: Session, family_id: int, wanted: list[str]) -> list[str]:
    """Keeps the services of `wanted` in their saved order; newly wanted ones go last (in the
    order given). Order is changed by moving a service (move_service), never by typed numbers."""
    current = selected_services(db, family_id, lock=True)  # two tabs at once: each starts from the other's result
    if len(set(wanted)) != len(wanted):
        raise Invalid("A service may be selected only once")
    chosen = [s for s in current if s in wanted] + [s for s in wanted if s not in current]
    return set_selection(db, family_id, chosen).selected_services


def move_service(db: Session, family_id: int, service: str, steps: int) -> tuple[list[str], bool]:
    """Moves a selected service `steps` places later (negative: earlier), stopping at either end;
    returns the new order and whether it changed."""
    current = selected_services(db, family_id, lock=True)  # two tabs at once: each starts from the other's result
    if service not in PROVIDERS_BY_ID:
        raise Invalid(f"Unknown service id: {service}")
    if service not in current:
        raise Invalid(f"{PROVIDERS_BY_ID[service].name} is not one of your services: tick it and save first")
    position = current.index(service)
    wanted = max(0, min(len(current) - 1, position + steps))
    if wanted == position:
        return current, False
    current.insert(wanted, current.pop(position))
    return set_selection(db, family_id, current).selected_services, True
