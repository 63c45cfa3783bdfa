"""The test suite's PostgreSQL: TEST_DATABASE_URL when set, else a throw-away local cluster."""

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from axolotly.db.cluster import LocalCluster
from axolotly.db.engine import normalise_url


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


def recreate_database(server_url: str, name: str) -> str:
    """Drops and creates database `name` on the server of `server_url`; returns its URL."""
    admin = libpq_url(make_url(server_url).set(database="postgres").render_as_string(hide_password=False))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def reset_public_schema(url: str) -> None:
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")
