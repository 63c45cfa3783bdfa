"""The services page: tick services, order them with up/down buttons (each a small POST form that
works without JavaScript), never typed numbers; the page lists the saved order."""

import html
import re

from tests.support.api import auth, sign_up
from tests.support.pages import csrf, logged_in_parent


def saved(client, parent) -> list[str]:
    return client.get("/api/parent/services/selected", headers=auth(parent)).json()["services"]


def shown_order(client) -> list[str]:
    """The service names of the page's ordered list, top to bottom."""
    page = html.unescape(client.get("/family/services").text)
    listing = re.search(r'<ol class="service-order">(.*?)</ol>', page, re.S)
    return re.findall(r'<span class="service-name">([^<]+)</span>', listing[1]) if listing else []


def tick(client, *services: str):
    return client.post(
        "/family/services",
        data={"use": list(services), "csrf_token": csrf(client, "/family/services")},
        follow_redirects=False,
    )


def move(client, service: str, direction: str):
    return client.post(
        "/family/services/move",
        follow_redirects=False,
        headers={"referer": "http://testserver/family/services"},
        data={"service": service, "direction": direction, "csrf_token": csrf(client, "/family/services")},
    )


def flash(client, response) -> str:
    return html.unescape(client.get(response.headers["location"]).text)


def test_ticked_services_keep_their_place_and_new_ones_join_the_end(client):
    parent = logged_in_parent(client)
    assert "No services chosen yet" in client.get("/family/services").text and shown_order(client) == []
    assert tick(client, "netflix", "disney_plus", "pbs_kids").status_code == 303
    assert saved(client, parent) == ["netflix", "disney_plus", "pbs_kids"]
    assert shown_order(client) == ["Netflix", "Disney+", "PBS Kids"]
    move(client, "pbs_kids", "up")
    # Untick Netflix, tick Hulu: Disney+ and PBS Kids keep their order, Hulu comes last.
    tick(client, "hulu", "pbs_kids", "disney_plus")
    assert saved(client, parent) == ["pbs_kids", "disney_plus", "hulu"]
    assert shown_order(client) == ["PBS Kids", "Disney+", "Hulu"]
    assert flash(client, tick(client)).count("No services selected") == 1 and saved(client, parent) == []


def test_up_and_down_buttons_move_a_service_one_place_and_the_page_shows_it(client):
    parent = logged_in_parent(client)
    tick(client, "netflix", "disney_plus", "pbs_kids")
    response = move(client, "pbs_kids", "up")
    assert response.status_code == 303 and response.headers["location"] == "/family/services#order"
    assert "Moved PBS Kids up" in flash(client, response)
    assert saved(client, parent) == ["netflix", "pbs_kids", "disney_plus"]
    move(client, "netflix", "down")
    assert (
        shown_order(client)
        == ["PBS Kids", "Netflix", "Disney+"]
        == [{"pbs_kids": "PBS Kids", "netflix": "Netflix", "disney_plus": "Disney+"}[s] for s in saved(client, parent)]
    )
    # At either end nothing moves, and the page says so.
    assert "PBS Kids is first already" in flash(client, move(client, "pbs_kids", "up"))
    assert "Disney+ is last already" in flash(client, move(client, "disney_plus", "down"))
    assert saved(client, parent) == ["pbs_kids", "netflix", "disney_plus"]


def test_the_buttons_are_named_forms_and_no_number_is_typed(client):
    logged_in_parent(client)
    tick(client, "netflix", "disney_plus", "pbs_kids")
    page = html.unescape(client.get("/family/services").text)
    assert 'type="number"' not in page and 'name="position"' not in page
    forms = re.findall(r'<form method="post" action="/family/services/move".*?</form>', page, re.S)
    labels = [re.search(r'aria-label="([^"]+)"', form)[1] for form in forms]
    # The first has no "up", the last no "down": no button that does nothing.
    assert labels == ["Move Netflix down", "Move Disney+ up", "Move Disney+ down", "Move PBS Kids up"]
    for form in forms:
        assert 'name="csrf_token"' in form and form.count('<button type="submit"') == 1


def test_moving_what_is_not_chosen_or_any_bad_move_is_refused_and_changes_nothing(client):
    parent = logged_in_parent(client)
    tick(client, "netflix", "disney_plus")
    for service, direction, reason in (
        ("hulu", "up", "Hulu is not one of your services"),
        ("hbo", "up", "Unknown service id"),
        ("netflix", "sideways", "Move a service up or down"),
        ("netflix", "", "direction"),
    ):
        response = move(client, service, direction)
        assert response.status_code == 303 and response.headers["location"] == "/family/services"
        assert reason in re.search(r'role="alert">([^<]+)<', flash(client, response))[1]
    assert saved(client, parent) == ["netflix", "disney_plus"]
    no_token = client.post("/family/services/move", data={"service": "disney_plus", "direction": "up"})
    assert no_token.status_code == 403 and saved(client, parent) == ["netflix", "disney_plus"]


def test_a_family_moves_only_its_own_services(client):
    other = sign_up(client)
    client.put("/api/parent/services/selected", json={"services": ["hulu", "netflix"]}, headers=auth(other))
    parent = logged_in_parent(client)
    tick(client, "netflix", "hulu")
    move(client, "hulu", "up")
    assert saved(client, parent) == ["hulu", "netflix"] and saved(client, other) == ["hulu", "netflix"]
    move(client, "netflix", "up")
    assert saved(client, parent) == ["netflix", "hulu"] and saved(client, other) == ["hulu", "netflix"]
