import httpx
import pytest
import respx
from sqlalchemy import func, select, text

from axolotly.catalog import tags
from axolotly.catalog.deps import get_catalog_source
from axolotly.catalog.offline import OfflineCatalog
from axolotly.catalog.service import show_tmdb_id, upsert_episodes, upsert_title
from axolotly.catalog.sources import CatalogTitle
from axolotly.catalog.tmdb import TmdbClient
from axolotly.config import Settings
from axolotly.errors import Conflict, UpstreamUnavailable
from axolotly.models import Episode
from tests.support.api import auth, sign_up
from tests.support.tmdb_fixtures import (
    BASE,
    MOVIE_DETAIL,
    MOVIE_DETAIL_WITHOUT_US,
    SEARCH_MULTI,
    TV_DETAIL,
    TV_DETAIL_WITHOUT_US,
    async_tmdb,
    season,
)


def tmdb(**overrides) -> TmdbClient:
    return TmdbClient(Settings(tmdb_api_key="test-key", **overrides), sleep=lambda seconds: None)


@respx.mock
def test_search_maps_movies_and_shows_and_sends_the_key():
    route = respx.get(f"{BASE}/search/multi").mock(return_value=httpx.Response(200, json=SEARCH_MULTI))
    results = tmdb().search("blu")
    assert [(r.tmdb_id, r.media_type, r.title) for r in results] == [(82728, "tv", "Bluey"), (277834, "movie", "Moana")]
    assert route.calls.last.request.url.params["api_key"] == "test-key"
    assert route.calls.last.request.url.params["query"] == "blu"


@respx.mock
def test_bearer_token_goes_in_the_header():
    route = respx.get(f"{BASE}/search/multi").mock(return_value=httpx.Response(200, json=SEARCH_MULTI))
    TmdbClient(Settings(tmdb_bearer_token="tok"), sleep=lambda s: None).search("x", "movie")
    assert route.calls.last.request.headers["Authorization"] == "Bearer tok"
    assert "api_key" not in route.calls.last.request.url.params


@respx.mock
def test_title_detail_maps_providers_certification_and_rating():
    respx.get(f"{BASE}/tv/82728").mock(return_value=httpx.Response(200, json=TV_DETAIL))
    respx.get(f"{BASE}/movie/277834").mock(return_value=httpx.Response(200, json=MOVIE_DETAIL))
    show = tmdb().get_title("tv", 82728)
    assert show.providers == ["disney_plus"] and show.certification == "TV-Y" and show.rating == "8.7"
    movie = tmdb().get_title("movie", 277834)
    assert movie.providers == ["disney_plus"] and movie.certification == "PG"
    assert str(movie.release_date) == "2016-11-23"


@respx.mock
def test_certification_is_the_us_one_and_a_title_without_one_is_unrated():
    shows = respx.get(f"{BASE}/tv/82728").mock(
        side_effect=[httpx.Response(200, json=TV_DETAIL), httpx.Response(200, json=TV_DETAIL_WITHOUT_US)]
    )
    movies = respx.get(f"{BASE}/movie/277834").mock(
        side_effect=[httpx.Response(200, json=MOVIE_DETAIL), httpx.Response(200, json=MOVIE_DETAIL_WITHOUT_US)]
    )
    assert tmdb().get_title("tv", 82728).certification == "TV-Y"  # the US rating, not Australia's G
    assert tmdb().get_title("tv", 82728).certification is None
    assert "content_ratings" in shows.calls.last.request.url.params["append_to_response"]
    assert tmdb().get_title("movie", 277834).certification == "PG"  # the first US release with one
    assert tmdb().get_title("movie", 277834).certification is None  # GB's U is not a US certification
    assert "release_dates" in movies.calls.last.request.url.params["append_to_response"]


@respx.mock
def test_episodes_skip_specials_and_cover_every_season():
    respx.get(f"{BASE}/tv/82728").mock(return_value=httpx.Response(200, json=TV_DETAIL))
    respx.get(f"{BASE}/tv/82728/season/1").mock(return_value=httpx.Response(200, json=season(1, 2)))
    respx.get(f"{BASE}/tv/82728/season/2").mock(return_value=httpx.Response(200, json=season(2, 1)))
    episodes = tmdb().get_episodes(82728)
    assert [(e.season_number, e.episode_number) for e in episodes] == [(1, 1), (1, 2), (2, 1)]


@respx.mock
def test_retries_429_and_5xx_then_succeeds():
    route = respx.get(f"{BASE}/search/multi").mock(
        side_effect=[
            httpx.Response(429, headers={"Retry-After": "1"}),
            httpx.Response(503),
            httpx.ConnectError("boom"),
            httpx.Response(200, json=SEARCH_MULTI),
        ]
    )
    assert len(tmdb().search("x")) == 2
    assert route.call_count == 4


