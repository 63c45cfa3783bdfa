"""The engine (one per process) and the request-scoped session that owns the transaction."""

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

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


def direct_database_url() -> str:
    """PostgreSQL itself, bypassing a transaction pooler: for LISTEN and migrations
    (DATABASE_DIRECT_URL when DATABASE_URL is a PgBouncer; else DATABASE_URL)."""
    direct = get_settings().database_direct_url
    return normalise_url(direct) if direct else database_url()


def connection_options() -> dict[str, Any]:
    """psycopg options of every app connection (ORM, launcher pool, job worker).

    Behind a transaction pooler a connection may reach another server connection on each
    transaction, so psycopg must never prepare statements on the server (its default after 5
    executions); `prepare_threshold=None` sends every statement unprepared.
    """
    settings = get_settings()
    options: dict[str, Any] = {"connect_timeout": settings.db_connect_timeout_seconds}
    if settings.behind_pooler:
        options["prepare_threshold"] = None
    return options


def normalise_url(url: str) -> str:
    """Accepts plain `postgresql://` URLs (as PaaS hand them out) and selects psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
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
        # A connection the database dropped (restart, terminated backend) is noticed by the ping
        # at check-out and replaced by a fresh one before the request's statements run; the
        # first disconnect seen also drops every older pooled connection (SQLAlchemy).
        pool_pre_ping=settings.db_pool_pre_ping,
        connect_args=connection_options(),
    )
    slow_queries.watch(engine)
    return engine


@lru_cache
def get_engine() -> Engine:
    return build_engine(database_url())


@lru_cache
def session_factory() -> sessionmaker[Session]:
    return sessionmaker(bind=get_engine(), expire_on_commit=False)


# session.info key: the error that ends the request but keeps what it wrote (`keep_through`).
KEPT_THROUGH = "kept_through"


def keep_through(session: Session, error: BaseException) -> None:
    """Marks `error` as a refusal that keeps what the request recorded about it (the audit event
    of a failed log-in, a PIN lockout): the transaction owner commits when exactly this error ends
    the request (security/rate_limits.py `refuse`)."""
    session.info[KEPT_THROUGH] = error


def end_request(session: Session, error: BaseException) -> None:
    """Ends the transaction of a request that `error` interrupted: committed when the error was
    marked by `keep_through`, else rolled back. The one place a failed request's fate is decided."""
    if session.info.pop(KEPT_THROUGH, None) is error:
        session.commit()
    else:
        session.rollback()


def get_session() -> Iterator[Session]:
    """FastAPI dependency: one transaction per request, committed once at the end.

    Services flush when they need ids and never commit; an exception anywhere rolls back (but a
    refusal marked by `keep_through`). Used with scope="function" (accounts/deps.py DbSession), so
    the commit happens before the response is sent and a failed commit becomes an error response
    (http_errors.py), never a 2xx.
    """
    with session_factory()() as session:
        session.begin()
        try:
            yield session
        except BaseException as error:
            end_request(session, error)
            raise
        session.commit()
