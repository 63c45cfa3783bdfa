"""The family's streaming services: which of the registry, in which order.

("Streaming", not "services": the domain logic of every package lives in its service module.)"""

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from axolotly.catalog.providers import PROVIDERS_BY_ID
from axolotly.errors import Invalid
from axolotly.families.scoping import owned_by
from axolotly.models import StreamingServiceSelection


def get_selection(db: Session, family_id: int) -> StreamingServiceSelection | None:
    return db.execute(
        owned_by(select(StreamingServiceSelection), StreamingServiceSelection, family_id)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


def selected_services(db: Session, family_id: int) -> list[str]:
    """Registry ids in launcher order; empty when the family chose none (titles show under their own)."""
    selection = get_selection(db, family_id)
    return selection.selected_services if selection else []


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
    return get_selection(db, family_id)
