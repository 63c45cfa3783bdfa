"""The family library and each kid's rules: the API, the presets, and what a rules-mode kid sees."""

import pytest
from sqlalchemy import select

from axolotly.families import library
from axolotly.families.context import FamilyContext, FamilyRole
from axolotly.families.presets import preset_bands, preset_for_age
from axolotly.models import FamilyTitle, KidProfile, Title, User
from axolotly.policies import service as policies
from axolotly.policies.evaluate import MOVIE_RATINGS, RULES, TV_RATINGS, Policy, Rules, TitleFacts, evaluate_title
from tests.support.api import add_kid, auth, join, offline_title, sign_up
from tests.support.factories import make_episode, make_title
from tests.support.launcher_helpers import assign, device_row_id, pair_device

RULES_OFF = {
    "mode": "allow_list",
    "max_movie_rating": None,
    "max_tv_rating": None,
    "block_unrated": True,
    "blocked_tags": [],
}


def library_ids(client, parent) -> list[int]:
    response = client.get("/api/parent/library", headers=auth(parent))
    assert response.status_code == 200, response.text
    return [entry["title"]["id"] for entry in response.json()]


def allow(client, parent, kid, title_id, policy="allow"):
    response = client.put(
        f"/api/parent/kids/{kid['id']}/policies/{title_id}", json={"policy": policy}, headers=auth(parent)
    )
    assert response.status_code == 200, response.text


def explain(client, parent, kid, title_id) -> dict:
    response = client.get(f"/api/parent/kids/{kid['id']}/titles/{title_id}/explain", headers=auth(parent))
    assert response.status_code == 200, response.text
    return response.json()


def launcher_titles(client, device) -> set[str]:
    response = client.get("/api/apps", headers=device)
    assert response.status_code == 200, response.text
    return {item["appName"] for group in response.json() for item in group["content"]}


def actions(client, parent) -> list[str]:
    return [event["action"] for event in client.get("/api/parent/activity", headers=auth(parent)).json()]


# -- the library ---------------------------------------------------------------------------------


def test_add_list_and_remove_a_title_and_removal_drops_the_kids_policies(client, db):
    parent = sign_up(client)
    emma, leo = add_kid(client, parent, "Emma", age=None), add_kid(client, parent, "Leo", age=None)
    moana, nemo = offline_title(db, "Moana"), offline_title(db, "Finding Nemo")
    added = client.put(f"/api/parent/library/{moana.id}", headers=auth(parent))
    assert added.status_code == 201 and added.json()["title"]["title"] == "Moana"
    assert added.json()["added_by"] == parent["id"]
    again = client.put(f"/api/parent/library/{moana.id}", headers=auth(parent))
    assert again.status_code == 200 and again.json()["added_at"] == added.json()["added_at"]
    client.put(f"/api/parent/library/{nemo.id}", headers=auth(parent))
    assert library_ids(client, parent) == [nemo.id, moana.id], "newest first"
    allow(client, parent, emma, moana.id)
    allow(client, parent, leo, moana.id, "deny")
    assert library.titles_losing_rules(db, parent["id"], moana.id) == ["Emma", "Leo"]

    assert client.delete(f"/api/parent/library/{moana.id}", headers=auth(parent)).status_code == 204
    assert library_ids(client, parent) == [nemo.id]
    for kid in (emma, leo):
        assert client.get(f"/api/parent/kids/{kid['id']}/policies", headers=auth(parent)).json() == []
    assert client.delete(f"/api/parent/library/{moana.id}", headers=auth(parent)).status_code == 404
    assert {"library_added", "library_removed"} <= set(actions(client, parent))


def test_remove_from_library_counts_the_policies_it_removed(client, db):
    parent = sign_up(client)
    emma = add_kid(client, parent, "Emma", age=None)
    moana = offline_title(db, "Moana")
    allow(client, parent, emma, moana.id)
    family = FamilyContext(parent["id"], db.get(User, parent["id"]), FamilyRole.OWNER)
    assert library.remove_from_library(db, family, moana.id) == 1
    assert library.titles_losing_rules(db, parent["id"], moana.id) == []


