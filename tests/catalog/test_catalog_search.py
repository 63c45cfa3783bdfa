"""The catalog's typo-tolerant search (pg_trgm, migration 0024) through the API and the page, on
the offline source and on TMDB (faked), and the catalog's landing page: the library and popular titles."""

import asyncio
import html

import httpx
import psycopg
import pytest
import respx
from sqlalchemy import text

from axolotly.catalog.deps import get_catalog_source
from axolotly.catalog.offline import OfflineCatalog
from axolotly.catalog.service import ask_source, popular_ranking, search_hits
from axolotly.catalog.sources import AwaitableSource
from tests.support.api import auth, offline_title, sign_up
from tests.support.pages import csrf, logged_in_parent
from tests.support.pg import libpq_url
from tests.support.tmdb_fixtures import BASE, SEARCH_MULTI, async_tmdb

SYMBOLS = ["%", "%%%", "_", "!@#$", "'", "\\", "*?", "  --  ", "…", "<%", "()"]


def api_search(client, parent, q: str, **params) -> list[dict]:
    response = client.get("/api/parent/catalog/search", params={"q": q, **params}, headers=auth(parent))
    assert response.status_code == 200, response.text
    return response.json()


def test_migration_installs_pg_trgm_and_a_gin_trigram_index_that_search_uses(database_url, db):
    with psycopg.connect(libpq_url(database_url)) as conn:
        assert conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'").fetchone()
        definition = conn.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'idx_titles_title_trgm'"
        ).fetchone()[0]
    assert "USING gin" in definition and "gin_trgm_ops" in definition
    db.execute(text("SET LOCAL enable_seqscan = off"))  # a handful of rows: make the planner show it can
    plan = "\n".join(db.scalars(text("EXPLAIN SELECT id FROM titles WHERE title % 'Bluy' OR 'Bluy' <% title")))
    assert "idx_titles_title_trgm" in plan, plan


@pytest.mark.parametrize("typo", ["Blueyy", "Bluy", "bluey", "BLUE Y"])
def test_small_typos_find_bluey_through_the_api(client, db, typo):
    bluey = offline_title(db, "Bluey")
    offline_title(db, "Peppa Pig", with_episodes=False)
    parent = sign_up(client)
    results = api_search(client, parent, typo)
    assert results and results[0]["title"] == "Bluey" and results[0]["title_id"] == bluey.id, results
    assert "Peppa Pig" not in [r["title"] for r in results]
    assert api_search(client, parent, typo, media_type="movie") == []  # the kind still narrows


def test_a_typo_in_one_word_of_a_longer_title_is_found(client, db):
    offline_title(db, "Peppa Pig", with_episodes=False)
    parent = sign_up(client)
    assert [r["title"] for r in api_search(client, parent, "Pepa")] == ["Peppa Pig"]


def test_exact_matches_come_once_and_first(client, db):
    offline_title(db, "Paddington", with_episodes=False)
    offline_title(db, "Paddington 2", with_episodes=False)
    parent = sign_up(client)
    titles = [r["title"] for r in api_search(client, parent, "Paddington")]
    assert sorted(titles) == ["Paddington", "Paddington 2"] and len(titles) == len(set(titles))


def test_the_page_search_tolerates_typos_too(client, db):
    bluey = offline_title(db, "Bluey")
    logged_in_parent(client)
    page = html.unescape(client.get("/catalog", params={"q": "Bluy"}).text)
    assert "Allow or deny “Bluey”" in page and f'href="/catalog/titles/{bluey.id}"' in page
    assert "Nothing found" not in page


@pytest.mark.parametrize("q", SYMBOLS)
def test_a_query_of_symbols_only_finds_nothing_and_never_fails(client, db, q):
    offline_title(db, "Bluey", with_episodes=False)
    parent = sign_up(client)
    assert api_search(client, parent, q) == []
    client.cookies.clear()
    logged_in_parent(client)
    page = client.get("/catalog", params={"q": q})
    assert page.status_code == 200 and "Type a few letters" in page.text


def test_symbols_only_never_reach_the_source(db):
    class Refusing(OfflineCatalog):
        def search(self, query, media_type=None):
            raise AssertionError(f"the source was asked for {query!r}")

    assert asyncio.run(ask_source(AwaitableSource(Refusing()), "%_%")) == []
    assert search_hits(db, "%_%", []) == []


@respx.mock
def test_tmdb_results_come_first_and_catalog_look_alikes_follow_once(client, db):
    route = respx.get(f"{BASE}/search/multi").mock(return_value=httpx.Response(200, json=SEARCH_MULTI))
    client.app.dependency_overrides[get_catalog_source] = lambda: async_tmdb()
    bluey = offline_title(db, "Bluey", with_episodes=False)  # tmdb 82728: TMDB's Bluey is this row
    toy_story = offline_title(db, "Toy Story", with_episodes=False)  # TMDB did not answer it
    parent = sign_up(client)
    results = api_search(client, parent, "Toy Stroy")
    assert route.calls.last.request.url.params["query"] == "Toy Stroy"
    assert [(r["title"], r["title_id"]) for r in results] == [
        ("Bluey", bluey.id),
        ("Moana", None),
        ("Toy Story", toy_story.id),
    ]
    for_bluey = api_search(client, parent, "Bluey")
    assert [r["title"] for r in for_bluey] == ["Bluey", "Moana"]  # Bluey once, as TMDB's hit with our id
    assert for_bluey[0]["title_id"] == bluey.id
    assert api_search(client, parent, "%%") == [] and route.call_count == 2  # never sent to TMDB


def test_the_landing_page_shows_the_library_and_popular_titles(client, db):
    popular_ranking.clear()  # counted every 10 minutes: this test's families must count now
    bluey, moana, nemo = (offline_title(db, name, with_episodes=False) for name in ("Bluey", "Moana", "Finding Nemo"))
    frozen = offline_title(db, "Frozen", with_episodes=False)
    other, another = sign_up(client), sign_up(client)
    for family, titles in ((other, [moana, nemo]), (another, [nemo])):
        for title in titles:
            assert client.put(f"/api/parent/library/{title.id}", headers=auth(family)).status_code in (200, 201)
    parent = logged_in_parent(client)
    assert client.put(f"/api/parent/library/{bluey.id}", headers=auth(parent)).status_code in (200, 201)
    page = html.unescape(client.get("/catalog").text)
    library, popular = page.split('id="popular"')
    assert "Our library (1)" in library and f'href="/catalog/titles/{bluey.id}"' in library
    # Two families keep Nemo, one Moana, none Frozen; ours (Bluey) is not offered again.
    order = [popular.index(f"Add “{t.title}” to our library") for t in (nemo, moana, frozen)]
    assert order == sorted(order) and "Bluey" not in popular
    assert "2 families" not in page  # which families keep what stays private: only the order shows
    add = client.post(
        f"/family/library/{frozen.id}", data={"csrf_token": csrf(client, "/catalog")}, follow_redirects=False
    )
    assert add.status_code == 303
    assert "Our library (2)" in client.get("/catalog").text


def test_the_landing_page_of_an_empty_catalog_says_what_to_do(client):
    logged_in_parent(client)
    page = client.get("/catalog").text
    assert "Our library (0)" in page and "The catalog is empty so far" in page
