"""The catalog owns titles: looking them up, searching a source, importing titles and episodes
from it (upsert on TMDB ids). Other domains (policies, reports, pages) ask here for titles.

A source (TMDB) is asked apart from the database work (`ask_source*`, then `search_hits` or
`upsert_*` in a short transaction): a slow TMDB must never hold a transaction open."""

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, Numeric, bindparam, case, cast, func, literal, select, text
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.orm import Session

from axolotly.catalog.sources import AsyncCatalogSource, CatalogEpisode, CatalogSource, CatalogTitle
from axolotly.catalog.tags import tags_for
from axolotly.enums import MediaType
from axolotly.errors import Conflict, NotFound
from axolotly.families.library_rows import library_rows
from axolotly.i18n import N_
from axolotly.models import Episode, Title


@dataclass(frozen=True)
class SearchHit:
    found: CatalogTitle  # what the source says
    title: Title | None  # the catalog's row, when the title is already imported


def get_title(db: Session, title_id: int) -> Title:
    title = db.get(Title, title_id)
    if title is None:
        raise NotFound(N_("Title not found"))
    return title


def title_names(db: Session, title_ids: set[int]) -> dict[int, str]:
    if not title_ids:
        return {}
    return dict(db.execute(select(Title.id, Title.title).where(Title.id.in_(title_ids))).tuples().all())


def list_titles(db: Session, query: str | None, limit: int, offset: int) -> list[Title]:
    """Titles already in the catalog, by name; `query` narrows to names containing it."""
    statement = select(Title).order_by(Title.title, Title.id).limit(limit).offset(offset)
    if query:
        statement = statement.where(Title.title.ilike(f"%{query.strip()}%"))
    return list(db.execute(statement).scalars())


def stale_titles(db: Session, older_than_days: int, limit: int) -> list[tuple[int, str, int]]:
    """(id, media_type, tmdb_id) of the titles synced longest ago (never synced first)."""
    return [
        tuple(row)
        for row in db.execute(
            select(Title.id, Title.media_type, Title.tmdb_id)
            .where(
                Title.last_synced.is_(None)
                | (Title.last_synced < text(f"now() - interval '{int(older_than_days)} days'"))
            )
            .order_by(Title.last_synced.asc().nullsfirst(), Title.id)
            .limit(limit)
        )
    ]


MAX_SIMILAR = 20


def searchable(query: str) -> bool:
    """Whether the query has a letter or digit: pg_trgm (and TMDB) ignore everything else, so a
    query of symbols only matches nothing rather than everything."""
    return any(character.isalnum() for character in query)


async def ask_source(source: AsyncCatalogSource, query: str, media_type: MediaType | None = None) -> list[CatalogTitle]:
    """The source's titles for the query; symbols only: none (never a source call). Called outside
    any transaction: TMDB may take seconds, which no pooled connection should wait out."""
    query = query.strip()
    return await source.search(query, media_type) if searchable(query) else []


def search_hits(
    db: Session, query: str, found: list[CatalogTitle], media_type: MediaType | None = None
) -> list[SearchHit]:
    """The source's titles (`found`), each with its catalog row when it was imported already, then
    the catalog's titles that merely look like the query ("Bluy" finds "Bluey"), which the source
    did not give."""
    query = query.strip()
    if not searchable(query):
        return []
    known = (
        {
            title.tmdb_id: title
            for title in db.scalars(select(Title).where(Title.tmdb_id.in_([item.tmdb_id for item in found])))
        }
        if found
        else {}
    )
    hits = [SearchHit(item, known.get(item.tmdb_id)) for item in found]
    seen = {item.tmdb_id for item in found}
    hits += [hit_of(title) for title in similar_titles(db, query, media_type) if title.tmdb_id not in seen]
    return hits


def similar_titles(
    db: Session, query: str, media_type: MediaType | None = None, limit: int = MAX_SIMILAR
) -> list[Title]:
    """Catalog titles like the query, closest first, through pg_trgm (migration 0024's GIN index):
    `%` compares whole titles ("Blueyy" ~ "Bluey"), `<%` a word of a longer one ("Pepa" ~ "Peppa Pig")."""
    closeness = func.greatest(func.similarity(Title.title, query), func.word_similarity(query, Title.title))
    statement = (
        select(Title)
        .where(Title.title.op("%")(query) | literal(query).op("<%")(Title.title))
        .order_by(closeness.desc(), Title.title, Title.id)
        .limit(limit)
    )
    if media_type is not None:
        statement = statement.where(Title.media_type == media_type)
    return list(db.scalars(statement))


