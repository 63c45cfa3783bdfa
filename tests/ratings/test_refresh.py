"""The daily refresh from TMDB's certification lists keeps our ages and learns new ratings."""

import httpx
import pytest
import respx
from sqlalchemy import select

from axolotly.catalog.tmdb import TmdbClient
from axolotly.config import Settings
from axolotly.models import RatingScale
from axolotly.ratings import refresh
from axolotly.ratings.service import current_scales, forget_kept_scales

BASE = "https://api.themoviedb.org/3"
MOVIE_LIST = {
    "certifications": {
        "DE": [
            {"certification": "0", "meaning": "Ohne Altersbeschränkung.", "order": 1},
            {"certification": "16", "meaning": "Ab 16.", "order": 4},
            {"certification": "14", "meaning": "A new rating.", "order": 9},
        ],
        "XX": "not a list",
        "bad": [{"certification": "1"}],
    }
}
TV_LIST = {"certifications": {"NZ": [{"certification": "Adults", "meaning": "New.", "order": 5}, {"order": 2}]}}


@pytest.fixture
def fresh_scales():
    forget_kept_scales()
    yield
    forget_kept_scales()  # the rolled-back rows must not stay in this process's cache


@respx.mock
def test_a_refresh_updates_orders_and_meanings_and_keeps_our_ages(db, fresh_scales):
    respx.get(f"{BASE}/certification/movie/list").mock(return_value=httpx.Response(200, json=MOVIE_LIST))
    respx.get(f"{BASE}/certification/tv/list").mock(return_value=httpx.Response(200, json=TV_LIST))
    client = TmdbClient(Settings(tmdb_api_key="test-key"), sleep=lambda seconds: None)
    rows = refresh.rows_of(refresh.fetch_lists(client))
    assert {(r["country"], r["rating"]) for r in rows} == {("DE", "0"), ("DE", "16"), ("DE", "14"), ("NZ", "Adults")}
    assert refresh.store(db, rows) == 4
    stored = {
        (r.country, r.rating): (r.position, r.min_age, r.meaning)
        for r in db.scalars(select(RatingScale).where(RatingScale.country.in_(["DE", "NZ"])))
    }
    assert stored[("DE", "16")] == (400, 16, "Ab 16.")  # TMDB's order × 100
    assert stored[("DE", "14")] == (900, 14, "A new rating.")  # the age its name states
    assert stored[("NZ", "Adults")][1] is None  # no age stated: unrated until one is written down
    assert stored[("DE", "18")][1] == 18  # not in TMDB's answer: kept
    assert current_scales(db).min_age("movie", "DE", "14") == 14  # the process's cache was forgotten


def test_ages_are_read_from_names_that_are_numbers():
    assert [refresh.age_in_name(n) for n in ("12", "+13", "16+", "PG", "99", " 7 ")] == [12, 13, 16, None, None, 7]


@respx.mock
def test_tmdb_down_changes_nothing(db, fresh_scales):
    respx.get(f"{BASE}/certification/movie/list").mock(return_value=httpx.Response(404))
    client = TmdbClient(Settings(tmdb_api_key="test-key"), sleep=lambda seconds: None)
    with pytest.raises(Exception, match="404"):
        refresh.fetch_lists(client)
