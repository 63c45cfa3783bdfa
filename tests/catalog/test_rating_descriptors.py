"""Issue 25: the content descriptors of a title's certification ("TV-PG-LV": TV-PG for coarse
language and violence) are kept beside its rating and shown where a parent reads the rating: the
title page, in words of the page's language, and the parent API's title detail."""

import html
import re

from axolotly.catalog.service import upsert_title
from axolotly.catalog.tmdb_mapping import title_from
from axolotly.enums import MediaType
from axolotly.i18n import translations
from axolotly.web.catalog_pages import rating_descriptor_words
from tests.support.api import auth
from tests.support.pages import logged_in_parent
from tests.support.tmdb_fixtures import TV_DETAIL_WORLDWIDE


def show_rated_tv_pg_lv(db):
    """Bluey as TMDB describes it with US "tv-pg-lv" (read as a title's own request would be)."""
    return upsert_title(db, title_from(TV_DETAIL_WORLDWIDE, MediaType.TV, "US", detailed=True))


def descriptor_lines(page: str) -> list[str]:
    return [line for line in re.findall(r"<p[^>]*>([^<]*)</p>", html.unescape(page)) if line.startswith("TV-PG")]


def test_the_title_page_names_the_descriptors_in_words(client, db):
    logged_in_parent(client)
    show = show_rated_tv_pg_lv(db)
    page = client.get(f"/catalog/titles/{show.id}")
    assert page.status_code == 200
    assert descriptor_lines(page.text) == ["TV-PG: coarse language and violence"]


def test_the_title_page_names_them_in_german_from_the_german_catalog(client, db):
    logged_in_parent(client)
    show = show_rated_tv_pg_lv(db)
    german = translations("de")
    words = [german.gettext("coarse language"), german.gettext("violence")]
    assert words != ["coarse language", "violence"], "the German catalog translates them"
    page = client.get(f"/catalog/titles/{show.id}", headers={"Accept-Language": "de"})
    assert page.status_code == 200
    [line] = descriptor_lines(page.text)
    assert all(word in line for word in words), line
    assert "coarse language" not in line and "violence" not in line


def test_the_parent_api_title_detail_adds_the_descriptors_per_country(client, db):
    parent = logged_in_parent(client)
    show = show_rated_tv_pg_lv(db)
    detail = client.get(f"/api/parent/catalog/titles/{show.id}", headers=auth(parent)).json()
    assert detail["rating_descriptors"] == {"US": ["L", "V"]}
    assert detail["certification"] == "TV-PG"


def test_odd_stored_descriptors_show_only_known_ones_of_a_stored_rating():
    """The column is an object by its CHECK; what is inside is anyone's (plain SQL, an older backend)."""
    certifications = {"US": "TV-14", "GB": "15", "CA": "14+", "DE": 16}
    stored = {"US": ["D", "D", "X", 7, None, {}], "GB": "LV", "CA": ["S"], "DE": ["V"], "FR": ["V"]}
    assert rating_descriptor_words(certifications, stored) == [
        ("CA 14+", "sexual situations"),
        ("TV-14", "suggestive dialogue"),
    ]
    assert rating_descriptor_words(None, stored) == [] and rating_descriptor_words(certifications, []) == []
