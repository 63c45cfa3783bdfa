"""Issue 25: a title's certifications and services per country, as TMDB gives them, and the
national services a family in each supported country can pick."""

import httpx
import pytest
import respx

from axolotly.catalog.offline import OfflineCatalog
from axolotly.catalog.providers import (
    PROVIDERS,
    PROVIDERS_BY_ID,
    is_safe_link,
    providers_for_country,
    registry_ids_for_offers,
)
from axolotly.catalog.service import upsert_title
from axolotly.catalog.tmdb import TmdbClient
from axolotly.catalog.tmdb_mapping import normalised_ratings, title_from
from axolotly.config import Settings
from axolotly.enums import MediaType
from tests.support.tmdb_fixtures import BASE, MOVIE_DETAIL_WORLDWIDE, TV_DETAIL_WORLDWIDE


def tmdb() -> TmdbClient:
    return TmdbClient(Settings(tmdb_api_key="test-key"), sleep=lambda seconds: None)


@respx.mock
def test_a_movie_keeps_each_countrys_certification_from_its_preferred_release():
    route = respx.get(f"{BASE}/movie/277834").mock(return_value=httpx.Response(200, json=MOVIE_DETAIL_WORLDWIDE))
    movie = tmdb().get_title(MediaType.MOVIE, 277834)
    # Theatrical, then limited theatrical, digital, physical, TV, premiere; empty and off-scale
    # certifications are no rating, and a country with no scale keeps none.
    assert movie.certifications == {"AU": "PG", "DE": "12", "GB": "12A", "US": "PG"}
    assert movie.certification == "PG"
    # Still one request: the countries come with the title's own appends.
    assert route.call_count == 1
    assert route.calls.last.request.url.params["append_to_response"] == "watch/providers,release_dates"


@respx.mock
def test_a_show_keeps_its_base_rating_and_its_descriptors_apart_and_drops_unknown_ratings():
    respx.get(f"{BASE}/tv/82728").mock(return_value=httpx.Response(200, json=TV_DETAIL_WORLDWIDE))
    show = tmdb().get_title(MediaType.TV, 82728)
    assert show.certifications == {"BR": "L", "DE": "6", "US": "TV-PG"}
    assert show.rating_descriptors == {"US": ["L", "V"]}  # only where the rating came with some
    assert show.certification == "tv-pg-lv"  # the spec's column, as TMDB wrote it (upsert tidies it)


@respx.mock
def test_a_movie_has_no_descriptors_and_a_search_hit_no_ratings_at_all():
    respx.get(f"{BASE}/movie/277834").mock(return_value=httpx.Response(200, json=MOVIE_DETAIL_WORLDWIDE))
    assert tmdb().get_title(MediaType.MOVIE, 277834).rating_descriptors == {}
    hit = title_from(TV_DETAIL_WORLDWIDE | {"media_type": "tv"}, MediaType.TV, "US")
    assert hit.certifications == {} and hit.rating_descriptors == {}


@respx.mock
def test_services_are_kept_per_region_and_national_ones_matched_where_they_are_offered():
    respx.get(f"{BASE}/movie/277834").mock(return_value=httpx.Response(200, json=MOVIE_DETAIL_WORLDWIDE))
    movie = tmdb().get_title(MediaType.MOVIE, 277834)
    assert movie.providers_by_country == {
        "AU": ["stan"],  # BBC iPlayer is not an Australian service
        "DE": ["joyn", "zdf_mediathek"],  # rentals and purchases are left out
        "GB": ["netflix", "bbc_iplayer", "itvx"],  # flat rate, free and with ads
        "JP": ["hulu_japan", "u_next"],  # TMDB's "Hulu" in Japan is Hulu Japan, not the US Hulu
        "US": ["disney_plus"],
    }
    assert movie.providers == ["disney_plus"]


@respx.mock
def test_without_a_us_entry_the_spec_providers_are_every_regions():
    respx.get(f"{BASE}/tv/82728").mock(return_value=httpx.Response(200, json=TV_DETAIL_WORLDWIDE))
    show = tmdb().get_title(MediaType.TV, 82728)
    assert show.providers_by_country == {
        "BR": ["globoplay"],
        "CA": ["crave", "cbc_gem"],
        "DE": ["arte"],
        "FR": ["france_tv", "arte"],
    }
    assert show.providers == ["globoplay", "crave", "cbc_gem", "arte", "france_tv"]