def test_adding_an_unknown_title_is_404_and_imports_nothing(client, db):
    parent = sign_up(client)
    before = db.scalar(select(Title.id).order_by(Title.id.desc()).limit(1)) or 0
    for title_id in (before + 1000, 2**31 - 1):
        assert client.put(f"/api/parent/library/{title_id}", headers=auth(parent)).status_code == 404
    assert client.put("/api/parent/library/0", headers=auth(parent)).status_code == 422
    assert library_ids(client, parent) == []
    assert db.scalar(select(Title.id).order_by(Title.id.desc()).limit(1)) == (before or None)


def family_title_rows(db, family_id: int) -> set[int]:
    db.expire_all()
    return set(db.scalars(select(FamilyTitle.title_id).where(FamilyTitle.family_id == family_id)))


def test_allowing_or_denying_a_title_puts_it_in_the_library_without_a_second_row(client, db):
    parent = sign_up(client)
    emma = add_kid(client, parent, "Emma", age=None)
    moana, nemo = offline_title(db, "Moana"), offline_title(db, "Finding Nemo")
    allow(client, parent, emma, moana.id)
    allow(client, parent, emma, nemo.id, "deny")
    assert sorted(library_ids(client, parent)) == sorted([moana.id, nemo.id])
    assert family_title_rows(db, parent["id"]) == set(), "the policy is the library entry"
    again = client.put(f"/api/parent/library/{moana.id}", headers=auth(parent))
    assert again.status_code == 200 and again.json()["added_by"] is None
    assert family_title_rows(db, parent["id"]) == set()


def test_a_policy_takes_over_a_library_row_and_gives_it_back_when_removed(client, db):
    parent = sign_up(client)
    emma, leo = add_kid(client, parent, "Emma", age=None), add_kid(client, parent, "Leo", age=None)
    moana, nemo = offline_title(db, "Moana"), offline_title(db, "Finding Nemo")
    assert client.put(f"/api/parent/library/{moana.id}", headers=auth(parent)).status_code == 201
    allow(client, parent, emma, moana.id)
    allow(client, parent, leo, moana.id, "deny")
    allow(client, parent, leo, nemo.id)
    assert family_title_rows(db, parent["id"]) == set()
    assert sorted(library_ids(client, parent)) == sorted([moana.id, nemo.id])

    # The rules go, the titles stay: a removed policy, a deleted kid.
    assert client.delete(f"/api/parent/kids/{emma['id']}/policies/{moana.id}", headers=auth(parent)).status_code == 204
    assert client.delete(f"/api/parent/kids/{leo['id']}", headers=auth(parent)).status_code == 204
    assert sorted(library_ids(client, parent)) == sorted([moana.id, nemo.id])
    assert family_title_rows(db, parent["id"]) == {moana.id, nemo.id}
    assert client.delete(f"/api/parent/library/{nemo.id}", headers=auth(parent)).status_code == 204
    assert library_ids(client, parent) == [moana.id]


def test_a_title_held_only_by_a_policy_is_removed_from_the_library_with_it(client, db):
    parent = sign_up(client)
    emma = add_kid(client, parent, "Emma", age=None)
    moana = offline_title(db, "Moana")
    allow(client, parent, emma, moana.id)
    assert client.delete(f"/api/parent/library/{moana.id}", headers=auth(parent)).status_code == 204
    assert library_ids(client, parent) == []
    assert client.get(f"/api/parent/kids/{emma['id']}/policies", headers=auth(parent)).json() == []
    assert client.delete(f"/api/parent/library/{moana.id}", headers=auth(parent)).status_code == 404


def test_a_siblings_policy_puts_the_title_in_a_rules_mode_kids_library_and_moves_her_launcher(client, db):
    parent = sign_up(client)
    emma, leo = add_kid(client, parent, "Emma", age=None), add_kid(client, parent, "Leo", age=None)
    rules = {**RULES_OFF, "mode": "rules", "block_unrated": False}
    assert client.put(f"/api/parent/kids/{emma['id']}/rules", json=rules, headers=auth(parent)).status_code == 200
    device = pair_device(client, parent)
    assign(client, parent, device_row_id(client, parent, device), emma["id"])
    moana = offline_title(db, "Moana")
    etag = client.get("/api/apps", headers=device).headers["ETag"]
    allow(client, parent, leo, moana.id, "deny")  # Leo may not; Moana is in the library all the same
    fresh = client.get("/api/apps", headers={**device, "If-None-Match": etag})
    assert fresh.status_code == 200
    assert launcher_titles(client, device) == {"Moana"}
    assert explain(client, parent, emma, moana.id)["reason"] == "within_rules"
    etag = fresh.headers["ETag"]
    assert client.delete(f"/api/parent/library/{moana.id}", headers=auth(parent)).status_code == 204
    assert client.get("/api/apps", headers={**device, "If-None-Match": etag}).status_code == 200
    assert launcher_titles(client, device) == set()


