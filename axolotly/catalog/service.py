"""Catalog writes: import titles and episodes from a provider (upsert on TMDB ids)."""

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from axolotly.catalog.provider import CatalogEpisode, CatalogProvider, CatalogTitle, MediaType
from axolotly.catalog.tags import tags_for
from axolotly.errors import Conflict, NotFound
from axolotly.models import Episode, Title


def upsert_title(db: Session, item: CatalogTitle) -> Title:
    """Inserts or refreshes a title; a tmdb_id already held by the other media type is a 409.

    TMDB numbers movies and shows separately, but the schema keeps tmdb_id unique (spec), so a
    collision is refused rather than overwriting a different title.
    """
    values = {
        "tmdb_id": item.tmdb_id, "media_type": item.media_type, "title": item.title[:500],
        "overview": item.overview, "release_date": item.release_date, "rating": item.rating,
        "certification": item.certification, "genres": item.genres, "providers": item.providers,
        "tags": tags_for(item), "poster_path": item.poster_path, "backdrop_path": item.backdrop_path,
        "last_synced": func.now(),
    }
    statement = insert(Title).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=[Title.tmdb_id],
        set_={key: statement.excluded[key] for key in values if key != "tmdb_id"},
        where=Title.media_type == statement.excluded.media_type,
    ).returning(Title.id)
    title_id = db.execute(statement).scalar_one_or_none()
    if title_id is None:
        raise Conflict(f"TMDB id {item.tmdb_id} is already in the catalog as another media type")
    return db.get(Title, title_id, populate_existing=True)


def upsert_episodes(db: Session, title_id: int, episodes: list[CatalogEpisode]) -> int:
    """Inserts or refreshes episodes of one title; returns how many the provider gave."""
    if not episodes:
        return 0
    rows = [
        {"tmdb_episode_id": e.tmdb_episode_id, "title_id": title_id, "season_number": e.season_number,
         "episode_number": e.episode_number, "name": e.name and e.name[:500], "overview": e.overview,
         "air_date": e.air_date, "thumbnail_path": e.thumbnail_path}
        for e in {e.tmdb_episode_id: e for e in episodes}.values()
    ]
    statement = insert(Episode).values(rows)
    updated = ("season_number", "episode_number", "name", "overview", "air_date", "thumbnail_path")
    statement = statement.on_conflict_do_update(
        index_elements=[Episode.tmdb_episode_id],
        set_={key: statement.excluded[key] for key in updated},
        # An episode never moves to another title, whatever the provider says.
        where=Episode.title_id == statement.excluded.title_id,
    )
    db.execute(statement)
    return len(rows)


def import_title(db: Session, provider: CatalogProvider, media_type: MediaType, tmdb_id: int) -> Title:
    item = provider.get_title(media_type, tmdb_id)
    if item is None:
        raise NotFound(f"No {media_type} with TMDB id {tmdb_id}")
    return upsert_title(db, item)


def load_episodes(db: Session, provider: CatalogProvider, title_id: int) -> int:
    title = db.get(Title, title_id)
    if title is None or title.media_type != "tv":
        return 0
    return upsert_episodes(db, title.id, provider.get_episodes(title.tmdb_id))


def episodes_of(db: Session, title_id: int) -> list[Episode]:
    """A title's episodes in watching order."""
    return list(db.execute(
        select(Episode).where(Episode.title_id == title_id)
        .order_by(Episode.season_number, Episode.episode_number, Episode.id)
    ).scalars())


def has_episodes(db: Session, title_id: int) -> bool:
    return db.execute(select(Episode.id).where(Episode.title_id == title_id).limit(1)).first() is not None
