"""The daily refresh from TMDB's certification lists keeps our ages and learns new ratings."""

import httpx
import pytest
import respx
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

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


def stored_scale(db, kind: str, country: str) -> list[tuple[str, int]]:
    rows = db.execute(
        select(RatingScale.rating, RatingScale.position)
        .where(RatingScale.kind == kind, RatingScale.country == country)
        .order_by(RatingScale.position)
    ).all()
    return [(rating, position) for rating, position in rows]


def listed(*ratings: tuple[str, int]) -> list[dict]:
    return [{"certification": name, "meaning": "", "order": order} for name, order in ratings]


def test_ties_go_by_minimum_age_whatever_order_tmdb_lists_them(db, fresh_scales):
    spain = listed(("A", 1), ("Ai", 2), ("7", 3), ("7i", 4), ("16", 5), ("12", 5), ("18", 7), ("X", 8))
    refresh.store(db, refresh.rows_of({"movie": {"certifications": {"ES": spain}}}))
    assert [name for name, _ in stored_scale(db, "movie", "ES")] == ["A", "Ai", "7", "7i", "12", "16", "18", "X"]
    assert dict(stored_scale(db, "movie", "ES"))["12"] == 500  # the order × 100, then its place among ties
    assert current_scales(db).scale("movie", "ES").names()[4:6] == ("12", "16")
    # Equal ages keep TMDB's listing; a new rating with no age stated ("no classification") goes first.
    ireland = listed(("G", 1), ("PG", 2), ("12", 3), ("12A", 3), ("15A", 4), ("15", 4), ("Exempt", 4), ("16", 5))
    refresh.store(db, refresh.rows_of({"movie": {"certifications": {"IE": ireland + listed(("18", 6))}}}))
    names = [name for name, _ in stored_scale(db, "movie", "IE")]
    assert names == ["G", "PG", "12", "12A", "Exempt", "15A", "15", "16", "18"]


def test_a_rating_tmdb_no_longer_lists_keeps_its_place(db, fresh_scales):
    germany = listed(("0", 1), ("6", 2), ("16", 4), ("18", 5), ("14", 9))  # no "12"; "14" is new
    refresh.store(db, refresh.rows_of({"movie": {"certifications": {"DE": germany}}}))
    assert stored_scale(db, "movie", "DE") == [
        ("0", 100),
        ("6", 200),
        ("12", 201),
        ("16", 400),
        ("18", 500),
        ("14", 900),
    ]
    assert current_scales(db).min_age("movie", "DE", "12") == 12  # kept as it was
    # The first of a scale stays first; several dropped in a row keep their order.
    refresh.store(db, refresh.rows_of({"movie": {"certifications": {"DE": listed(("16", 1), ("18", 2))}}}))
    names = [name for name, _ in stored_scale(db, "movie", "DE")]
    assert names == ["0", "6", "12", "16", "18", "14"]


def test_positions_stay_unique_in_every_scale(db, fresh_scales):
    reordered = listed(("18", 1), ("16", 1), ("12", 1), ("6", 1), ("0", 1))  # one order for all: ages decide
    refresh.store(db, refresh.rows_of({"movie": {"certifications": {"DE": reordered}}}))
    assert stored_scale(db, "movie", "DE") == [("0", 100), ("6", 101), ("12", 102), ("16", 103), ("18", 104)]
    db.execute(text("SET CONSTRAINTS ALL IMMEDIATE"))  # the deferred uniqueness holds now, as at commit
    duplicates = db.execute(
        text("SELECT kind, country, position FROM rating_scales GROUP BY 1, 2, 3 HAVING count(*) > 1")
    ).all()
    assert duplicates == []
    with pytest.raises(IntegrityError, match="uq_rating_scales_kind_country_position"), db.begin_nested():
        db.execute(
            text("UPDATE rating_scales SET position = 100 WHERE kind = 'movie' AND country = 'DE' AND rating = '6'")
        )
        db.execute(text("SET CONSTRAINTS ALL IMMEDIATE"))


def test_placing_is_pure_and_numbers_each_scale_from_its_orders():
    stored = [
        {"kind": "tv", "country": "XY", "rating": name, "position": position, "min_age": age, "meaning": ""}
        for name, position, age in (("Old", 50, None), ("A", 100, 0), ("Gone", 150, 10), ("B", 200, 12))
    ]
    tmdb = [
        {"kind": "tv", "country": "XY", "rating": name, "order": order, "min_age": age, "meaning": ""}
        for name, order, age in (("B", 2, None), ("A", 1, None), ("C", 2, 6))
    ]
    assert [(row["rating"], row["position"], row["min_age"]) for row in refresh.placed(tmdb, stored)] == [
        ("Old", 100, None),  # dropped and first before: still first
        ("A", 101, 0),
        ("Gone", 102, 10),  # right after the rating that preceded it
        ("C", 200, 6),  # ties by age: B's known age is 12
        ("B", 201, 12),
    ]