def test_another_familys_library_and_policies_are_untouched(client, db):
    ours, theirs = sign_up(client), sign_up(client)
    their_kid = add_kid(client, theirs, "Zoe", age=None)
    moana = offline_title(db, "Moana")
    allow(client, theirs, their_kid, moana.id)
    assert client.delete(f"/api/parent/library/{moana.id}", headers=auth(ours)).status_code == 404
    client.put(f"/api/parent/library/{moana.id}", headers=auth(ours))
    assert client.delete(f"/api/parent/library/{moana.id}", headers=auth(ours)).status_code == 204
    assert library_ids(client, theirs) == [moana.id]
    policies_left = client.get(f"/api/parent/kids/{their_kid['id']}/policies", headers=auth(theirs)).json()
    assert [p["title"]["id"] for p in policies_left] == [moana.id]
    assert library_ids(client, ours) == []
    assert client.get(f"/api/parent/kids/{their_kid['id']}/rules", headers=auth(ours)).status_code == 404
    assert (
        client.put(f"/api/parent/kids/{their_kid['id']}/rules", json=RULES_OFF, headers=auth(ours)).status_code == 404
    )


def test_a_co_parent_uses_the_family_library(client, db):
    owner = sign_up(client)
    co_parent = join(client, owner)
    moana = offline_title(db, "Moana")
    added = client.put(f"/api/parent/library/{moana.id}", headers=auth(co_parent))
    assert added.status_code == 201 and added.json()["added_by"] == co_parent["id"]
    assert library_ids(client, owner) == [moana.id]
    assert client.delete(f"/api/parent/library/{moana.id}", headers=auth(co_parent)).status_code == 204
    assert library_ids(client, owner) == []


# -- rules ---------------------------------------------------------------------------------------


# A US family (the default): the highest rating whose minimum age, and every lower rating's, the kid
# has reached (data/rating_systems.json: G 0, PG 10, PG-13 13, R 17; TV-Y 0, TV-Y7 7, TV-G 0, TV-PG 8,
# TV-14 14, TV-MA 17).
@pytest.mark.parametrize(
    ("age", "movie", "tv"),
    [
        (0, "G", "TV-Y"),
        (7, "G", "TV-G"),
        (8, "G", "TV-PG"),
        (12, "PG", "TV-PG"),
        (13, "PG-13", "TV-PG"),
        (14, "PG-13", "TV-14"),
        (17, "R", "TV-MA"),
    ],
)
def test_a_new_kid_with_an_age_starts_in_rules_mode_with_the_preset_of_that_age(client, age, movie, tv):
    parent = sign_up(client)
    kid = add_kid(client, parent, age=age)
    assert kid["rules_mode"] == "rules"
    got = client.get(f"/api/parent/kids/{kid['id']}/rules", headers=auth(parent)).json()
    assert got == {
        "kid_id": kid["id"],
        "mode": "rules",
        "max_movie_rating": movie,
        "max_tv_rating": tv,
        "block_unrated": True,
        "blocked_tags": [],
    }


def test_a_new_kid_without_an_age_starts_on_the_allow_list(client):
    parent = sign_up(client)
    kid = add_kid(client, parent, age=None)
    assert kid["rules_mode"] == "allow_list"
    assert client.get(f"/api/parent/kids/{kid['id']}/rules", headers=auth(parent)).json()["mode"] == "allow_list"


def test_presets_cover_every_age_with_known_ratings():
    assert preset_for_age(None) is None
    for age in range(18):
        preset = preset_for_age(age)
        assert preset["mode"] == "rules" and preset["block_unrated"] is True
        assert preset["max_movie_rating"] in MOVIE_RATINGS and preset["max_tv_rating"] in TV_RATINGS
    bands = preset_bands("US")
    assert sorted(age for lowest, highest in bands for age in range(lowest, highest + 1)) == list(range(18))


