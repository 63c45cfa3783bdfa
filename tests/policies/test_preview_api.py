"""Issue 27: POST /kids/{id}/rules/preview (and the removal and policy previews) say which titles
would appear in and disappear from the launcher, write nothing, and refuse what the save refuses."""

import pytest

from axolotly.families.context import FamilyContext, FamilyRole
from axolotly.models import KidProfile, User
from axolotly.policies import preview
from tests.support.api import add_kid, auth, join, sign_up
from tests.support.previews import family_with_library, library_title, names, put_rules, written_state

WIDER = {"mode": "rules", "max_movie_rating": "PG-13", "max_tv_rating": "TV-Y", "block_unrated": False}


def preview_rules(client, parent, kid, **rules):
    return client.post(
        f"/api/parent/kids/{kid['id']}/rules/preview", json={"blocked_tags": [], **rules}, headers=auth(parent)
    )


def test_rules_preview_lists_what_would_appear_and_disappear_and_writes_nothing(client, db):
    family = family_with_library(client, db)
    parent, emma = family["parent"], family["emma"]
    before = written_state(db, parent["id"])

    response = preview_rules(client, parent, emma, **WIDER)

    assert response.status_code == 200, response.text
    body = response.json()
    assert names(body["appear"]) == ["Bravo", "Charlie"], "a wider movie cap and unrated titles shown"
    assert names(body["disappear"]) == ["Delta"], "TV capped lower"
    bravo = body["appear"][0]
    assert bravo == {
        "id": family["titles"]["Bravo"].id,
        "title": "Bravo",
        "media_type": "movie",
        "poster_url": "https://image.tmdb.org/t/p/w500/bravo.jpg",
    }
    assert body["appear"][1]["poster_url"] is None
    assert written_state(db, parent["id"]) == before, "rules, launcher versions, trail, jobs and library untouched"
    rules = client.get(f"/api/parent/kids/{emma['id']}/rules", headers=auth(parent)).json()
    assert (rules["max_movie_rating"], rules["max_tv_rating"]) == ("G", "TV-PG")


def test_saving_what_was_previewed_changes_the_launcher_as_the_preview_said(client, db):
    family = family_with_library(client, db)
    parent, emma = family["parent"], family["emma"]
    kid = emma["id"]
    seen = preview.launcher_title_ids(db, parent["id"], kid)
    shown = preview_rules(client, parent, emma, **WIDER).json()
    put_rules(client, parent, emma, **WIDER)
    now = preview.launcher_title_ids(db, parent["id"], kid)
    assert now - seen == {item["id"] for item in shown["appear"]}
    assert seen - now == {item["id"] for item in shown["disappear"]}


def test_no_change_previews_empty_lists(client, db):
    family = family_with_library(client, db)
    same = {"mode": "rules", "max_movie_rating": "g", "max_tv_rating": "TV-PG", "block_unrated": True}
    response = preview_rules(client, family["parent"], family["emma"], **same)
    assert response.status_code == 200 and response.json() == {"appear": [], "disappear": []}


@pytest.mark.parametrize(
    ("rules", "detail"),
    [
        ({**WIDER, "max_movie_rating": "12A"}, "Unknown movie rating '12A' for US"),
        ({**WIDER, "blocked_tags": ["no_such_tag"]}, "Unknown tags: no_such_tag"),
    ],
)
def test_preview_refuses_what_the_save_refuses_and_writes_nothing(client, db, rules, detail):
    family = family_with_library(client, db)
    parent, emma = family["parent"], family["emma"]
    before = written_state(db, parent["id"])
    previewed = preview_rules(client, parent, emma, **rules)
    saved = client.put(f"/api/parent/kids/{emma['id']}/rules", json=rules, headers=auth(parent))
    assert previewed.status_code == saved.status_code == 422
    assert previewed.json()["detail"] == saved.json()["detail"]
    assert previewed.json()["detail"].startswith(detail)
    assert written_state(db, parent["id"]) == before


def test_preview_refuses_a_bad_body(client, db):
    family = family_with_library(client, db)
    parent, emma = family["parent"], family["emma"]
    before = written_state(db, parent["id"])
    for body in ({**WIDER, "mode": "everything"}, {"mode": "rules"}, {**WIDER, "block_unrated": "maybe"}):
        response = client.post(f"/api/parent/kids/{emma['id']}/rules/preview", json=body, headers=auth(parent))
        assert response.status_code == 422, body
    assert written_state(db, parent["id"]) == before


def test_another_familys_kid_is_not_found(client, db):
    family = family_with_library(client, db)
    stranger = sign_up(client)
    assert preview_rules(client, stranger, family["emma"], **WIDER).status_code == 404
    title_id = family["titles"]["Alpha"].id
    assert client.post(f"/api/parent/library/{title_id}/removal-preview", headers=auth(stranger)).status_code == 404
    allow = client.post(
        f"/api/parent/kids/{family['emma']['id']}/policies/{title_id}/preview",
        json={"policy": "allow"},
        headers=auth(stranger),
    )
    assert allow.status_code == 404