def hit_of(title: Title) -> SearchHit:
    """A catalog row as a search hit (as if the source had found it)."""
    return SearchHit(
        CatalogTitle(
            tmdb_id=title.tmdb_id,
            media_type=MediaType(title.media_type),
            title=title.title,
            overview=title.overview,
            release_date=title.release_date,
            rating=title.rating,
            certification=title.certification,
            genres=title.genres,
            providers=title.providers,
            poster_path=title.poster_path,
            backdrop_path=title.backdrop_path,
            certifications=title.certifications,
            providers_by_country=title.providers_by_country,
            rating_descriptors=title.rating_descriptors,
        ),
        title,
    )


class _Recomputed:
    """A value worked out at most every `seconds`, per process (two requests at once may both compute it)."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self._value: Any = None
        self._at: float | None = None

    def get(self, compute: Callable[[], Any]) -> Any:
        now = time.monotonic()
        if self._at is None or now - self._at >= self.seconds:
            self._value, self._at = compute(), now
        return self._value

    def clear(self) -> None:
        self._at = None


# Counting the families of every title reads every library and policy (a second at 20,000
# families): the ranking is counted every 10 minutes, enough of it to fill a page after leaving
# out a family's own library.
popular_ranking = _Recomputed(seconds=600)
RANKED_TITLES = 500


def _vote_average():
    # rating is text ("7.6"); anything else sorts as unrated rather than failing the cast.
    return case((Title.rating.regexp_match(r"^[0-9]+(\.[0-9]+)?$"), cast(Title.rating, Numeric)))


def _rank_by_families(db: Session) -> list[int]:
    rows = library_rows()
    families = (
        select(rows.c.title_id, func.count(rows.c.family_id.distinct()).label("families"))
        .group_by(rows.c.title_id)
        .subquery()
    )
    return list(
        db.scalars(
            select(families.c.title_id)
            .join(Title, Title.id == families.c.title_id)
            .order_by(families.c.families.desc(), _vote_average().desc().nullslast(), Title.title, Title.id)
            .limit(RANKED_TITLES)
        )
    )


def popular_titles(db: Session, limit: int, leave_out: set[int] | None = None) -> list[Title]:
    """The catalog's titles most families keep in their library, then the best rated (TMDB's vote
    average), for the catalog's landing page."""
    ranked = popular_ranking.get(lambda: _rank_by_families(db))
    position = func.array_position(bindparam("ranked", ranked, type_=ARRAY(Integer)), Title.id)
    statement = (
        select(Title)
        .order_by(position.asc().nullslast(), _vote_average().desc().nullslast(), Title.title, Title.id)
        .limit(limit)
    )
    if leave_out:
        statement = statement.where(Title.id.not_in(leave_out))
    return list(db.scalars(statement))


# TMDB's US ratings with a content descriptor glued on: the rating is what the scales compare.
CERTIFICATION_ALIASES = {"TV-Y7-FV": "TV-Y7"}


def normalised_certification(certification: str | None) -> str | None:
    """Trimmed and upper-cased ("pg-13 " is PG-13), as the kids' rating caps compare them."""
    value = (certification or "").strip().upper()[:10]
    return CERTIFICATION_ALIASES.get(value, value) or None


