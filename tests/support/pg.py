"""The test suite's PostgreSQL: TEST_DATABASE_URL when set, else a throw-away local cluster."""

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

import psycopg
from sqlalchemy import text
from sqlalchemy.engine import make_url

from axolotly.db import migrate
from axolotly.db.cluster import LocalCluster
from axolotly.db.engine import normalise_url
from axolotly.db.migrate import recreate_database  # noqa: F401 (tests import it from here)


@contextmanager
def test_server():
    """Yields a SQLAlchemy URL of a database the tests may own completely."""
    configured = os.environ.get("TEST_DATABASE_URL")
    if configured:
        yield normalise_url(configured)
        return
    cluster = LocalCluster(Path(tempfile.mkdtemp(prefix="axolotly-test-")), throwaway=True)
    try:
        yield cluster.start()
    finally:
        cluster.destroy()


def libpq_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def reset_public_schema(url: str) -> None:
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")


def demo_database(server_url: str, name: str) -> str:
    """A database built by the migrations with the offline catalog and the demo family (and admin)."""
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from axolotly.seed.demo import seed_demo

    url = recreate_database(server_url, name)
    migrate.upgrade(url)
    engine = create_engine(url)
    with Session(engine) as db, db.begin():
        seed_demo(db)
    engine.dispose()
    return url


def clear_throttles(engine) -> None:
    """Throttle counters commit on their own (security/rate_limits.py), outside the test's
    rolled-back transaction: each test starts with none."""
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM rate_limits"))
