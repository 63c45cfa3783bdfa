"""A slow TMDB holds no thread, no database connection and no transaction (issue 21, part 4):
routes ask it outside their transactions, through one client per process (closed at shutdown),
within TMDB_DEADLINE_SECONDS for the whole request, retries and backoff included."""

import asyncio
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import httpx
import pytest
import respx
from fastapi.testclient import TestClient
from sqlalchemy import update

from axolotly.catalog.deps import get_catalog_source
from axolotly.catalog.tmdb import AsyncTmdbClient, TmdbClient, process_clients
from axolotly.config import Settings, get_settings
from axolotly.errors import NotFound, Unauthorized, UpstreamUnavailable
from axolotly.families.context import family_of, still_acting_for
from axolotly.models import FamilyMember, User
from axolotly.seed.demo import DEMO_PARENT
from tests.support.api import auth, sign_up
from tests.support.factories import make_family
from tests.support.live_app import paired_launcher, parent_headers
from tests.support.pg import demo_database
from tests.support.processes import live_server
from tests.support.tmdb_fixtures import BASE, SEARCH_MULTI, TV_DETAIL, async_tmdb

TIMEOUT = 60  # generous: the machine's cores are shared
SLOW_TMDB_SECONDS = 5.0
SEARCHES = 40
FAST = 2.0  # what a launcher poll or a log-in may take while TMDB is slow (normally milliseconds)


# -- the deadline ---------------------------------------------------------------------------------


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds

    async def asleep(self, seconds: float) -> None:
        self.now += seconds


@respx.mock
def test_retries_stop_when_the_backoff_would_end_past_the_deadline():
    route = respx.get(f"{BASE}/search/multi").mock(return_value=httpx.Response(503, headers={"Retry-After": "5"}))
    clock = FakeClock()
    settings = Settings(tmdb_api_key="k", tmdb_deadline_seconds=8, tmdb_max_retries=10)
    with pytest.raises(UpstreamUnavailable, match="TMDB answered 503.*within 8 s"):
        asyncio.run(AsyncTmdbClient(settings, sleep=clock.asleep, clock=clock).search("bluey"))
    # One wait of 5 s, then a second would end at 10 s: given up at once instead of sleeping.
    assert route.call_count == 2 and clock.now == 5


@respx.mock
def test_jobs_blocking_client_keeps_the_same_deadline():
    route = respx.get(f"{BASE}/tv/82728").mock(return_value=httpx.Response(500))
    clock = FakeClock()
    settings = Settings(tmdb_api_key="k", tmdb_deadline_seconds=8, tmdb_max_retries=10)
    with pytest.raises(UpstreamUnavailable, match="within 8 s"):
        TmdbClient(settings, sleep=clock.sleep, clock=clock).get_title("tv", 82728)
    # Backoff 0.5, 1, 2 and 4 s (7.5 s in all); the next (8 s) would pass the deadline.
    assert route.call_count == 5 and clock.now == 7.5


@respx.mock
def test_a_tmdb_slower_than_the_deadline_is_a_502_for_the_parent_not_a_wait(client):
    answered = []

    async def never_in_time(request):
        await asyncio.sleep(30)
        answered.append(request)
        return httpx.Response(200, json=SEARCH_MULTI)

    respx.get(f"{BASE}/search/multi").mock(side_effect=never_in_time)
    client.app.dependency_overrides[get_catalog_source] = lambda: async_tmdb(tmdb_deadline_seconds=0.5)
    parent = sign_up(client)
    response = client.get("/api/parent/catalog/search", params={"q": "bluey"}, headers=auth(parent))
    assert response.status_code == 502 and response.json()["detail"] == "TMDB did not answer within 0.5 s"
    assert answered == []  # the wait was cancelled at the deadline, not sat out


@respx.mock
def test_an_answer_that_is_not_json_is_a_502(client):
    respx.get(f"{BASE}/search/multi").mock(return_value=httpx.Response(200, text="<html>maintenance</html>"))
    client.app.dependency_overrides[get_catalog_source] = lambda: async_tmdb()
    parent = sign_up(client)
    response = client.get("/api/parent/catalog/search", params={"q": "bluey"}, headers=auth(parent))
    assert response.status_code == 502 and "JSON" in response.json()["detail"]