def upsert_title(db: Session, item: CatalogTitle) -> Title:
    """Inserts or refreshes a title; a tmdb_id already held by the other media type is a 409.

    TMDB numbers movies and shows separately, but the schema keeps tmdb_id unique (spec), so a
    collision is refused rather than overwriting a different title.
    """
    values = {
        "tmdb_id": item.tmdb_id,
        "media_type": item.media_type,
        "title": item.title[:500],
        "overview": item.overview,
        "release_date": item.release_date,
        "rating": item.rating,
        # The US rating in its scale's spelling when the source rated it there ("TV-PG-LV" is TV-PG).
        "certification": item.certifications.get("US") or normalised_certification(item.certification),
        "certifications": item.certifications,
        "rating_descriptors": item.rating_descriptors,
        "genres": item.genres,
        "providers": item.providers,
        "providers_by_country": item.providers_by_country,
        "tags": tags_for(item),
        "poster_path": item.poster_path,
        "backdrop_path": item.backdrop_path,
        "last_synced": func.now(),
    }
    statement = insert(Title).values(**values)
    upsert = statement.on_conflict_do_update(
        index_elements=[Title.tmdb_id],
        set_={key: statement.excluded[key] for key in values if key != "tmdb_id"},
        where=Title.media_type == statement.excluded.media_type,
    ).returning(Title.id)
    title_id = db.execute(upsert).scalar_one_or_none()
    if title_id is None:
        raise Conflict(N_("TMDB id %(tmdb_id)s is already in the catalog as another media type"), tmdb_id=item.tmdb_id)
    return db.get_one(Title, title_id, populate_existing=True)


def upsert_episodes(db: Session, title_id: int, episodes: list[CatalogEpisode]) -> int:
    """Inserts or refreshes episodes of one title; returns how many the source gave."""
    if not episodes:
        return 0
    rows = [
        {
            "tmdb_episode_id": e.tmdb_episode_id,
            "title_id": title_id,
            "season_number": e.season_number,
            "episode_number": e.episode_number,
            "name": e.name and e.name[:500],
            "overview": e.overview,
            "air_date": e.air_date,
            "thumbnail_path": e.thumbnail_path,
            "runtime_minutes": e.runtime_minutes,
        }
        for e in {e.tmdb_episode_id: e for e in episodes}.values()
    ]
    statement = insert(Episode).values(rows)
    updated = ("season_number", "episode_number", "name", "overview", "air_date", "thumbnail_path")
    statement = statement.on_conflict_do_update(
        index_elements=[Episode.tmdb_episode_id],
        set_={
            **{key: statement.excluded[key] for key in updated},
            # A source that does not know an episode's runtime never forgets a known one.
            "runtime_minutes": func.coalesce(statement.excluded.runtime_minutes, Episode.runtime_minutes),
        },
        # An episode never moves to another title, whatever the source says.
        where=Episode.title_id == statement.excluded.title_id,
    )
    db.execute(statement)
    return len(rows)


def _found(item: CatalogTitle | None, media_type: MediaType, tmdb_id: int) -> CatalogTitle:
    if item is None:
        raise NotFound(
            {"movie": N_("No movie with TMDB id %(tmdb_id)s"), "tv": N_("No tv with TMDB id %(tmdb_id)s")}[media_type],
            tmdb_id=tmdb_id,
        )
    return item


async def ask_source_for_title(source: AsyncCatalogSource, media_type: MediaType, tmdb_id: int) -> CatalogTitle:
    """A title to import (upsert_title), asked outside any transaction; unknown: 404."""
    return _found(await source.get_title(media_type, tmdb_id), media_type, tmdb_id)


def title_from_source(source: CatalogSource, media_type: MediaType, tmdb_id: int) -> CatalogTitle:
    """The same for jobs, blocking their thread (still outside their transactions)."""
    return _found(source.get_title(media_type, tmdb_id), media_type, tmdb_id)


def show_tmdb_id(db: Session, title_id: int) -> int | None:
    """The TMDB id to ask a title's episodes by; None for a movie or a title that is gone."""
    title = db.get(Title, title_id)
    return title.tmdb_id if title is not None and title.media_type == MediaType.TV else None


def episodes_of(db: Session, title_id: int) -> list[Episode]:
    """A title's episodes in watching order."""
    return list(
        db.execute(
            select(Episode)
            .where(Episode.title_id == title_id)
            .order_by(Episode.season_number, Episode.episode_number, Episode.id)
        ).scalars()
    )


def episode_ids_of(db: Session, title_id: int, episode_ids: set[int]) -> set[int]:
    """Those of `episode_ids` that are episodes of the title."""
    if not episode_ids:
        return set()
    return set(db.scalars(select(Episode.id).where(Episode.title_id == title_id, Episode.id.in_(episode_ids))))


def has_episodes(db: Session, title_id: int) -> bool:
    return db.execute(select(Episode.id).where(Episode.title_id == title_id).limit(1)).first() is not None
