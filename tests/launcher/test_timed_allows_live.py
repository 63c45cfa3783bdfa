"""A held launcher poll wakes when an allow ends (issue 27), through a real server: no job runs and
nothing is written at that instant, yet the poll answers 200 with the title gone."""

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.support.live_app import paired_launcher, parent_headers, sql
from tests.support.pg import demo_database
from tests.support.processes import live_server

TIMEOUT = 60


@pytest.fixture(scope="module")
def database(server_url):
    return demo_database(server_url, "axolotly_timed_allows")


@pytest.fixture(scope="module")
def server(database):
    with live_server(database) as base:
        yield base


def test_a_held_poll_wakes_when_an_allow_ends_and_gets_the_launcher_without_the_title(server, database):
    with httpx.Client(base_url=server, timeout=TIMEOUT) as client:
        parent = parent_headers(client)
        kid_id = next(k["id"] for k in client.get("/api/parent/kids", headers=parent).json() if k["name"] == "Emma")
        device = paired_launcher(client, parent, "Emma")
        # PG-13: above an 8-year-old's rules, so only the allow shows it.
        title_id = sql(database, "SELECT id FROM titles WHERE title = 'Iron Man'")[0][0]
        end = datetime.now(UTC) + timedelta(seconds=4)
        allowed = client.put(
            f"/api/parent/kids/{kid_id}/policies/{title_id}",
            json={"policy": "allow", "until": end.isoformat()},
            headers=parent,
        )
        assert allowed.status_code == 200, allowed.text
        first = client.get("/api/apps", headers=device)
        assert str(title_id) in {item["id"] for group in first.json() for item in group["content"]}
        assert datetime.now(UTC) < end, "the machine was too slow to read the launcher before the end"

        held = client.get("/api/apps", headers={**device, "If-None-Match": first.headers["ETag"], "Prefer": "wait=30"})

    # A 304 would have come after the whole 30 s wait: a 200 is the end waking the poll.
    assert held.status_code == 200 and held.headers["ETag"] != first.headers["ETag"]
    assert str(title_id) not in {item["id"] for group in held.json() for item in group["content"]}
    # No job ran: the ended allow's row is still there.
    assert sql(
        database,
        "SELECT count(*) FROM kid_profiles_titles WHERE kid_profile_id = %(k)s AND title_id = %(t)s",
        {"k": kid_id, "t": title_id},
    ) == [(1,)]