# -- one client per process -----------------------------------------------------------------------


@pytest.fixture
def tmdb_configured(monkeypatch):
    monkeypatch.setenv("TMDB_API_KEY", "test-key")
    get_settings.cache_clear()
    yield get_settings()
    monkeypatch.undo()  # before clearing: settings read in between would keep the key for later tests
    get_settings.cache_clear()


@respx.mock
def test_requests_share_one_tmdb_client_closed_at_shutdown(app, tmdb_configured):
    route = respx.get(f"{BASE}/search/multi").mock(return_value=httpx.Response(200, json=SEARCH_MULTI))
    with TestClient(app) as client:
        parent = sign_up(client)
        for query in ("bluey", "moana"):
            answer = client.get("/api/parent/catalog/search", params={"q": query}, headers=auth(parent))
            assert answer.status_code == 200 and answer.json()[0]["title"] == "Bluey"
            used = client.portal.call(get_catalog_source)
            assert isinstance(used, AsyncTmdbClient) and not used.is_closed
            if query == "bluey":
                first = used
        assert used is first and route.call_count == 2
    assert first.is_closed  # by the app's lifespan, as the server stops


def test_jobs_share_one_blocking_client_closed_when_the_worker_stops(tmdb_configured):
    client = process_clients.blocking(tmdb_configured)
    assert process_clients.blocking(tmdb_configured) is client and not client.is_closed
    process_clients.close()  # what jobs/runner.py does as the worker stops
    assert client.is_closed and process_clients.blocking(tmdb_configured) is not client
    process_clients.close()


# -- a slow TMDB against a real server ------------------------------------------------------------


class FakeTmdb(ThreadingHTTPServer):
    """TMDB's v3 API on 127.0.0.1, answering each request after `delay` seconds; counts the
    connections opened to it and the requests it is holding."""

    daemon_threads = True
    request_queue_size = 128  # a burst of connections at once, none refused by a short backlog

    def __init__(self):
        super().__init__(("127.0.0.1", 0), FakeTmdbHandler)
        self.delay = 0.0
        self.connections = 0
        self.holding = 0
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/3"


class FakeTmdbHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: one client per process reuses its connections

    def setup(self):
        super().setup()
        with self.server.lock:
            self.server.connections += 1

    def do_GET(self):
        with self.server.lock:
            self.server.holding += 1
        try:
            time.sleep(self.server.delay)
            path = urlsplit(self.path).path
            body = {"/3/search/multi": SEARCH_MULTI, "/3/tv/82728": TV_DETAIL}.get(path)
            payload = httpx.Response(200, json=body or {"status_message": "not found"}).content
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        finally:
            with self.server.lock:
                self.server.holding -= 1

    def log_message(self, format, *args):
        pass


@contextmanager
def fake_tmdb() -> Iterator[FakeTmdb]:
    server = FakeTmdb()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def page_cookies(base: str) -> httpx.Cookies:
    """A parent's page session (the log-in form, CSRF token included)."""
    with httpx.Client(base_url=base, timeout=TIMEOUT) as browser:
        token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', browser.get("/login").text)[1]
        answer = browser.post("/login", data={"email": DEMO_PARENT[0], "password": DEMO_PARENT[1], "csrf_token": token})
        assert answer.status_code == 303, answer.text
        return browser.cookies


async def timed(request) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = await request
    return response, time.monotonic() - started


