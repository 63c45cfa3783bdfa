"""Issue 27 on the pages: the rules form's "Preview" (and its preset buttons) show what the rules would
change in the kid's launcher, keeping the proposed values in the form, and save nothing; the panel
static/preview.js asks for; the library removal page shows what each kid would stop seeing."""

import re

from tests.support.api import auth
from tests.support.factories import make_title
from tests.support.pages import csrf, logged_in_parent
from tests.support.previews import family_with_library, library_title, written_state

KIDS_PAGE = {"referer": "http://testserver/family/kids"}
WIDER = {"mode": "rules", "max_movie_rating": "PG-13", "max_tv_rating": "TV-Y"}


def family(client, db) -> dict:
    """Logged in (support/previews.py family_with_library): Emma (8: G, TV-PG, unrated hidden) and Leo
    (allow list); Alpha (G) and Delta (TV-PG) she sees, Bravo (PG-13) and Charlie (unrated) she does not."""
    return family_with_library(client, db, logged_in_parent(client))


def selected(page: str, name: str) -> str:
    select = re.search(rf'<select name="{name}">(.*?)</select>', page, re.S)[1]
    return re.search(r'<option value="([^"]*)" selected>', select)[1]


def panel_of(page: str, kid_id: int) -> str:
    start = page.index(f'id="kid-{kid_id}-preview"')
    return page[start : page.index("Nothing is saved yet.", start)]


def form_of(page: str, kid_id: int) -> str:
    return page[page.index(f'id="kid-{kid_id}-rules"') : page.index(f'id="kid-{kid_id}-preview"')]


def test_preview_shows_what_would_change_keeps_the_proposed_rules_and_saves_nothing(client, db):
    f = family(client, db)
    emma = f["emma"]
    before = written_state(db, f["parent"]["id"])
    form = {"csrf_token": csrf(client, "/family/kids"), **WIDER, "blocked_tags": ["animated"]}

    response = client.post(f"/family/kids/{emma['id']}/rules/preview", data=form, headers=KIDS_PAGE)

    assert response.status_code == 200
    page = response.text
    assert "Would appear for Emma" in page and "2 titles" in page
    assert "Would disappear for Emma" in page and "1 title" in page
    panel = panel_of(page, emma["id"])
    assert panel.index("Bravo") < panel.index("Charlie") < panel.index("Delta"), "appear first, by title"
    assert '<img src="https://image.tmdb.org/t/p/w342/bravo.jpg" alt="" loading="lazy"' in panel
    assert f'<img src="/posters/{f["titles"]["Charlie"].id}.svg" alt=""' in panel, "our poster when TMDB has none"
    assert "Nothing is saved yet." in page
    emma_form = form_of(page, emma["id"])
    assert selected(emma_form, "max_movie_rating") == "PG-13" and selected(emma_form, "max_tv_rating") == "TV-Y"
    assert 'name="block_unrated" >' in emma_form, "unticked, as proposed"
    assert 'value="animated" checked' in emma_form
    assert "Now: movies up to G; TV up to TV-PG; unrated titles hidden." in page, "the saved rules, as they are"
    assert written_state(db, f["parent"]["id"]) == before


