from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, status
from sqlalchemy import select

from axolotly.accounts.deps import DbSession
from axolotly.families.deps import CurrentFamily
from axolotly.db.replicas import ReadSession
from axolotly.catalog import service
from axolotly.catalog.provider import CatalogProvider
from axolotly.catalog.schemas import EpisodeOut, ImportTitle, SearchResult, TitleDetail
from axolotly.catalog.tmdb import catalog_provider
from axolotly.config import get_settings
from axolotly.models import Title
from axolotly.policies.service import get_title
from axolotly.policies.schemas import TitleSummary
from axolotly.types import PageOffset, RowId, Text

router = APIRouter(prefix="/api/parent/catalog", tags=["catalog"])


def get_provider() -> CatalogProvider:
    return catalog_provider(get_settings())


Provider = Annotated[CatalogProvider, Depends(get_provider)]


@router.get("/search", response_model=list[SearchResult])
def search(
    family: CurrentFamily, db: ReadSession, provider: Provider,
    q: Annotated[Text, Query(min_length=1, max_length=200, description="Words of the title")],
    media_type: Literal["movie", "tv"] | None = None,
):
    """Search TMDB (or the offline catalog) for movies and shows."""
    results = provider.search(q.strip(), media_type)
    known = dict(db.execute(
        select(Title.tmdb_id, Title.id).where(Title.tmdb_id.in_([r.tmdb_id for r in results]))
    ).all())
    return [
        SearchResult(tmdb_id=r.tmdb_id, media_type=r.media_type, title=r.title, overview=r.overview,
                     release_date=r.release_date, rating=r.rating, poster_path=r.poster_path,
                     title_id=known.get(r.tmdb_id))
        for r in results
    ]


@router.post("/titles", status_code=status.HTTP_201_CREATED, response_model=TitleSummary)
def import_title(body: ImportTitle, family: CurrentFamily, db: DbSession, provider: Provider):
    """Add (or refresh) a title from TMDB by its id; episodes load when a kid is allowed it."""
    return service.import_title(db, provider, body.media_type, body.tmdb_id)


@router.get("/titles", response_model=list[TitleSummary])
def list_titles(
    family: CurrentFamily, db: ReadSession,
    q: Annotated[Text | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[PageOffset, Query()] = 0,
):
    """Titles already in Axolotly's catalog."""
    statement = select(Title).order_by(Title.title, Title.id).limit(limit).offset(offset)
    if q:
        statement = statement.where(Title.title.ilike(f"%{q.strip()}%"))
    return db.execute(statement).scalars().all()


@router.get("/titles/{title_id}", response_model=TitleDetail)
def get_title_detail(title_id: RowId, family: CurrentFamily, db: ReadSession):
    title = get_title(db, title_id)
    episodes = service.episodes_of(db, title.id)
    return TitleDetail(
        **TitleSummary.model_validate(title).model_dump(), overview=title.overview,
        backdrop_path=title.backdrop_path, genres=title.genres,
        episodes=[EpisodeOut.model_validate(e) for e in episodes],
    )
