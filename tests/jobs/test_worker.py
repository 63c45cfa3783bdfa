"""The real worker, in-process, loads a newly allowed show's episodes from (faked) TMDB."""

import asyncio

import httpx
import respx
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from axolotly.catalog.service import upsert_title
from axolotly.catalog.sources import CatalogTitle
from axolotly.config import get_settings
from axolotly.jobs.registry import get_job_app
from axolotly.models import Episode, KidProfile, Title, User
from axolotly.policies.service import set_policy
from tests.support.factories import TEST_PIN_HASH
from tests.support.tmdb_fixtures import BASE, TV_DETAIL, season


async def run_worker_until_queue_is_empty():
    app = get_job_app()
    async with app.open_async():
        await app.run_worker_async(wait=False, install_signal_handlers=False)


@respx.mock
def test_worker_loads_episodes_of_a_newly_allowed_show(engine, committed, monkeypatch):
    monkeypatch.setenv("TMDB_API_KEY", "test-key")
    get_settings.cache_clear()
    respx.get(f"{BASE}/tv/82728").mock(return_value=httpx.Response(200, json=TV_DETAIL))
    respx.get(f"{BASE}/tv/82728/season/1").mock(return_value=httpx.Response(200, json=season(1, 3)))
    respx.get(f"{BASE}/tv/82728/season/2").mock(return_value=httpx.Response(200, json=season(2, 2)))

    with Session(engine) as db, db.begin():
        family = User(email="worker-test@example.com", password_hash="x")
        db.add(family)
        db.flush()
        kid = KidProfile(family_id=family.id, name="Kid", pin_hash=TEST_PIN_HASH)
        db.add(kid)
        show = upsert_title(db, CatalogTitle(tmdb_id=82728, media_type="tv", title="Bluey", providers=["disney_plus"]))
        committed += [(User, family.id), (Title, show.id)]
        _, _, queued = set_policy(db, kid, show.id, "allow")
        show_id = show.id
    assert queued

    try:
        asyncio.run(run_worker_until_queue_is_empty())
    finally:
        # The key goes before the cache: a connection opened in between would cache it again.
        monkeypatch.undo()
        get_settings.cache_clear()

    with Session(engine) as db:
        loaded = db.execute(select(func.count()).select_from(Episode).where(Episode.title_id == show_id)).scalar_one()
        status = db.execute(
            text("SELECT status FROM procrastinate_jobs WHERE args->>'title_id' = :id"), {"id": str(show_id)}
        ).scalar_one()
    assert loaded == 5
    assert status == "succeeded"


def test_rolled_back_policy_leaves_no_job(engine):
    with Session(engine) as db:
        with db.begin():
            before = db.execute(text("SELECT count(*) FROM procrastinate_jobs")).scalar_one()
        transaction = db.begin()
        family = User(email="rollback-test@example.com", password_hash="x")
        db.add(family)
        db.flush()
        kid = KidProfile(family_id=family.id, name="Kid", pin_hash=TEST_PIN_HASH)
        db.add(kid)
        show = upsert_title(db, CatalogTitle(tmdb_id=777001, media_type="tv", title="Show"))
        set_policy(db, kid, show.id, "allow")
        transaction.rollback()
        with db.begin():
            assert db.execute(text("SELECT count(*) FROM procrastinate_jobs")).scalar_one() == before
