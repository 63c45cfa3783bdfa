"""The kid web launcher's family (a fixture, registered by the root conftest.py) and a paired, signed-in kid browser."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from tests.support.api import add_kid, auth, offline_title, sign_up
from tests.support.factories import make_episode, make_title
from tests.support.pages import csrf


def allow(client, parent, kid, title) -> None:
    response = client.put(
        f"/api/parent/kids/{kid['id']}/policies/{title.id}", json={"policy": "allow"}, headers=auth(parent)
    )
    assert response.status_code == 200, response.text


@pytest.fixture
def family(client, db):
    """Emma (PIN 1234) is allowed a show on two services with two seasons (one episode with a
    verified Netflix link), a movie and Bluey; Leo (PIN 5678) only Bluey."""
    parent = sign_up(client)
    emma = add_kid(client, parent, "Emma", pin="1234", age=None)
    leo = add_kid(client, parent, "Leo", pin="5678", age=None)
    show = make_title(
        db, title="Sunny Days", media_type="tv", providers=["netflix", "disney_plus"], certification="TV-Y"
    )
    first = make_episode(db, show, season=1, number=1, name="The Kite")
    linked = make_episode(db, show, season=1, number=2, name="Rainy Puddles")
    make_episode(db, show, season=2, number=1, name="Snow Fort")
    db.execute(
        text(
            "INSERT INTO episode_links (episode_id, platform, url, verified) "
            "VALUES (:e, 'netflix', 'https://www.netflix.com/watch/42', true)"
        ),
        {"e": linked.id},
    )
    movie = make_title(
        db, title="Moon Picnic", media_type="movie", providers=["netflix", "prime_video"], certification="G"
    )
    bluey = offline_title(db, "Bluey")
    for title in (show, movie, bluey):
        allow(client, parent, emma, title)
    allow(client, parent, leo, bluey)
    return {"parent": parent, "emma": emma, "leo": leo, "show": show, "movie": movie, "bluey": bluey, "first": first}


def paired_browser(client, parent, name: str | None = None) -> tuple[TestClient, str]:
    """A new browser paired as a kid launcher of the family (renamed `name`); its CSRF token."""
    browser = TestClient(client.app)
    code = client.post("/api/parent/pairing-codes", headers=auth(parent)).json()["code"]
    token = csrf(browser, "/kids")
    assert "Who is watching?" in browser.post("/kids/pair", data={"code": code, "csrf_token": token}).text
    if name:
        device = client.get("/api/parent/devices", headers=auth(parent)).json()[-1]
        client.patch(f"/api/parent/devices/{device['id']}", json={"friendly_name": name}, headers=auth(parent))
    return browser, token


def enter_pin(browser, token, kid, pin):
    return browser.post(f"/kids/{kid['id']}/pin", data={"pin": pin, "csrf_token": token})


def signed_in(client, family, kid="emma", pin="1234") -> TestClient:
    browser, token = paired_browser(client, family["parent"])
    assert f"{family[kid]['name']}'s shows" in enter_pin(browser, token, family[kid], pin).text
    return browser
