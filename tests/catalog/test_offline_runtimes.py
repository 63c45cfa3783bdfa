"""The offline catalog's episodes carry their show's typical length (`runtime`, minutes), so a
demo without a TMDB key can show "let the episode finish" (issue 27): the seeded episodes know
how long they run, and the grace has something to go on."""

import json
from datetime import UTC, datetime, timedelta
from importlib import resources

from sqlalchemy import select

from axolotly.catalog.offline import OfflineCatalog
from axolotly.models import Episode, Title
from axolotly.screen_time.clock import may_finish
from axolotly.seed.demo import seed_demo


def shipped_shows() -> list[dict]:
    raw = json.loads((resources.files("axolotly.data") / "offline_catalog.json").read_text(encoding="utf-8"))
    return [entry for entry in raw["titles"] if entry.get("seasons")]


def test_every_shipped_episode_has_a_whole_number_of_minutes_and_the_loader_reads_it():
    shows = shipped_shows()
    assert shows
    for show in shows:
        runtimes = [episode["runtime"] for season in show["seasons"] for episode in season["episodes"]]
        assert all(isinstance(minutes, int) and 3 <= minutes <= 60 for minutes in runtimes), show["title"]
        read = [episode.runtime_minutes for episode in OfflineCatalog().get_episodes(show["tmdb_id"])]
        assert read == runtimes, show["title"]


def test_a_short_show_and_a_long_one_keep_their_real_lengths():
    by_title = {show["title"]: show["tmdb_id"] for show in shipped_shows()}
    assert {e.runtime_minutes for e in OfflineCatalog().get_episodes(by_title["Bluey"])} == {7}
    assert {e.runtime_minutes for e in OfflineCatalog().get_episodes(by_title["Wild Kratts"])} == {26}


def test_the_demo_seed_stores_a_runtime_for_every_episode_so_the_grace_works(db):
    report = seed_demo(db)
    runtimes = db.execute(select(Episode.runtime_minutes).join(Title, Title.id == Episode.title_id)).scalars().all()
    assert report.episodes > 0 and len(runtimes) >= report.episodes
    assert None not in runtimes
    bluey = db.scalar(
        select(Episode.runtime_minutes)
        .join(Title, Title.id == Episode.title_id)
        .where(Title.title == "Bluey")
        .order_by(Episode.season_number, Episode.episode_number)
        .limit(1)
    )
    # Emma's time runs out at 19:00 with Bluey started at 18:57: with a 5-minute grace it plays to its end.
    runs_out = datetime(2025, 3, 3, 19, 0, tzinfo=UTC)
    started = runs_out - timedelta(minutes=3)
    assert may_finish(started, bluey, runs_out, 5, runs_out + timedelta(minutes=1)) == started + timedelta(minutes=7)
