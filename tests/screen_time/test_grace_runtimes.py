"""Episode runtimes for the episode grace: read from TMDB's season answer (`runtime`, minutes),
stored with the episode, never forgotten by a source that does not know them (the offline
catalog), and never moving the kid's launcher version (they are not shown)."""

import httpx
import pytest
import respx
from sqlalchemy import select

from axolotly.catalog.service import upsert_episodes
from axolotly.catalog.sources import CatalogEpisode
from axolotly.catalog.tmdb import TmdbClient
from axolotly.catalog.tmdb_mapping import episodes_of_season, runtime_minutes
from axolotly.config import Settings
from axolotly.models import Episode, KidProfile, KidProfileTitle
from tests.support.factories import make_family, make_kid, make_title
from tests.support.tmdb_fixtures import BASE, TV_DETAIL, season


@pytest.mark.parametrize(
    ("runtime", "minutes"),
    [(22, 22), (7.4, 7), (1440, 1440), (0, None), (None, None), (-5, None), (1441, None), ("22", None), (True, None)]
    + [(float("nan"), None), (float("inf"), None), (0.2, None)],
)
def test_tmdbs_runtime_is_read_as_whole_minutes_or_unknown(runtime, minutes):
    assert runtime_minutes(runtime) == minutes


def test_a_season_without_runtimes_reads_as_unknown():
    body = season(1, 2)
    for episode in body["episodes"]:
        del episode["runtime"]
    assert [episode.runtime_minutes for episode in episodes_of_season(body, 1)] == [None, None]


@respx.mock
def test_runtimes_come_with_the_episodes_from_tmdb():
    respx.get(f"{BASE}/tv/82728").mock(return_value=httpx.Response(200, json=TV_DETAIL))
    respx.get(f"{BASE}/tv/82728/season/1").mock(return_value=httpx.Response(200, json=season(1, 2)))
    respx.get(f"{BASE}/tv/82728/season/2").mock(return_value=httpx.Response(200, json=season(2, 1)))
    client = TmdbClient(Settings(tmdb_api_key="test-key"), sleep=lambda seconds: None)
    assert [episode.runtime_minutes for episode in client.get_episodes(82728)] == [7, 7, 7]


def episode(tmdb_id: int, runtime: int | None, name: str = "The Kite") -> CatalogEpisode:
    return CatalogEpisode(
        tmdb_episode_id=tmdb_id, season_number=1, episode_number=1, name=name, runtime_minutes=runtime
    )


def test_runtimes_are_stored_and_a_source_without_them_keeps_them(db):
    show = make_title(db, media_type="tv")
    upsert_episodes(db, show.id, [episode(990001, 22)])
    stored = lambda: db.scalar(select(Episode.runtime_minutes).where(Episode.tmdb_episode_id == 990001))  # noqa: E731
    assert stored() == 22
    upsert_episodes(db, show.id, [episode(990001, None, "The Kite!")])  # the offline catalog knows none
    assert stored() == 22
    upsert_episodes(db, show.id, [episode(990001, 23)])  # TMDB corrected it
    assert stored() == 23


def test_a_runtime_filled_in_leaves_the_kids_launcher_version_alone(db):
    kid = make_kid(db, make_family(db))
    show = make_title(db, media_type="tv", providers=["netflix"])
    db.add(KidProfileTitle(kid_profile_id=kid.id, title_id=show.id, policy="allow"))
    upsert_episodes(db, show.id, [episode(990002, None)])
    version = lambda: db.scalar(select(KidProfile.launcher_version).where(KidProfile.id == kid.id))  # noqa: E731
    before = version()
    upsert_episodes(db, show.id, [episode(990002, 22)])
    assert version() == before  # nothing the launcher shows changed: no new version, no refetch
    upsert_episodes(db, show.id, [episode(990002, 22, "The Red Kite")])
    assert version() != before  # a name it shows does move it
