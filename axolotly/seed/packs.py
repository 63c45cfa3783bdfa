"""The starter packs the offline catalog ships (seed-demo), by pack name: a pack that exists is
left as the admins made it, so seeding again never undoes their edits."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from axolotly.catalog.offline import OfflineCatalog
from axolotly.catalog.pack_schemas import PackIn
from axolotly.catalog.packs import save_pack
from axolotly.models import StarterPack, Title

# (name, description, min age, max age, titles of the offline catalog by name)
OFFLINE_PACKS = (
    (
        "Little ones (0–4)",
        "Gentle shows for the youngest: short episodes, kind characters, no scares.",
        0,
        4,
        [
            "Bluey",
            "Peppa Pig",
            "Hey Duggee",
            "Puffin Rock",
            "Daniel Tiger's Neighborhood",
            "Sesame Street",
            "PAW Patrol",
            "My Neighbor Totoro",
        ],
    ),
    (
        "Ages 5–8",
        "Curious minds: science, animals, and the first big movies.",
        5,
        8,
        [
            "Wild Kratts",
            "Octonauts",
            "StoryBots: Answer Time",
            "Toy Story",
            "Finding Nemo",
            "Paddington",
            "WALL·E",
            "Moana",
        ],
    ),
    (
        "Family movie night",
        "Movies the whole family can enjoy together.",
        None,
        None,
        [
            "The Incredibles",
            "Encanto",
            "Frozen",
            "Inside Out",
            "The Lion King",
            "How to Train Your Dragon",
            "Spirited Away",
            "Paddington 2",
        ],
    ),
)


def seed_starter_packs(db: Session) -> int:
    """Creates the packs that are missing (their titles must be in the catalog); returns how many."""
    existing = set(db.scalars(select(StarterPack.name)))
    tmdb_ids = {item.title: item.tmdb_id for item in OfflineCatalog().all_titles()}
    shipped = select(Title.tmdb_id, Title.id).where(Title.tmdb_id.in_(tmdb_ids.values()))
    ids_by_tmdb = dict(db.execute(shipped).tuples().all())
    ids_by_name = {name: ids_by_tmdb[tmdb_id] for name, tmdb_id in tmdb_ids.items() if tmdb_id in ids_by_tmdb}
    created = 0
    for name, description, min_age, max_age, titles in OFFLINE_PACKS:
        if name in existing:
            continue
        title_ids = [ids_by_name[title] for title in titles if title in ids_by_name]
        save_pack(
            db, None, PackIn(name=name, description=description, min_age=min_age, max_age=max_age, title_ids=title_ids)
        )
        created += 1
    return created