def test_put_rules_replaces_them_and_is_in_the_trail(client):
    parent = sign_up(client)
    kid = add_kid(client, parent, "Emma", age=None)
    url = f"/api/parent/kids/{kid['id']}/rules"
    wanted = {
        "mode": "rules",
        "max_movie_rating": None,
        "max_tv_rating": "TV-G",
        "block_unrated": False,
        "blocked_tags": ["scary_scenes", "peril", "scary_scenes"],
    }
    response = client.put(url, json=wanted, headers=auth(parent))
    assert response.status_code == 200, response.text
    expected = {**wanted, "kid_id": kid["id"], "blocked_tags": ["peril", "scary_scenes"]}
    assert response.json() == expected
    assert client.get(url, headers=auth(parent)).json() == expected
    assert client.get(f"/api/parent/kids/{kid['id']}", headers=auth(parent)).json()["rules_mode"] == "rules"
    assert "rules_changed" in actions(client, parent)


@pytest.mark.parametrize(
    "bad",
    [
        {"mode": "everything"},
        {"max_movie_rating": "PG13"},
        {"max_movie_rating": "TV-PG"},
        {"max_tv_rating": "TV-Y7-FV"},
        {"max_tv_rating": "PG"},
        {"blocked_tags": ["peril", "no_such_tag"]},
        {"blocked_tags": ["bad\x00tag"]},
        {"block_unrated": "sometimes"},
        {"mode": None},
    ],
)
def test_unknown_mode_rating_or_tag_is_4xx_and_writes_nothing(client, bad):
    parent = sign_up(client)
    kid = add_kid(client, parent, age=10)
    url = f"/api/parent/kids/{kid['id']}/rules"
    before = client.get(url, headers=auth(parent)).json()
    response = client.put(url, json={**RULES_OFF, **bad}, headers=auth(parent))
    assert response.status_code == 422, response.text
    assert client.get(url, headers=auth(parent)).json() == before
    assert "rules_changed" not in actions(client, parent)


def test_an_unknown_tag_is_named_in_the_detail(client):
    parent = sign_up(client)
    kid = add_kid(client, parent, age=None)
    response = client.put(
        f"/api/parent/kids/{kid['id']}/rules",
        json={**RULES_OFF, "blocked_tags": ["peril", "zombies", "aliens"]},
        headers=auth(parent),
    )
    assert response.status_code == 422 and response.json()["detail"] == "Unknown tags: aliens, zombies"


# -- what a rules-mode kid sees ------------------------------------------------------------------


def rules_family(client, db, **rules):
    """Emma (rules mode: PG / TV-PG unless told, unrated blocked) with a device, and a library."""
    parent = sign_up(client)
    emma = add_kid(client, parent, "Emma", age=None)
    response = client.put(
        f"/api/parent/kids/{emma['id']}/rules",
        headers=auth(parent),
        json={
            "mode": "rules",
            "max_movie_rating": "PG",
            "max_tv_rating": "TV-PG",
            "block_unrated": True,
            "blocked_tags": ["scary_scenes"],
            **rules,
        },
    )
    assert response.status_code == 200, response.text
    device = pair_device(client, parent)
    titles = {
        "Calm Show": make_title(
            db, title="Calm Show", media_type="tv", providers=["netflix"], certification="TV-PG", tags=["comedy"]
        ),
        "Teen Show": make_title(db, title="Teen Show", media_type="tv", providers=["netflix"], certification="TV-14"),
        "Spooky Film": make_title(
            db, title="Spooky Film", providers=["netflix"], certification="G", tags=["scary_scenes", "animated"]
        ),
        "Mystery Film": make_title(db, title="Mystery Film", providers=["netflix"], certification=None),
        "Gentle Film": make_title(db, title="Gentle Film", providers=["netflix"], certification="G"),
        "Outside Film": make_title(db, title="Outside Film", providers=["netflix"], certification="G"),
    }
    db.commit()
    for name, title in titles.items():
        if name != "Outside Film":
            assert client.put(f"/api/parent/library/{title.id}", headers=auth(parent)).status_code == 201
    return parent, emma, device, titles


