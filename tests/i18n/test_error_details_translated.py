"""A refusal that names something ("Emma has no daily limit today…") is a template and its values
(errors.py): the API's `detail` stays the English sentence, while a page translates the template
and then fills in the values."""

from axolotly.errors import Conflict
from axolotly.i18n import N_, use_language
from axolotly.web.templating import translated
from tests.support.api import add_kid, auth
from tests.support.pages import csrf, logged_in_parent

NO_LIMIT = N_("%(kid)s has no daily limit today: bonus time would change nothing")


def test_the_detail_is_the_english_sentence_and_a_page_translates_the_template():
    error = Conflict(NO_LIMIT, kid="Emma")
    assert error.detail == str(error) == "Emma has no daily limit today: bonus time would change nothing"
    with use_language("de"):
        german = translated(error)
    assert german != error.detail and "Emma" in german and "%(" not in german
    assert translated(Conflict("Not in any catalog")) == "Not in any catalog"  # a text without values, as is


def test_a_refused_bonus_says_it_in_german_on_the_page_and_in_english_to_the_api(client):
    parent = logged_in_parent(client)
    kid = add_kid(client, parent, name="Emma")  # no screen-time limits yet: bonus time changes nothing
    page = f"/family/kids/{kid['id']}/screen-time"
    shown = client.post(
        f"/family/kids/{kid['id']}/bonus-time",
        data={"csrf_token": csrf(client, page), "minutes": "15"},
        headers={"Accept-Language": "de", "Referer": f"http://testserver{page}"},
    )
    with use_language("de"):
        expected = translated(Conflict(NO_LIMIT, kid="Emma"))
    assert expected in shown.text.replace("&#39;", "'")
    api = client.post(f"/api/parent/kids/{kid['id']}/bonus-time", json={"minutes": 15}, headers=auth(parent))
    assert api.status_code == 409
    assert api.json()["detail"] == "Emma has no daily limit today: bonus time would change nothing"
