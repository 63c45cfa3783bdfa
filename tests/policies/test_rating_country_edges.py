"""The edges of reading ratings in a family's country (issue 25 review): a country that rates one
kind only, ratings TMDB gives the same order, where a title streams, and the rating pages show."""

import html

from axolotly.models import Title
from axolotly.policies.evaluate import Rules, TitleFacts, evaluate_title
from axolotly.policies.service import title_facts
from tests.support.api import auth, sign_up
from tests.support.factories import make_title
from tests.support.pages import log_in


def show(**certifications: str) -> TitleFacts:
    return TitleFacts(("netflix",), None, media_type="tv", certifications=certifications)


def test_a_country_without_a_tv_scale_caps_shows_with_its_movie_cap_by_age():
    emma_ie = Rules("rules", "12A", None, True, kid_name="Emma", country="IE")  # Ireland rates films only
    hidden = evaluate_title(None, [], show(DE="18"), emma_ie)
    assert not hidden.visible
    assert hidden.explanation == "No rating in Ireland; rated 18 in Germany, above Emma's limit, 12A"
    assert evaluate_title(None, [], show(DE="6"), emma_ie).visible
    no_movie_cap = Rules("rules", None, None, True, kid_name="Emma", country="IE")
    assert evaluate_title(None, [], show(DE="18"), no_movie_cap).visible  # no cap set: none applies


def test_ratings_tmdb_gives_the_same_order_stay_apart():
    emma_es = Rules("rules", "12", None, True, kid_name="Emma", country="ES")  # Spain's 12 and 16 share order 5
    film = TitleFacts(("netflix",), None, media_type="movie", certifications={"ES": "16"})
    assert not evaluate_title(None, [], film, emma_es).visible


def test_a_title_listed_for_other_regions_only_does_not_stream_in_the_familys():
    listed = Title(providers=["netflix"], providers_by_country={"US": ["netflix"]}, media_type="movie", tags=[])
    assert title_facts(listed, "DE").providers == ()
    assert title_facts(listed, "US").providers == ("netflix",)
    offline = Title(providers=["netflix"], providers_by_country={}, media_type="movie", tags=[])
    assert title_facts(offline, "DE").providers == ("netflix",)  # no region known at all: the spec's list


def test_pages_show_the_rating_as_the_familys_country_reads_it(client, db):
    parent = sign_up(client)
    assert client.put("/api/parent/family", json={"country": "DE"}, headers=auth(parent)).status_code == 200
    rated_here = make_title(db, title="Rated in Germany", certification="PG", certifications={"DE": "6", "US": "PG"})
    rated_elsewhere = make_title(db, title="Rated in Britain", certifications={"GB": "15"})
    db.commit()
    log_in(client, parent["email"])
    facts = {
        title.title: html.unescape(client.get(f"/catalog/titles/{title.id}").text)
        for title in (rated_here, rated_elsewhere)
    }
    assert " · 6</p>" in facts["Rated in Germany"] and " · PG</p>" not in facts["Rated in Germany"]
    assert " · GB 15</p>" in facts["Rated in Britain"]