def test_a_rules_mode_kid_sees_the_library_titles_within_her_rules_and_why_not_the_rest(client, db):
    parent, emma, device, titles = rules_family(client, db)
    assert launcher_titles(client, device) == {"Calm Show", "Gentle Film"}
    why = {name: explain(client, parent, emma, title.id) for name, title in titles.items()}
    assert why["Calm Show"]["visible"] and why["Calm Show"]["reason"] == "within_rules"
    assert "Within Emma's rules" in why["Calm Show"]["explanation"]
    assert why["Teen Show"]["explanation"] == "TV-14 is above Emma's limit, TV-PG"
    assert why["Spooky Film"]["explanation"] == "Tagged “Scary scenes”, which Emma's rules block"
    assert why["Mystery Film"]["explanation"] == "Unrated, and Emma's rules block unrated titles"
    assert why["Outside Film"]["reason"] == "not_in_library" and not why["Outside Film"]["visible"]

    kid = db.get(KidProfile, emma["id"])
    visible, hidden = policies.what_kid_can_watch(db, kid)
    assert [t.title for t, _ in visible] == ["Calm Show", "Gentle Film"]
    assert {t.title: d.explanation for t, d in hidden} == {
        "Mystery Film": "Unrated, and Emma's rules block unrated titles",
        "Spooky Film": "Tagged “Scary scenes”, which Emma's rules block",
        "Teen Show": "TV-14 is above Emma's limit, TV-PG",
    }


def test_rules_changes_move_the_launcher(client, db):
    parent, emma, device, _ = rules_family(client, db)
    client.put(
        f"/api/parent/kids/{emma['id']}/rules",
        headers=auth(parent),
        json={
            "mode": "rules",
            "max_movie_rating": None,
            "max_tv_rating": None,
            "block_unrated": False,
            "blocked_tags": [],
        },
    )
    assert launcher_titles(client, device) == {"Calm Show", "Teen Show", "Spooky Film", "Mystery Film", "Gentle Film"}
    client.put(f"/api/parent/kids/{emma['id']}/rules", headers=auth(parent), json=RULES_OFF)
    assert launcher_titles(client, device) == set()


def test_an_explicit_allow_shows_a_title_above_the_rules_and_says_so(client, db):
    parent, emma, device, titles = rules_family(client, db)
    allow(client, parent, emma, titles["Teen Show"].id)
    allow(client, parent, emma, titles["Outside Film"].id)
    assert launcher_titles(client, device) == {"Calm Show", "Gentle Film", "Teen Show", "Outside Film"}
    why = explain(client, parent, emma, titles["Teen Show"].id)
    assert why["visible"] and why["explanation"] == "Allowed by you, although TV-14 is above Emma's limit, TV-PG"
    assert titles["Outside Film"].id in library_ids(client, parent)


def test_an_explicit_deny_beats_the_rules(client, db):
    parent, emma, device, titles = rules_family(client, db)
    allow(client, parent, emma, titles["Gentle Film"].id, "deny")
    assert launcher_titles(client, device) == {"Calm Show"}
    why = explain(client, parent, emma, titles["Gentle Film"].id)
    assert not why["visible"] and why["reason"] == "denied"
    kid = db.get(KidProfile, emma["id"])
    hidden = {t.title: d.reason for t, d in policies.what_kid_can_watch(db, kid)[1]}
    assert hidden["Gentle Film"] == "denied"


def test_an_episode_tagged_with_a_blocked_tag_is_hidden(client, db):
    parent, emma, device, titles = rules_family(client, db)
    show = titles["Calm Show"]
    calm = make_episode(db, show, number=1, name="Picnic", tags=["comedy"])
    scary = make_episode(db, show, number=2, name="The Storm", tags=["scary_scenes"])
    db.commit()
    apps = client.get("/api/apps", headers=device).json()
    episodes = [
        e["name"] for g in apps for item in g["content"] if item["appName"] == "Calm Show" for e in item["episodes"]
    ]
    assert episodes == ["Picnic"]
    by_id = {e["episode_id"]: e for e in explain(client, parent, emma, show.id)["episodes"]}
    assert by_id[calm.id]["visible"]
    assert not by_id[scary.id]["visible"] and by_id[scary.id]["reason"] == "episode_tag_blocked"
    assert by_id[scary.id]["explanation"] == "This episode is tagged “Scary scenes”, which Emma's rules block"


