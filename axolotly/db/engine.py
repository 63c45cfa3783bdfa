"""The engine (one per process) and the request-scoped session that owns the transaction."""

from collections.abc import Iterator
from functools import lru_cache

from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session, sessionmaker

from axolotly.config import get_settings
from axolotly.db import slow_queries


def database_url() -> str:
    """DATABASE_URL when set, else the project's embedded cluster (which must be started)."""
    configured = get_settings().database_url
    if configured:
        return normalise_url(configured)
    from axolotly.db.cluster import project_cluster

    return project_cluster().url()


def normalise_url(url: str) -> str:
    """Accepts plain `postgresql://` URLs (as PaaS hand them out) and selects psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def libpq_conninfo(url: str) -> str:
    """The same URL for psycopg/libpq directly (async pools, procrastinate): no SQLAlchemy driver."""
    return normalise_url(url).replace("postgresql+psycopg://", "postgresql://", 1)


def build_engine(url: str) -> Engine:
    settings = get_settings()
    engine = create_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_pre_ping=settings.db_pool_pre_ping,
    )
    slow_queries.watch(engine)
    return engine


@lru_cache
def get_engine() -> Engine:
    return build_engine(database_url())


@lru_cache
def session_factory() -> sessionmaker[Session]:
    return sessionmaker(bind=get_engine(), expire_on_commit=False)


def get_session() -> Iterator[Session]:
    """FastAPI dependency: one transaction per request, committed once at the end.

    Services flush when they need ids and never commit; an exception anywhere rolls back. Used
    with scope="function" (accounts/deps.py DbSession), so the commit happens before the response
    is sent and a failed commit becomes an error response (http_errors.py), never a 2xx.
    """
    with session_factory()() as session, session.begin():
        yield session