async def while_tmdb_is_slow(base: str, tmdb: FakeTmdb, parent: dict, device: dict, cookies: httpx.Cookies):
    """SEARCHES searches (three in four through the API, the rest through the page) and an import
    wait on TMDB; meanwhile the launcher polls and parents log in, each timed."""
    async with (
        httpx.AsyncClient(base_url=base, timeout=TIMEOUT) as http,
        httpx.AsyncClient(base_url=base, timeout=TIMEOUT, cookies=cookies) as browser,
    ):
        searches = [
            asyncio.create_task(
                http.get("/api/parent/catalog/search", params={"q": f"bluey {n}"}, headers=parent)
                if n % 4
                else browser.get("/catalog", params={"q": f"bluey {n}"})
            )
            for n in range(SEARCHES)
        ]
        searches.append(
            asyncio.create_task(
                http.post("/api/parent/catalog/titles", json={"tmdb_id": 82728, "media_type": "tv"}, headers=parent)
            )
        )
        deadline = time.monotonic() + TIMEOUT
        while tmdb.holding < len(searches):  # every one of them is waiting on TMDB now
            assert time.monotonic() < deadline, f"only {tmdb.holding} requests reached TMDB"
            await asyncio.sleep(0.05)
        quick = []
        for _ in range(3):
            quick.append(await timed(http.get("/api/apps", headers=device)))
            quick.append(
                await timed(
                    http.post("/api/parent/auth/login", json={"email": DEMO_PARENT[0], "password": DEMO_PARENT[1]})
                )
            )
            quick.append(await timed(http.get("/healthz")))
        still_waiting = tmdb.holding
        return quick, still_waiting, await asyncio.gather(*searches)


def test_a_slow_tmdb_leaves_launcher_polls_and_log_ins_fast_and_the_pool_undrained(server_url):
    database = demo_database(server_url, "axolotly_tmdb_slow")
    with fake_tmdb() as tmdb:
        # A small pool: a search holding a connection while TMDB thinks would drain it at once.
        env = {"TMDB_BASE_URL": tmdb.url, "TMDB_API_KEY": "test-key", "DB_POOL_SIZE": "4", "DB_MAX_OVERFLOW": "0"}
        with live_server(database, env=env) as base:
            with httpx.Client(base_url=base, timeout=TIMEOUT) as setup:
                parent = parent_headers(setup)
                device = paired_launcher(setup, parent)
                for query in ("bluey", "moana"):  # TMDB quick: both searches on one kept-alive connection
                    answer = setup.get("/api/parent/catalog/search", params={"q": query}, headers=parent)
                    assert answer.status_code == 200 and answer.json()[0]["title"] == "Bluey"
                assert tmdb.connections == 1  # one client for the process, not one (never closed) per request
            cookies = page_cookies(base)

            tmdb.delay = SLOW_TMDB_SECONDS
            quick, still_waiting, answers = asyncio.run(while_tmdb_is_slow(base, tmdb, parent, device, cookies))

    assert still_waiting > 0  # the quick requests were served while TMDB still held the searches
    for response, seconds in quick:
        assert response.status_code == 200, (response.request.url, response.status_code, response.text)
        assert seconds < FAST, f"{response.request.url.path} took {seconds:.2f} s while TMDB was slow"
    *searches, imported = answers
    assert [r.status_code for r in searches] == [200] * SEARCHES  # no 503: the pool was never drained
    assert all(r.json()[0]["title"] == "Bluey" for r in searches if r.request.url.path.startswith("/api/"))
    assert all("Bluey" in r.text for r in searches if r.request.url.path == "/catalog")
    assert imported.status_code == 201 and imported.json()["tmdb_id"] == 82728


def test_what_was_true_before_the_wait_is_checked_again_where_the_write_happens(db):
    """A search's write runs seconds after its log-in was checked: a password change, or a co-parent
    removed, in between must not let it write."""
    owner, co_parent = make_family(db), make_family(db)
    membership = FamilyMember(family_id=owner.id, user_id=co_parent.id)
    db.add(membership)
    db.flush()
    before_the_wait = family_of(db, co_parent)
    still_acting_for(db, before_the_wait)  # nothing changed: the write goes ahead

    # Another request's change: the context keeps what it read before the wait.
    signed_out_everywhere = update(User).where(User.id == co_parent.id).values(token_epoch=User.token_epoch + 1)
    db.execute(signed_out_everywhere.execution_options(synchronize_session=False))
    with pytest.raises(Unauthorized):
        still_acting_for(db, before_the_wait)
    db.execute(update(User).where(User.id == co_parent.id).values(token_epoch=before_the_wait.user.token_epoch))

    db.delete(membership)
    db.flush()
    with pytest.raises(NotFound):
        still_acting_for(db, before_the_wait)