@respx.mock
def test_an_import_stores_the_certifications_and_services_per_country(db):
    respx.get(f"{BASE}/tv/82728").mock(return_value=httpx.Response(200, json=TV_DETAIL_WORLDWIDE))
    title = upsert_title(db, tmdb().get_title(MediaType.TV, 82728))
    assert title.certifications == {"BR": "L", "DE": "6", "US": "TV-PG"}
    assert title.rating_descriptors == {"US": ["L", "V"]}
    assert title.certification == "TV-PG"
    assert title.providers_by_country["FR"] == ["france_tv", "arte"]


def test_offline_titles_carry_the_us_certification_and_no_services_per_country():
    for title in OfflineCatalog().all_titles():
        assert title.providers_by_country == {}
        if title.certification and title.certification != "NR":
            assert title.certifications.get("US") == title.certification, title


def test_offline_certifications_of_other_countries_are_normalised():
    raw = {"GB": ["12a"], "DE": ["FSK 16"], "FR": ["not a rating"], "US": ["PG-13"]}
    assert normalised_ratings(MediaType.MOVIE, raw) == ({"DE": "16", "GB": "12A", "US": "PG-13"}, {})


def test_the_descriptors_kept_are_those_of_the_rating_kept():
    """The first value on the scale wins, with its own descriptors (none when it had none)."""
    raw = {"US": ["TV-Banana", "tv-y7-fv", "TV-PG-LV"], "GB": ["TV-PG-LV"]}
    assert normalised_ratings(MediaType.TV, raw) == ({"US": "TV-Y7"}, {"US": ["FV"]})
    assert normalised_ratings(MediaType.TV, {"US": ["TV-G", "TV-PG-DLSV"]}) == ({"US": "TV-G"}, {})


NATIONAL_SERVICES = {
    "GB": {"bbc_iplayer", "itvx", "channel_4", "my5"},
    "DE": {"ard_mediathek", "zdf_mediathek", "joyn", "rtl_plus", "arte"},
    "FR": {"france_tv", "arte", "tf1_plus"},
    "ES": {"rtve_play", "atresplayer", "movistar_plus"},
    "AU": {"abc_iview", "sbs_on_demand", "nine_now", "seven_plus", "stan", "binge"},
    "CA": {"cbc_gem", "crave"},
    "BR": {"globoplay"},
    "JP": {"u_next", "tver", "hulu_japan", "abema"},
}
GLOBAL_SERVICES = {"netflix", "disney_plus", "prime_video", "apple_tv_plus", "youtube"}


@pytest.mark.parametrize("country", sorted(NATIONAL_SERVICES))
def test_a_family_picks_its_countrys_national_services_and_the_global_ones(country):
    offered = [provider.id for provider in providers_for_country(country)]
    assert NATIONAL_SERVICES[country] | GLOBAL_SERVICES <= set(offered)
    others = set().union(*NATIONAL_SERVICES.values()) - NATIONAL_SERVICES[country]
    assert not others & set(offered)
    assert not {"hulu", "peacock", "pbs_kids"} & set(offered)  # US services
    registry_order = [provider.id for provider in PROVIDERS]
    assert offered == sorted(offered, key=registry_order.index)


def test_a_us_family_keeps_every_spec_service_in_the_spec_order():
    spec = [p.id for p in PROVIDERS[:16]]
    assert spec[:4] == ["netflix", "disney_plus", "hulu", "prime_video"] and spec[-1] == "kidoodle_tv"
    assert [p.id for p in providers_for_country("US")] == spec


def test_national_services_trust_only_links_on_their_own_hosts():
    for services in NATIONAL_SERVICES.values():
        for service in services:
            provider = PROVIDERS_BY_ID[service]
            assert provider.package and provider.hosts and provider.countries, provider
            assert is_safe_link(f"https://www.{provider.hosts[0]}/watch/1", service)
            assert not is_safe_link(f"https://{provider.hosts[0]}.evil.example/watch/1", service)
    assert not is_safe_link("https://www.bbc.co.uk/iplayer/episode/1", "itvx")


def test_an_offer_is_matched_by_tmdb_id_or_by_its_name_only_where_offered():
    assert registry_ids_for_offers([{"provider_id": 38, "provider_name": "BBC iPlayer"}], "GB") == ["bbc_iplayer"]
    assert registry_ids_for_offers([{"provider_id": 38, "provider_name": "BBC iPlayer"}], "FR") == []
    assert registry_ids_for_offers([{"provider_id": 1, "provider_name": "movistar plus"}], "ES") == ["movistar_plus"]
    assert registry_ids_for_offers([{"provider_id": 15, "provider_name": "Hulu"}], "US") == ["hulu"]
    assert registry_ids_for_offers([{"provider_name": None}, "junk", {"provider_id": "8"}], "US") == []