def test_an_allow_list_kid_sees_only_what_a_parent_allowed_even_in_the_library(client, db):
    parent = sign_up(client)
    emma = add_kid(client, parent, "Emma", age=None)
    device = pair_device(client, parent)
    moana, nemo = offline_title(db, "Moana"), offline_title(db, "Finding Nemo")
    client.put(f"/api/parent/library/{moana.id}", headers=auth(parent))
    allow(client, parent, emma, nemo.id)
    assert launcher_titles(client, device) == {"Finding Nemo"}
    assert explain(client, parent, emma, moana.id)["reason"] == "no_policy"


def test_an_allow_over_the_rules_reads_as_one_sentence():
    rules = Rules(RULES, "PG", "TV-PG", True, frozenset({"peril"}), "Emma")
    netflix = ("netflix",)
    said = [
        evaluate_title(Policy("allow"), [], facts, rules).explanation
        for facts in (
            TitleFacts(netflix, "R"),
            TitleFacts(netflix, None),
            TitleFacts(netflix, "G", frozenset({"peril"})),
        )
    ]
    assert said == [
        "Allowed by you, although R is above Emma's limit, PG",
        "Allowed by you, although unrated, and Emma's rules block unrated titles",
        "Allowed by you, although tagged “Peril”, which Emma's rules block",
    ]


def test_what_a_kid_can_watch_covers_only_her_familys_library_and_her_policies(client, db):
    ours, theirs = sign_up(client), sign_up(client)
    emma = add_kid(client, ours, "Emma", age=10)
    kid = db.get(KidProfile, emma["id"])
    assert policies.what_kid_can_watch(db, kid) == ([], [])
    moana, nemo = offline_title(db, "Moana"), offline_title(db, "Finding Nemo")
    client.put(f"/api/parent/library/{nemo.id}", headers=auth(theirs))
    client.put(f"/api/parent/library/{moana.id}", headers=auth(ours))
    visible, hidden = policies.what_kid_can_watch(db, kid)
    assert [(t.title, d.reason) for t, d in visible] == [("Moana", "within_rules")] and hidden == []


def test_an_allow_list_kids_launcher_ignores_library_changes(client, db):
    """Only rules-mode kids see library titles without a policy: nobody else loses a 304."""
    parent = sign_up(client)
    kid = client.post("/api/parent/kids", json={"name": "Mia", "pin": "1234"}, headers=auth(parent)).json()
    device = pair_device(client, parent)
    etag = client.get("/api/apps", headers=device).headers["ETag"]
    moana = offline_title(db, "Moana")
    assert client.put(f"/api/parent/library/{moana.id}", headers=auth(parent)).status_code in (200, 201)
    assert client.get("/api/apps", headers={**device, "If-None-Match": etag}).status_code == 304
    rules = {
        "mode": "rules",
        "max_movie_rating": "PG",
        "max_tv_rating": "TV-PG",
        "block_unrated": True,
        "blocked_tags": [],
    }
    assert client.put(f"/api/parent/kids/{kid['id']}/rules", json=rules, headers=auth(parent)).status_code == 200
    assert client.get("/api/apps", headers={**device, "If-None-Match": etag}).status_code == 200


def test_certifications_are_stored_as_the_rating_scales_spell_them():
    from axolotly.catalog.service import normalised_certification

    assert [normalised_certification(c) for c in ("pg-13 ", "TV-Y7-FV", "tv-ma", "", None, "  ")] == [
        "PG-13",
        "TV-Y7",
        "TV-MA",
        None,
        None,
        None,
    ]


def test_a_show_added_to_the_library_gets_its_episodes_loaded(client, db):
    """Rules-mode kids see library shows without a policy: adding one queues its episodes."""
    from sqlalchemy import text

    parent = sign_up(client)
    bluey = offline_title(db, "Bluey", with_episodes=False)
    queued = (
        "SELECT count(*) FROM procrastinate_jobs "
        "WHERE task_name LIKE '%load_title_episodes' AND args->>'title_id' = :id"
    )
    assert db.execute(text(queued), {"id": str(bluey.id)}).scalar() == 0
    assert client.put(f"/api/parent/library/{bluey.id}", headers=auth(parent)).status_code == 201
    assert db.execute(text(queued), {"id": str(bluey.id)}).scalar() == 1