def test_a_preset_button_previews_its_rules_in_the_form_before_they_are_saved(client, db):
    f = family(client, db)
    emma = f["emma"]
    before = written_state(db, f["parent"]["id"])
    token = csrf(client, "/family/kids")

    page = client.post(
        f"/family/kids/{emma['id']}/rules/preview", data={"csrf_token": token, "preset": "13"}, headers=KIDS_PAGE
    ).text

    panel = panel_of(page, emma["id"])
    assert "Would appear for Emma" in panel and "Bravo" in panel, "PG-13 movies"
    assert "Charlie" not in panel and "Would disappear" not in panel, "unrated still hidden, TV-PG kept"
    emma_form = form_of(page, emma["id"])
    assert selected(emma_form, "max_movie_rating") == "PG-13" and selected(emma_form, "max_tv_rating") == "TV-PG"
    assert written_state(db, f["parent"]["id"]) == before
    saved = client.post(
        f"/family/kids/{emma['id']}/rules",
        data={
            "csrf_token": token,
            "mode": "rules",
            "max_movie_rating": "PG-13",
            "max_tv_rating": "TV-PG",
            "block_unrated": "on",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    rules = client.get(f"/api/parent/kids/{emma['id']}/rules", headers=auth(f["parent"])).json()
    assert rules["max_movie_rating"] == "PG-13"


def test_the_panel_alone_for_the_script_and_no_change_in_words(client, db):
    f = family(client, db)
    emma = f["emma"]
    token = csrf(client, "/family/kids")
    same = {
        "csrf_token": token,
        "mode": "rules",
        "max_movie_rating": "G",
        "max_tv_rating": "TV-PG",
        "block_unrated": "on",
    }

    response = client.post(f"/family/kids/{emma['id']}/rules/preview-panel", data=same, headers=KIDS_PAGE)

    assert response.status_code == 200
    assert "<html" not in response.text and "No change for Emma" in response.text
    wider = client.post(f"/family/kids/{emma['id']}/rules/preview-panel", data={"csrf_token": token, **WIDER})
    assert "Would appear for Emma" in wider.text and "Bravo" in wider.text


def test_many_titles_show_the_first_posters_and_a_count_of_the_rest(client, db):
    f = family(client, db)
    for n in range(7):
        library_title(client, f["parent"], db, f"More {n}", certification="R")
    form = {
        "csrf_token": csrf(client, "/family/kids"),
        "mode": "rules",
        "max_movie_rating": "R",
        "max_tv_rating": "TV-PG",
    }
    panel = client.post(f"/family/kids/{f['emma']['id']}/rules/preview-panel", data=form).text
    assert "9 titles" in panel and "and 3 more" in panel  # Bravo, Charlie and 7 R movies; 6 shown
    assert panel.count("<img ") == 6


def test_a_refused_value_goes_back_to_the_page_with_the_reason_and_saves_nothing(client, db):
    f = family(client, db)
    before = written_state(db, f["parent"]["id"])
    form = {"csrf_token": csrf(client, "/family/kids"), **WIDER, "max_movie_rating": "12A"}
    response = client.post(
        f"/family/kids/{f['emma']['id']}/rules/preview", data=form, headers=KIDS_PAGE, follow_redirects=False
    )
    assert response.status_code == 303 and response.headers["location"] == "/family/kids"
    assert "Unknown movie rating" in client.get("/family/kids").text
    assert written_state(db, f["parent"]["id"]) == before
    stale = client.post(f"/family/kids/{f['emma']['id']}/rules/preview-panel", data={**WIDER, "csrf_token": "0" * 64})
    assert stale.status_code == 403
    # The script's panel: a plain refusal, no message left for the parent's next page.
    panel = client.post(f"/family/kids/{f['emma']['id']}/rules/preview-panel", data=form)
    assert panel.status_code == 422 and "Unknown movie rating" in panel.text
    assert "axolotly_flash" not in panel.headers.get("set-cookie", "")
    assert written_state(db, f["parent"]["id"]) == before


def test_another_familys_kid_has_no_preview(client, db):
    f = family(client, db)
    logged_in_parent(client)  # the browser now belongs to another family
    form = {"csrf_token": csrf(client, "/family/kids"), **WIDER}
    for path in ("preview", "preview-panel"):
        response = client.post(
            f"/family/kids/{f['emma']['id']}/rules/{path}", data=form, headers=KIDS_PAGE, follow_redirects=False
        )
        assert response.status_code == 303 and "Bravo" not in response.text, "a refused form: back, with the reason"
        assert "Kid profile not found" in client.get("/family/kids").text


def test_the_removal_page_shows_what_each_kid_would_stop_seeing(client, db):
    f = family(client, db)
    alpha = f["titles"]["Alpha"]
    hidden = make_title(db, title="Zulu", providers=[])  # streams nowhere: in no launcher either way
    client.put(f"/api/parent/library/{hidden.id}", headers=auth(f["parent"]))
    before = written_state(db, f["parent"]["id"])

    page = client.get(f"/family/library/{alpha.id}/remove").text

    assert "Would disappear for Emma" in page and "Alpha" in page and "No change for Leo" in page
    assert written_state(db, f["parent"]["id"]) == before
    nothing = client.get(f"/family/library/{hidden.id}/remove").text
    assert "No change for Emma" in nothing and "No change for Leo" in nothing
