"""The jobs themselves; each opens its own transaction (a worker has no request)."""

import logging

import procrastinate

from axolotly.catalog.service import load_episodes
from axolotly.catalog.tmdb import catalog_provider
from axolotly.config import get_settings
from axolotly.db.engine import session_factory

blueprint = procrastinate.Blueprint()
logger = logging.getLogger(__name__)


@blueprint.task(name="load_title_episodes", retry=procrastinate.RetryStrategy(max_attempts=5, exponential_wait=2))
def load_title_episodes(title_id: int) -> int:
    """Loads (or refreshes) a show's episodes from the catalog provider."""
    with session_factory()() as db, db.begin():
        count = load_episodes(db, catalog_provider(get_settings()), title_id)
    logger.info("loaded %s episodes for title %s", count, title_id)
    return count