@respx.mock
def test_gives_up_after_retries_with_a_502_for_the_parent(client):
    respx.get(f"{BASE}/search/multi").mock(return_value=httpx.Response(500))
    with pytest.raises(UpstreamUnavailable):
        tmdb().search("x")
    client.app.dependency_overrides[get_catalog_source] = lambda: async_tmdb()
    parent = sign_up(client)
    response = client.get("/api/parent/catalog/search", params={"q": "bluey"}, headers=auth(parent))
    assert response.status_code == 502 and "TMDB" in response.json()["detail"]


@respx.mock
def test_import_upserts_on_tmdb_id(client, db):
    respx.get(f"{BASE}/tv/82728").mock(return_value=httpx.Response(200, json=TV_DETAIL))
    client.app.dependency_overrides[get_catalog_source] = lambda: async_tmdb()
    parent = sign_up(client)
    first = client.post("/api/parent/catalog/titles", json={"tmdb_id": 82728, "media_type": "tv"}, headers=auth(parent))
    assert first.status_code == 201
    assert first.json()["providers"] == ["disney_plus"] and "animated" in first.json()["tags"]
    again = client.post("/api/parent/catalog/titles", json={"tmdb_id": 82728, "media_type": "tv"}, headers=auth(parent))
    assert again.json()["id"] == first.json()["id"]
    synced = db.execute(text("SELECT last_synced FROM titles WHERE id = :id"), {"id": first.json()["id"]}).scalar_one()
    assert synced is not None


def test_import_of_a_tmdb_id_held_by_the_other_media_type_is_refused(db):
    upsert_title(db, CatalogTitle(tmdb_id=5555, media_type="movie", title="A movie"))
    with pytest.raises(Conflict):
        upsert_title(db, CatalogTitle(tmdb_id=5555, media_type="tv", title="A show"))


def test_offline_search_and_episode_upsert(client, db):
    parent = sign_up(client)
    results = client.get("/api/parent/catalog/search", params={"q": "peppa"}, headers=auth(parent)).json()
    assert [r["title"] for r in results] == ["Peppa Pig"] and results[0]["title_id"] is None
    imported = client.post(
        "/api/parent/catalog/titles", json={"tmdb_id": results[0]["tmdb_id"], "media_type": "tv"}, headers=auth(parent)
    ).json()
    episodes = OfflineCatalog().get_episodes(show_tmdb_id(db, imported["id"]))
    assert upsert_episodes(db, imported["id"], episodes) == 10 and upsert_episodes(db, imported["id"], episodes) == 10
    count = db.execute(select(func.count()).select_from(Episode).where(Episode.title_id == imported["id"])).scalar_one()
    assert count == 10
    detail = client.get(f"/api/parent/catalog/titles/{imported['id']}", headers=auth(parent)).json()
    assert len(detail["episodes"]) == 10 and detail["certification"] == "TV-Y"


@pytest.mark.parametrize("params", [{}, {"q": ""}, {"q": "x" * 201}, {"q": "a", "media_type": "book"}])
def test_bad_search_is_422(client, params):
    parent = sign_up(client)
    response = client.get("/api/parent/catalog/search", params=params, headers=auth(parent))
    assert response.status_code == 422 and response.json()["detail"]


def test_unknown_import_is_404_and_bad_body_422(client):
    parent = sign_up(client)
    assert (
        client.post(
            "/api/parent/catalog/titles", json={"tmdb_id": 1, "media_type": "tv"}, headers=auth(parent)
        ).status_code
        == 404
    )
    assert (
        client.post(
            "/api/parent/catalog/titles", json={"tmdb_id": "x", "media_type": "tv"}, headers=auth(parent)
        ).status_code
        == 422
    )


def test_auto_tags_from_genres_and_certification():
    title = CatalogTitle(
        tmdb_id=1,
        media_type="movie",
        title="T",
        certification="TV-Y7-FV",
        genres=[{"id": 16, "name": "Animation"}, {"id": 27, "name": "Horror"}, {"id": 1, "name": "?"}],
    )
    assert tags.tags_for(title) == ["age_5_7", "animated", "fantasy_violence", "peril", "rated_tv_y7", "scary_scenes"]
    assert tags.tags_for(CatalogTitle(tmdb_id=2, media_type="tv", title="T")) == []


def test_every_auto_tag_exists_in_the_vocabulary(db):
    vocabulary = set(db.execute(text("SELECT tag FROM content_tags")).scalars())
    assert tags.all_mapped_tags() <= vocabulary
    categories = set(db.execute(text("SELECT DISTINCT category FROM content_tags")).scalars())
    assert {
        "creatures",
        "situations",
        "death_loss",
        "visuals",
        "intensity",
        "social",
        "rating",
        "age",
        "content_warning",
    } <= categories
