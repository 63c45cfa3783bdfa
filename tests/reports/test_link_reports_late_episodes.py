"""A link reported before its show's episodes are loaded is matched when they arrive (the
episode-loading job), counts for its family once, and reaches kids like any other report."""

from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from axolotly.catalog.offline import OfflineCatalog
from axolotly.catalog.service import upsert_episodes, upsert_title
from axolotly.devices.codes import register_device
from axolotly.jobs.tasks import load_title_episodes
from axolotly.main import create_app
from axolotly.models import KidProfileTitle, Title, User
from tests.support.factories import make_family, make_kid
from tests.support.pg import clear_throttles

LINK = "https://www.disneyplus.com/video/bluey-s1e1"
REPORT = "/api/device/episode-report"


def bluey_without_episodes(db) -> Title:
    """The show as a parent's import leaves it: its episodes come later, from the job."""
    return upsert_title(db, next(t for t in OfflineCatalog().all_titles() if t.title == "Bluey"))


def family_device(db, committed, bluey: Title | None) -> dict:
    """A family whose one kid is allowed `bluey` (None: allowed nothing), and that kid's device."""
    family = make_family(db)
    committed.append((User, family.id))
    kid = make_kid(db, family)
    if bluey is not None:
        db.add(KidProfileTitle(kid_profile_id=kid.id, title_id=bluey.id, policy="allow"))
    device, api_key = register_device(db, family.id)
    device.kid_profile_id = kid.id
    return {"X-Device-ID": device.device_id, "X-API-Key": api_key}


def report(client, device, **said) -> str:
    body = {"platform": "disney_plus", "url": LINK, "season": 1, "episode": 1} | said
    answer = client.post(REPORT, json=body, headers=device)
    assert answer.status_code == 200, answer.text
    return answer.json()["status"]


def link_and_reports(engine) -> tuple:
    with Session(engine) as db:
        link = db.execute(text("SELECT id, reported_count FROM episode_links WHERE url = :url"), {"url": LINK}).first()
        pending = db.scalar(
            text("SELECT count(*) FROM link_reports WHERE url = :url AND link_id IS NULL"), {"url": LINK}
        )
        return link, pending


def first_episode_link(client, device) -> str:
    groups = {group["id"]: group for group in client.get("/api/apps", headers=device).json()}
    return groups["disney_plus"]["content"][0]["episodes"][0]["deepLink"]


def test_reports_sent_before_the_episodes_are_matched_when_the_job_loads_them(engine, committed):
    with Session(engine) as db, db.begin():
        bluey = bluey_without_episodes(db)
        committed.append((Title, bluey.id))
        by_tmdb_id, by_name, by_our_id = (family_device(db, committed, bluey) for _ in range(3))
        not_allowed = family_device(db, committed, None)
        bluey_id, bluey_tmdb = bluey.id, bluey.tmdb_id

    with TestClient(create_app()) as client:
        try:
            assert report(client, by_tmdb_id, tmdb_show_id=bluey_tmdb) == "pending"
            assert report(client, by_name, title="bluey") == "pending"
            assert report(client, by_our_id, title_id=bluey_id, episode=99) == "pending"  # no such episode
            assert report(client, not_allowed, tmdb_show_id=bluey_tmdb) == "pending"
            assert link_and_reports(engine) == (None, 4)

            assert load_title_episodes(bluey_id) > 0

            link, pending = link_and_reports(engine)
            assert link.reported_count == 2, "two families' reports now count"
            assert pending == 2, "an episode that does not exist and a show not allowed stay pending"
            assert first_episode_link(client, by_tmdb_id) == LINK, "two families: kids see the link"
            assert report(client, by_name, title="bluey") == "matched"  # the family's own report, counted once
            assert load_title_episodes(bluey_id) > 0  # a re-load changes nothing
            assert link_and_reports(engine) == ((link.id, 2), 2)
        finally:
            clear_throttles(engine)


def test_a_family_counted_already_keeps_one_report_of_the_link(engine, committed):
    """Episodes loaded before this fix (no matching step): the family's report then matched, and its
    report from before still waits. The next load drops the waiting one instead of counting the
    family twice."""
    with Session(engine) as db, db.begin():
        bluey = bluey_without_episodes(db)
        committed.append((Title, bluey.id))
        device = family_device(db, committed, bluey)
        bluey_id, bluey_tmdb = bluey.id, bluey.tmdb_id

    with TestClient(create_app()) as client:
        try:
            assert report(client, device, tmdb_show_id=bluey_tmdb) == "pending"
            with Session(engine) as db, db.begin():
                upsert_episodes(db, bluey_id, OfflineCatalog().get_episodes(bluey_tmdb))
            assert report(client, device, tmdb_show_id=bluey_tmdb) == "matched"
            assert link_and_reports(engine)[1] == 1

            load_title_episodes(bluey_id)

            link, pending = link_and_reports(engine)
            assert (link.reported_count, pending) == (1, 0)
            with Session(engine) as db:
                assert db.scalar(text("SELECT count(*) FROM link_reports WHERE url = :url"), {"url": LINK}) == 1
        finally:
            clear_throttles(engine)
