import os
import secrets

os.environ.setdefault("ENV", "test")
os.environ.setdefault("BCRYPT_ROUNDS", "4")
# A key of this run only (the processes the tests start inherit it): nothing signs with a value
# written in the repository, and the checkout's own .axolotly/secret-key is left alone.
os.environ.setdefault("JWT_SECRET", secrets.token_urlsafe(48))

import pytest
import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import delete, event, text
from sqlalchemy.orm import Session

from axolotly.config import get_settings
from axolotly.db import engine as engine_module
from axolotly.db import migrate
from axolotly.db.replicas import get_read_session
from axolotly.launcher.reads import get_launcher_reads
from axolotly.ops import stats
from axolotly.screen_time import partitions
from tests.support.dependants import dependants_remembered
from tests.support.launcher_reads import SessionLauncherReads
from tests.support.pg import clear_throttles, reset_public_schema, test_server
from tests.support.pinned_days import EVERY_KIND_OF_DAY, Clock

# Fixtures shared across domains live in these modules (helpers are imported from tests.support).
pytest_plugins = ["tests.support.kid_pages"]


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
        except BaseException as error:
            engine_module.end_request(db, error)
            raise

    application.dependency_overrides[engine_module.get_session] = test_session
    application.dependency_overrides[get_read_session] = test_session
    application.dependency_overrides[get_launcher_reads] = lambda: SessionLauncherReads(db)
    with dependants_remembered():  # with overrides, FastAPI would rebuild every dependency per request
        yield application


@pytest.fixture
def client(app, engine):
    with TestClient(app) as test_client:
        yield test_client
    clear_throttles(engine)


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


@pytest.fixture(params=EVERY_KIND_OF_DAY, ids=lambda day: day.name)
def clock(request, db):
    """Time is a fixture: the test runs at noon on a school day, a weekend day and a DST change
    (tests/support/pinned_days.py; narrow it with `@pytest.mark.parametrize("clock", [...], indirect=True)`).

    time-machine moves Python's clock only, not PostgreSQL's now(): screen time hands Python's
    time to its queries, and what SQL times itself (pairing codes, throttles) is measured against
    now() on both ends. The pinned month's watch-history partition is made in the test's
    transaction (the migration made those around the real date).
    """
    with time_machine.travel(request.param.noon, tick=False) as traveller:
        partitions.make_ahead(db, request.param.noon)
        yield Clock(request.param, traveller)


@pytest.fixture(autouse=True)
def _pinned_clock_first(request):
    """A test on a pinned clock has it from its first fixture on: a token signed at the real time
    would be "not yet valid" at a pinned instant in the past, whatever order the test names them."""
    if "clock" in request.fixturenames:
        request.getfixturevalue("clock")
