"""The shipped offline catalog (issue 23): enough well-known titles, for every age and of both
kinds, that a parent without a TMDB key can try every rating cap and find what they look for."""

import json
from datetime import date
from importlib import resources

from axolotly.catalog.offline import OfflineCatalog
from axolotly.catalog.providers import TMDB_PROVIDER_IDS
from axolotly.catalog.service import upsert_title
from axolotly.catalog.tags import CERTIFICATION_TAGS
from axolotly.enums import MediaType
from axolotly.seed.demo import load_offline_catalog
from tests.support.api import auth, sign_up


def shipped(name: str):
    return next(title for title in OfflineCatalog().all_titles() if title.title == name)


def test_searching_harry_potter_offline_finds_the_films_through_the_api(client):
    parent = sign_up(client)
    response = client.get("/api/parent/catalog/search", params={"q": "harry potter"}, headers=auth(parent))
    assert response.status_code == 200, response.text
    found = {hit["title"] for hit in response.json()}
    assert {"Harry Potter and the Philosopher's Stone", "Harry Potter and the Deathly Hallows: Part 2"} <= found
    assert all("Harry Potter" in name for name in found)


def test_the_catalog_holds_a_few_hundred_titles_of_every_age_and_both_kinds():
    titles = OfflineCatalog().all_titles()
    assert len(titles) >= 250
    certifications = {title.certification for title in titles}
    assert {"G", "PG", "PG-13", "R", "TV-Y", "TV-Y7", "TV-PG", "TV-14", "TV-MA"} <= certifications
    kinds = {kind: sum(title.media_type == kind for title in titles) for kind in MediaType}
    assert kinds[MediaType.MOVIE] >= 100 and kinds[MediaType.TV] >= 50, kinds


def test_every_title_is_complete_known_and_named_once():
    entries = OfflineCatalog().all_titles()
    assert len({(t.tmdb_id, t.media_type) for t in entries}) == len(entries)
    assert len({t.title for t in entries}) == len(entries), "starter packs and tests find titles by name"
    for title in entries:
        assert title.certification in CERTIFICATION_TAGS, title
        assert title.genres and title.providers and isinstance(title.release_date, date), title
        assert date(1930, 1, 1) < title.release_date < date(2026, 1, 1), title
    # Every TMDB service id of the file is one the registry knows (unknown ones would be dropped).
    raw = json.loads((resources.files("axolotly.data") / "offline_catalog.json").read_text(encoding="utf-8"))
    assert all(provider in TMDB_PROVIDER_IDS for entry in raw["titles"] for provider in entry["watch_providers"])


def test_a_pg13_and_an_r_title_import_with_their_rating_tags(db):
    goblet = upsert_title(db, shipped("Harry Potter and the Goblet of Fire"))
    matrix = upsert_title(db, shipped("The Matrix"))
    assert goblet.certification == "PG-13" and "rated_pg13" in goblet.tags and "age_13_plus" in goblet.tags
    assert matrix.certification == "R" and "mature_content" in matrix.tags
    assert upsert_title(db, shipped("Breaking Bad")).media_type == MediaType.TV


def test_the_demo_seed_loads_every_shipped_title(db):
    titles, episodes = load_offline_catalog(db)
    assert titles == len(OfflineCatalog().all_titles()) and episodes > 0
