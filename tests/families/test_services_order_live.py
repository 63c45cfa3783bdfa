"""Moving services under concurrent requests, on a real server over a socket: each move starts
from the order the previous one saved (the selection row is locked), so none is lost."""

import re
from concurrent.futures import ThreadPoolExecutor

import httpx
import psycopg
import pytest

from axolotly.catalog.providers import PROVIDERS
from axolotly.seed.demo import DEMO_PARENT
from tests.support.pg import demo_database, libpq_url
from tests.support.processes import live_server

MOVES = 8
TIMEOUT = 60  # generous: the machine's cores are shared


@pytest.fixture(scope="module")
def server(server_url):
    database = demo_database(server_url, "axolotly_services_live")
    with live_server(database, workers=2) as base:
        yield base, database


def logged_in(base: str) -> tuple[httpx.Client, str]:
    browser = httpx.Client(base_url=base, timeout=TIMEOUT)
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', browser.get("/login").text)[1]
    answer = browser.post("/login", data={"email": DEMO_PARENT[0], "password": DEMO_PARENT[1], "csrf_token": token})
    assert answer.status_code in (200, 303), answer.text
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', browser.get("/family/services").text)[1]
    return browser, token


def test_concurrent_moves_each_count(server):
    base, database = server
    services = [p.id for p in PROVIDERS[: MOVES + 1]]
    browser, token = logged_in(base)
    assert browser.post("/family/services", data={"use": services, "csrf_token": token}).status_code == 303
    first = services[0]

    def move_down(_):
        response = browser.post(
            "/family/services/move",
            follow_redirects=False,
            data={"service": first, "direction": "down", "csrf_token": token},
        )
        return response.status_code

    with ThreadPoolExecutor(MOVES) as pool:
        assert list(pool.map(move_down, range(MOVES))) == [303] * MOVES
    with psycopg.connect(libpq_url(database)) as conn:
        saved = conn.execute(
            "SELECT s.selected_services FROM streaming_service_selection s "
            "JOIN users u ON u.id = s.family_id WHERE u.email = %s",
            (DEMO_PARENT[0],),
        ).fetchone()[0]
    # Eight moves one place down from the top: last of nine, the others in their old order.
    assert saved == services[1:] + [first]
    browser.close()