def test_a_co_parent_can_preview(client, db):
    family = family_with_library(client, db)
    co_parent = join(client, family["parent"])
    response = preview_rules(client, co_parent, family["emma"], **WIDER)
    assert response.status_code == 200 and names(response.json()["appear"]) == ["Bravo", "Charlie"]


def test_removal_preview_shows_each_kid_what_would_disappear(client, db):
    family = family_with_library(client, db)
    parent, _emma, leo = family["parent"], family["emma"], family["leo"]
    alpha = family["titles"]["Alpha"]
    allowed = client.put(
        f"/api/parent/kids/{leo['id']}/policies/{alpha.id}", json={"policy": "allow"}, headers=auth(parent)
    )
    assert allowed.status_code == 200
    before = written_state(db, parent["id"])

    response = client.post(f"/api/parent/library/{alpha.id}/removal-preview", headers=auth(parent))

    assert response.status_code == 200, response.text
    assert [(k["kid_name"], names(k["appear"]), names(k["disappear"])) for k in response.json()] == [
        ("Emma", [], ["Alpha"]),
        ("Leo", [], ["Alpha"]),
    ]
    assert written_state(db, parent["id"]) == before
    assert (
        client.post(f"/api/parent/library/{alpha.id + 10**6}/removal-preview", headers=auth(parent)).status_code == 404
    )


def test_allowing_a_title_previews_the_rules_mode_siblings_too(client, db):
    family = family_with_library(client, db)
    parent, _emma, leo = family["parent"], family["emma"], family["leo"]
    add_kid(client, parent, "Mia", age=None)
    echo = library_title(client, parent, db, "Echo", certification="G")
    assert client.delete(f"/api/parent/library/{echo.id}", headers=auth(parent)).status_code == 204
    before = written_state(db, parent["id"])

    response = client.post(
        f"/api/parent/kids/{leo['id']}/policies/{echo.id}/preview", json={"policy": "allow"}, headers=auth(parent)
    )

    assert response.status_code == 200, response.text
    assert [(k["kid_name"], names(k["appear"]), names(k["disappear"])) for k in response.json()] == [
        ("Emma", ["Echo"], []),  # rules mode: the title joins the library, and it is rated G
        ("Leo", ["Echo"], []),
        ("Mia", [], []),  # allow list: only her own allows
    ]
    assert written_state(db, parent["id"]) == before


def test_the_kid_row_reads_its_saved_rules_again_after_a_preview(client, db):
    family = family_with_library(client, db)
    kid = db.get(KidProfile, family["emma"]["id"])
    previewed = preview.preview_rules(db, kid, "rules", "pg-13", None, False, ["animated"])
    assert previewed.proposed.max_movie_rating == "PG-13", "as the save would spell it"
    assert previewed.proposed.blocked_tags == frozenset({"animated"})
    assert (kid.max_movie_rating, kid.max_tv_rating, kid.block_unrated, kid.blocked_tags) == ("G", "TV-PG", True, [])


def test_removal_preview_in_the_service_leaves_the_title_in_the_library(client, db):
    family = family_with_library(client, db)
    parent = family["parent"]
    owner = FamilyContext(parent["id"], db.get(User, parent["id"]), FamilyRole.OWNER)
    alpha = family["titles"]["Alpha"]
    previews = preview.preview_removal(db, owner, alpha.id)
    assert [(p.kid_name, [c.title for c in p.disappear]) for p in previews] == [("Emma", ["Alpha"]), ("Leo", [])]
    assert alpha.id in preview.launcher_title_ids(db, parent["id"], family["emma"]["id"])


def test_a_rules_preview_runs_as_many_statements_whatever_the_library_holds(client, db, count_statements):
    family = family_with_library(client, db)
    parent, emma = family["parent"], family["emma"]
    counts = []
    for extra in range(2):
        if extra:
            for n in range(5):
                library_title(client, parent, db, f"Extra {n}", certification="PG-13")
        count_statements.statements.clear()
        assert preview_rules(client, parent, emma, **WIDER).status_code == 200
        counts.append(count_statements.count)
    assert counts[0] == counts[1]


def test_an_allow_preview_refuses_an_end_the_save_refuses(client, db):
    family = family_with_library(client, db)
    parent, leo = family["parent"], family["leo"]
    alpha = family["titles"]["Alpha"]
    before = written_state(db, parent["id"])
    body = {"policy": "allow", "until": "2000-01-01T20:00:00+01:00"}  # long gone
    path = f"/api/parent/kids/{leo['id']}/policies/{alpha.id}"
    previewed = client.post(f"{path}/preview", json=body, headers=auth(parent))
    saved = client.put(path, json=body, headers=auth(parent))
    assert previewed.status_code == saved.status_code == 422
    assert previewed.json()["detail"] == saved.json()["detail"]
    assert written_state(db, parent["id"]) == before
