from typing import Annotated

from fastapi import APIRouter, Query, status

from axolotly.catalog import service
from axolotly.catalog.deps import FamilyBeforeTmdb, Source, Transactions
from axolotly.catalog.schemas import EpisodeOut, ImportTitle, SearchResult, TitleDetail, TitleSummary
from axolotly.db.replicas import ReadSession
from axolotly.enums import MediaType
from axolotly.families.deps import CurrentFamily
from axolotly.types import PageOffset, RowId, Text

router = APIRouter(prefix="/api/parent/catalog", tags=["catalog"])


@router.get("/search", response_model=list[SearchResult])
async def search(
    family: FamilyBeforeTmdb,
    transactions: Transactions,
    source: Source,
    q: Annotated[Text, Query(min_length=1, max_length=200, description="Words of the title")],
    media_type: MediaType | None = None,
):
    """Search TMDB (or the offline catalog) for movies and shows, then the catalog for look-alikes."""
    found = await service.ask_source(source, q, media_type)  # no transaction open: TMDB may be slow
    return await transactions.run_read_only(
        lambda db: [search_result(hit) for hit in service.search_hits(db, q, found, media_type)]
    )


def search_result(hit: service.SearchHit) -> SearchResult:
    found = hit.found
    return SearchResult(
        tmdb_id=found.tmdb_id,
        media_type=found.media_type,
        title=found.title,
        overview=found.overview,
        release_date=found.release_date,
        rating=found.rating,
        poster_path=found.poster_path,
        title_id=hit.title.id if hit.title else None,
    )


@router.post("/titles", status_code=status.HTTP_201_CREATED, response_model=TitleSummary)
async def import_title(body: ImportTitle, family: FamilyBeforeTmdb, transactions: Transactions, source: Source):
    """Add (or refresh) a title from TMDB by its id; episodes load when a kid is allowed it."""
    item = await service.ask_source_for_title(source, body.media_type, body.tmdb_id)  # before the transaction
    return await transactions.run(
        lambda db: TitleSummary.model_validate(service.upsert_title(db, item)), acting_for=family
    )


@router.get("/titles", response_model=list[TitleSummary])
def list_titles(
    family: CurrentFamily,
    db: ReadSession,
    q: Annotated[Text | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[PageOffset, Query()] = 0,
):
    """Titles already in Axolotly's catalog."""
    return service.list_titles(db, q, limit, offset)


@router.get("/titles/{title_id}", response_model=TitleDetail)
def get_title_detail(title_id: RowId, family: CurrentFamily, db: ReadSession):
    title = service.get_title(db, title_id)
    episodes = service.episodes_of(db, title.id)
    return TitleDetail(
        **TitleSummary.model_validate(title).model_dump(),
        overview=title.overview,
        backdrop_path=title.backdrop_path,
        genres=title.genres,
        episodes=[EpisodeOut.model_validate(e) for e in episodes],
        rating_descriptors=title.rating_descriptors,
    )
