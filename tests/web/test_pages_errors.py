"""Errors on browser routes are pages (menu, a way back), the API keeps JSON; an expired form is
shown again with what was typed."""

import html
import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from axolotly.models import KidProfile
from tests.support.api import add_kid, sign_up
from tests.support.pages import csrf, failing_app, log_in

MENU = '<nav aria-label="Main">'


def logged_in_parent(client) -> dict:
    parent = sign_up(client)
    log_in(client, parent["email"])
    return parent


def is_page(response) -> bool:
    return response.headers["content-type"].startswith("text/html") and "<h1>" in response.text


def test_an_unknown_path_is_a_page_with_the_menu_and_a_way_back(client):
    logged_in_parent(client)
    response = client.get("/family/nothing-here", headers={"referer": "http://testserver/family/kids"})
    assert response.status_code == 404 and is_page(response)
    assert "<h1>Page not found</h1>" in response.text and MENU in response.text
    assert 'href="/family/kids">Go back</a>' in response.text and 'href="/">Back to the start</a>' in response.text
    # A way back never leads to another site.
    outside = client.get("/nothing", headers={"referer": "https://evil.example/phish"}).text
    assert "evil.example" not in outside


def test_an_unknown_path_without_a_session_offers_the_log_in(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404 and is_page(response)
    assert MENU not in response.text and 'href="/login">Log in</a>' in response.text


def test_the_api_and_json_callers_keep_json(client):
    response = client.get("/api/parent/no-such-thing")
    assert response.status_code == 404 and response.json() == {"detail": "Not Found"}
    response = client.get("/family/nothing-here", headers={"Accept": "application/json"})
    assert response.status_code == 404 and response.json() == {"detail": "Not Found"}
    assert client.post("/api/parent/auth/login", json={}).headers["content-type"] == "application/json"


def test_a_wrong_method_is_a_page(client):
    logged_in_parent(client)
    response = client.get("/logout")  # a POST-only route
    assert response.status_code == 405 and is_page(response) and MENU in response.text
    assert response.headers["allow"] == "POST"


def test_bad_values_in_a_page_address_are_a_422_page(client):
    logged_in_parent(client)
    for path in ("/family/kids/abc/delete", "/family/reports?title_id=lots", "/family/devices/-1/setup"):
        response = client.get(path)
        assert response.status_code == 422 and is_page(response), path
        assert "<h1>That did not look right</h1>" in response.text and MENU in response.text, path


def test_bad_form_values_go_back_to_the_form_with_the_reason(client, db):
    parent = logged_in_parent(client)
    response = client.post(
        "/family/kids",
        data={"name": "Emma", "pin": "1234", "age": "old", "csrf_token": csrf(client, "/family/kids")},
        headers={"referer": "http://testserver/family/kids"},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/family/kids"
    page = client.get("/family/kids")
    assert page.status_code == 200 and 'role="alert"' in page.text and "Age:" in page.text
    assert db.scalar(select(func.count()).select_from(KidProfile).where(KidProfile.family_id == parent["id"])) == 0


def test_another_familys_row_is_a_404_page_with_the_menu(client, db):
    other = sign_up(client)
    their_kid = add_kid(client, other, "Theirs")
    logged_in_parent(client)
    response = client.get(f"/family/kids/{their_kid['id']}/delete")
    assert response.status_code == 404 and is_page(response) and MENU in response.text
    assert "Kid profile not found" in response.text


def test_a_kid_launcher_error_stays_in_the_kid_look(client):
    logged_in_parent(client)  # even with a parent signed in on this browser
    response = client.get("/kids/nothing/here")
    assert response.status_code == 404 and is_page(response)
    assert MENU not in response.text and 'class="kid"' in response.text
    assert 'href="/kids">Back to my shows</a>' in response.text


def test_a_bug_is_a_500_page_on_pages_and_json_on_the_api(app):
    with TestClient(failing_app(app), raise_server_exceptions=False) as client:
        logged_in_parent(client)
        response = client.get("/family/broken")
        assert response.status_code == 500 and is_page(response)
        assert "<h1>Something went wrong</h1>" in response.text and MENU in response.text
        assert "a bug" not in response.text and "Traceback" not in response.text  # no internals shown
        api = client.get("/api/parent/broken")
        assert api.status_code == 500 and api.json() == {"detail": "Internal server error"}


def test_a_bug_is_still_raised_to_the_server_log(app):
    with TestClient(failing_app(app)) as client:
        try:
            client.get("/family/broken")
        except RuntimeError as error:
            assert str(error) == "a bug"
        else:
            raise AssertionError("the exception must reach the server (its log) after the page is sent")


# -- stale forms ------------------------------------------------------------------------------------

# What a browser sends with a form posted from one of our pages (TestClient's address is http://testserver).
FROM_OUR_PAGE = {"Origin": "http://testserver"}


def test_an_expired_form_from_a_sender_that_says_nothing_is_not_offered_again(client, db):
    """No Origin, Referer or Sec-Fetch-Site: no proof the form was ours, so nothing comes back ready to send."""
    parent = logged_in_parent(client)
    response = client.post("/family/kids", data={"name": "Mallory", "age": "7", "pin": "1234", "csrf_token": ""})
    assert response.status_code == 403 and "This form has expired, so nothing was done" in response.text
    assert "Mallory" not in response.text and "Send again" not in response.text
    assert db.scalar(select(func.count()).select_from(KidProfile).where(KidProfile.family_id == parent["id"])) == 0


def test_an_expired_form_is_shown_again_with_what_was_typed(client, db):
    parent = logged_in_parent(client)
    client.cookies.delete("axolotly_csrf")  # the browser lost it (restart, cleared cookies)
    response = client.post(
        "/family/kids",
        data={"name": "Émilie <3", "age": "7", "pin": "1234", "csrf_token": "a" * 64},
        headers=FROM_OUR_PAGE,
    )
    assert response.status_code == 403 and is_page(response)
    page = response.text
    assert "<h1>Please send that again</h1>" in page and "The form expired" in page
    assert 'action="/family/kids"' in page and MENU in page
    assert 'name="name" value="Émilie &lt;3"' in page and 'name="age" value="7"' in page
    # The PIN is a secret: asked again, never echoed.
    assert "1234" not in page and re.search(r'<input id="secret-1" name="pin" type="password"', page)
    assert "type your PIN again" in page and '<label for="secret-1">PIN</label>' in page
    assert db.scalar(select(func.count()).select_from(KidProfile).where(KidProfile.family_id == parent["id"])) == 0

    # The page carries a fresh token (and set its cookie): sending it again works.
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page)[1]
    again = client.post("/family/kids", data={"name": "Émilie <3", "age": "7", "pin": "1234", "csrf_token": token})
    assert again.status_code == 200 and "Added Émilie" in html.unescape(again.text)
    kid = db.scalar(select(KidProfile).where(KidProfile.family_id == parent["id"]))
    assert (kid.name, kid.age) == ("Émilie <3", 7)


def test_an_expired_form_keeps_ticked_boxes_and_long_text(client):
    logged_in_parent(client)
    long_text = "It shows a scary scene.\nSecond line."
    response = client.post(
        "/family/services",
        data={"use": ["netflix", "disney_plus"], "csrf_token": "", "description": long_text},
        headers=FROM_OUR_PAGE,
    )
    assert response.status_code == 403
    page = response.text
    assert '<input type="hidden" name="use" value="netflix">' in page
    assert '<input type="hidden" name="use" value="disney_plus">' in page
    assert f'name="description" rows="4">{html.escape(long_text)}</textarea>' in page


def test_an_expired_log_in_keeps_the_email_but_not_the_password(client):
    parent = sign_up(client)
    response = client.post(
        "/login",
        data={"email": parent["email"], "password": "correct horse battery", "next": "/family/kids", "csrf_token": ""},
        headers={"Sec-Fetch-Site": "same-origin"},
    )
    assert response.status_code == 403 and f'value="{parent["email"]}"' in response.text
    assert "correct horse battery" not in response.text and 'name="next" value="/family/kids"' in response.text
    assert "type your password again" in response.text
    assert MENU not in response.text


def test_an_expired_kid_form_keeps_the_kid_look_and_the_typed_code(client):
    logged_in_parent(client)  # a parent signed in on this browser too: still no parents' menu
    response = client.post("/kids/pair", data={"code": "123456", "csrf_token": ""}, headers=FROM_OUR_PAGE)
    assert response.status_code == 403 and 'class="kid"' in response.text and MENU not in response.text
    assert 'name="code" value="123456"' in response.text and 'action="/kids/pair"' in response.text
