import os

os.environ.setdefault("ENV", "test")
os.environ.setdefault("BCRYPT_ROUNDS", "4")

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, event, text
from sqlalchemy.orm import Session

from axolotly.config import get_settings
from axolotly.db import engine as engine_module
from axolotly.db import migrate
from axolotly.db.replicas import get_read_session
from axolotly.launcher.reads import SessionLauncherReads, get_launcher_reads
from axolotly.ops import stats
from tests.pg import reset_public_schema, test_server


@pytest.fixture(scope="session")
def server_url():
    with test_server() as url:
        yield url


@pytest.fixture(scope="session")
def database_url(server_url):
    """The suite's database, wiped and built by the migrations (never by create_all)."""
    reset_public_schema(server_url)
    migrate.upgrade(server_url)
    os.environ["DATABASE_URL"] = server_url
    get_settings.cache_clear()
    engine_module.get_engine.cache_clear()
    engine_module.session_factory.cache_clear()
    return server_url


@pytest.fixture(scope="session")
def engine(database_url):
    engine = engine_module.get_engine()
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine):
    """One connection-level transaction per test, rolled back at the end."""
    with engine.connect() as connection:
        transaction = connection.begin()
        yield connection
        transaction.rollback()


@pytest.fixture
def db(connection):
    with Session(bind=connection, join_transaction_mode="create_savepoint") as session:
        yield session


class StatementCounter:
    def __init__(self):
        self.statements: list[str] = []

    # Savepoints come from the test harness's per-test transaction, not from the application.
    HARNESS = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(self.HARNESS):
            self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_statements(engine):
    counter = StatementCounter()
    event.listen(engine, "before_cursor_execute", counter)
    yield counter
    event.remove(engine, "before_cursor_execute", counter)


@pytest.fixture
def app(db):
    """The real app, whose request sessions join the test's rolled-back transaction."""
    from axolotly.main import create_app

    application = create_app()

    def test_session():
        db.commit()  # keep what the test set up; a failing request rolls back only its own work
        db.info.pop("actor", None)  # each request says who acts, as a new session would
        db.info.pop("actor_id", None)
        try:
            yield db
            db.commit()
        except BaseException:
            db.rollback()
            raise

    application.dependency_overrides[engine_module.get_session] = test_session
    application.dependency_overrides[get_read_session] = test_session
    application.dependency_overrides[get_launcher_reads] = lambda: SessionLauncherReads(db)
    return application


@pytest.fixture
def client(app, engine):
    with TestClient(app) as test_client:
        yield test_client
    clear_throttles(engine)


def clear_throttles(engine) -> None:
    """Throttle counters commit on their own (security/rate_limits.py), outside the test's
    rolled-back transaction: each test starts with none."""
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM rate_limits"))


@pytest.fixture
def committed(engine):
    """Rows other connections can see (committed), removed again after the test.

    Append (model, id) pairs; they are deleted in reverse order (cascades take the rest).
    """
    made: list = []
    yield made
    with Session(engine) as db, db.begin():
        for model, row_id in reversed(made):
            db.execute(delete(model).where(model.id == row_id))
        db.execute(text("DELETE FROM procrastinate_jobs"))


@pytest.fixture
def uncached(monkeypatch):
    """Database statistics read afresh on every call (no DB_STATS_CACHE_SECONDS cache); yields
    the fresh `DatabaseStats` that /metrics and db-health use."""
    monkeypatch.setenv("DB_STATS_CACHE_SECONDS", "0")
    get_settings.cache_clear()
    fresh = stats.DatabaseStats()
    monkeypatch.setattr(stats, "database_stats", fresh)
    monkeypatch.setattr("axolotly.ops.metrics.database_stats", fresh)
    yield fresh
    get_settings.cache_clear()
