"""Sign-up asks the family's country (guessed from the browser's languages); the account page
changes it after showing what each kid's caps become, and sets the parent's own language."""

import html
import re

import pytest

from axolotly.models import KidProfile, User
from tests.support.api import PASSWORD, add_kid, auth, join, sign_up
from tests.support.pages import csrf, logged_in_parent


@pytest.mark.parametrize(
    ("header", "country"),
    [("de-DE,de;q=0.9", "DE"), ("de", "DE"), ("en-GB", "GB"), ("fr-CA", "CA"), ("es", "ES"), ("en", "US"), ("", "US")],
)
def test_the_sign_up_page_guesses_the_country_from_the_browsers_language(client, header, country):
    page = client.get("/signup", headers={"Accept-Language": header}).text
    assert f'<option value="{country}" selected>' in page


def test_sign_up_names_countries_in_the_readers_language_sorted_by_name(client):
    page = html.unescape(client.get("/signup", headers={"Accept-Language": "de"}).text)
    assert "Vereinigtes Königreich" in page and page.index("Deutschland") < page.index("Frankreich")


def test_the_sign_up_api_takes_a_country_defaulting_to_the_us(client, db):
    assert db.get(User, sign_up(client)["id"]).country == "US"
    body = {"email": "gb@example.com", "password": PASSWORD, "country": "gb"}
    created = client.post("/api/parent/auth/signup", json=body)
    assert created.status_code == 201 and db.get(User, created.json()["id"]).country == "GB"
    refused = client.post("/api/parent/auth/signup", json={**body, "email": "xx@example.com", "country": "XX"})
    assert refused.status_code == 422 and "Unknown country" in refused.json()["detail"]


def test_the_sign_up_form_keeps_the_chosen_country(client, db):
    token = csrf(client, "/signup")
    form = {"csrf_token": token, "email": "fr@example.com", "password": PASSWORD, "country": "FR"}
    assert client.post("/signup", data=form, follow_redirects=False).status_code == 303
    assert db.query(User).filter(User.email == "fr@example.com").one().country == "FR"


def test_the_account_page_previews_a_country_change_before_saving(client, db):
    parent = logged_in_parent(client)
    emma = add_kid(client, parent, "Emma", age=None)
    body = {"mode": "rules", "max_movie_rating": "PG-13", "max_tv_rating": None, "block_unrated": True}
    client.put(f"/api/parent/kids/{emma['id']}/rules", json=body, headers=auth(parent))
    token = csrf(client, "/account")
    shown = client.post("/account/country", data={"csrf_token": token, "country": "DE"})
    page = html.unescape(shown.text)
    assert shown.status_code == 200 and "Change country" in page and "movies PG-13 → 12" in page
    assert db.get(User, parent["id"]).country == "US", "a preview writes nothing"
    confirm = {"csrf_token": token, "country": "DE", "confirm": "yes", "expected": previewed(shown.text)}
    done = client.post("/account/country", data=confirm)
    assert done.status_code == 200 and "Germany" in html.unescape(done.text)
    db.expire_all()
    assert db.get(User, parent["id"]).country == "DE"


def previewed(page: str) -> str:
    """What the preview's confirm form posts back: the digest of the re-mapping it showed."""
    return re.search(r'name="expected" value="([0-9a-f]+)"', page)[1]


def test_a_cap_changed_by_a_co_parent_after_the_preview_is_shown_again_before_anything_is_saved(client, db):
    owner = logged_in_parent(client)
    emma = add_kid(client, owner, "Emma", age=None)
    rules = {"mode": "rules", "max_movie_rating": "PG-13", "max_tv_rating": None, "block_unrated": True}
    client.put(f"/api/parent/kids/{emma['id']}/rules", json=rules, headers=auth(owner))
    token = csrf(client, "/account")
    shown = client.post("/account/country", data={"csrf_token": token, "country": "DE"})
    assert "movies PG-13 → 12" in html.unescape(shown.text)
    co_parent = join(client, owner)
    lowered = client.put(
        f"/api/parent/kids/{emma['id']}/rules", json={**rules, "max_movie_rating": "G"}, headers=auth(co_parent)
    )
    assert lowered.status_code == 200, lowered.text

    confirm = {"csrf_token": token, "country": "DE", "confirm": "yes", "expected": previewed(shown.text)}
    refused = client.post("/account/country", data=confirm)
    page = html.unescape(refused.text)
    assert refused.status_code == 409 and "The kids' rules changed since the preview: look again" in page
    assert "movies G → 0" in page, "the re-mapping as it is now, to confirm again"
    db.expire_all()
    assert db.get(User, owner["id"]).country == "US"
    assert db.get(KidProfile, emma["id"]).max_movie_rating == "G", "nothing changed"

    again = client.post("/account/country", data={**confirm, "expected": previewed(refused.text)})
    assert again.status_code == 200 and "Germany" in html.unescape(again.text)
    db.expire_all()
    assert db.get(User, owner["id"]).country == "DE" and db.get(KidProfile, emma["id"]).max_movie_rating == "0"


def test_a_parent_sets_their_own_language_by_api_and_on_the_account_page(client, db):
    parent = sign_up(client)
    assert client.put("/api/parent/me", json={"language": "de"}, headers=auth(parent)).json()["language"] == "de"
    assert client.put("/api/parent/me", json={"language": "xx"}, headers=auth(parent)).status_code == 422
    assert client.put("/api/parent/me", json={"language": None}, headers=auth(parent)).json()["language"] is None

    page_parent = logged_in_parent(client)
    token = csrf(client, "/account")
    assert "Automatic (browser)" in client.get("/account").text
    saved = client.post("/account/language", data={"csrf_token": token, "language": "fr"})
    assert saved.status_code == 200 and '<html lang="fr">' in saved.text
    db.expire_all()
    assert db.get(User, page_parent["id"]).language == "fr"
    client.post("/account/language", data={"csrf_token": token, "language": ""})
    db.expire_all()
    assert db.get(User, page_parent["id"]).language is None
