"""Starter packs: admins curate them (API and page), parents apply one to the family library in
one click and may allow its titles for chosen kids; the offline catalog ships three."""

from sqlalchemy import func, select

from axolotly.catalog.packs import get_pack, list_packs
from axolotly.enums import PolicyKind
from axolotly.families import library as family_library
from axolotly.models import AuditEvent, KidProfileTitle, StarterPack
from axolotly.seed.demo import seed_demo
from axolotly.seed.packs import OFFLINE_PACKS, seed_starter_packs
from tests.support.api import add_kid, admin_headers, auth, offline_title, sign_up
from tests.support.pages import csrf, log_in


def make_pack(client, db, admin, name="Tiny tots", titles=("Bluey", "Peppa Pig", "Moana")) -> dict:
    ids = [offline_title(db, title, with_episodes=False).id for title in titles]
    response = client.post(
        "/api/admin/starter-packs",
        headers=admin,
        json={"name": name, "description": "Gentle", "min_age": 0, "max_age": 4, "title_ids": ids},
    )
    assert response.status_code == 201, response.text
    return response.json()


def library(db, family_id: int) -> set[int]:
    """Titles added by hand and titles with a policy (families/library_rows.py)."""
    db.expire_all()
    return family_library.library_title_ids(db, family_id)


def policies(db, kid_id: int) -> dict[int, str]:
    rows = db.execute(
        select(KidProfileTitle.title_id, KidProfileTitle.policy)
        .where(KidProfileTitle.kid_profile_id == kid_id)
        .execution_options(populate_existing=True)
    )
    return dict(rows.tuples().all())


def test_admins_create_list_edit_and_delete_packs_in_order(client, db):
    admin = admin_headers(client, db)
    pack = make_pack(client, db, admin)
    assert [t["title"] for t in pack["titles"]] == ["Bluey", "Peppa Pig", "Moana"]
    assert pack["title_ids"] == [t["id"] for t in pack["titles"]]
    listed = client.get("/api/admin/starter-packs", headers=admin).json()
    assert pack in listed
    reordered = {
        "name": "Tiny tots",
        "description": "",
        "min_age": None,
        "max_age": 3,
        "title_ids": [pack["title_ids"][2], pack["title_ids"][0], pack["title_ids"][0]],
    }
    edited = client.put(f"/api/admin/starter-packs/{pack['id']}", headers=admin, json=reordered)
    assert edited.status_code == 200, edited.text
    assert edited.json()["title_ids"] == [pack["title_ids"][2], pack["title_ids"][0]]
    assert (edited.json()["min_age"], edited.json()["max_age"]) == (None, 3)
    assert client.delete(f"/api/admin/starter-packs/{pack['id']}", headers=admin).status_code == 204
    assert db.get(StarterPack, pack["id"], populate_existing=True) is None
    for missing in (
        client.put("/api/admin/starter-packs/999999", headers=admin, json=reordered),
        client.delete("/api/admin/starter-packs/999999", headers=admin),
    ):
        assert missing.status_code == 404 and missing.json()["detail"]


def test_bad_packs_are_refused_and_write_nothing(client, db):
    admin = admin_headers(client, db)
    make_pack(client, db, admin)
    before = db.scalar(select(func.count()).select_from(StarterPack))
    unknown = client.post("/api/admin/starter-packs", headers=admin, json={"name": "Other", "title_ids": [999999]})
    assert unknown.status_code == 422 and "999999" in unknown.json()["detail"]
    for name in ("Tiny tots", "TINY TOTS"):
        duplicate = client.post("/api/admin/starter-packs", headers=admin, json={"name": name})
        assert duplicate.status_code == 409 and "exists" in duplicate.json()["detail"]
    other = client.post("/api/admin/starter-packs", headers=admin, json={"name": "Other"}).json()
    renamed = client.put(f"/api/admin/starter-packs/{other['id']}", headers=admin, json={"name": "Tiny tots"})
    assert renamed.status_code == 409
    for bad in (
        {"name": ""},
        {"name": "x" * 101},
        {"name": "a\x00b"},
        {"name": "Ages", "min_age": 9, "max_age": 5},
        {"name": "Ages", "min_age": -1},
        {"name": "Ages", "title_ids": [2**31]},
        {},
    ):
        assert client.post("/api/admin/starter-packs", headers=admin, json=bad).status_code == 422, bad
    assert db.scalar(select(func.count()).select_from(StarterPack)) == before + 1


def test_parents_cannot_use_the_admin_routes(client, db):
    admin = admin_headers(client, db)
    pack = make_pack(client, db, admin)
    parent = auth(sign_up(client))
    body = {"name": "Mine", "title_ids": []}
    for response in (
        client.get("/api/admin/starter-packs", headers=parent),
        client.post("/api/admin/starter-packs", headers=parent, json=body),
        client.put(f"/api/admin/starter-packs/{pack['id']}", headers=parent, json=body),
        client.delete(f"/api/admin/starter-packs/{pack['id']}", headers=parent),
    ):
        assert response.status_code == 403
    assert client.get("/api/admin/starter-packs").status_code == 401
    assert db.get(StarterPack, pack["id"], populate_existing=True).name == "Tiny tots"


def test_applying_adds_to_the_library_and_allows_for_chosen_kids_only(client, db):
    pack = make_pack(client, db, admin_headers(client, db))
    parent = sign_up(client)
    emma, leo = add_kid(client, parent, "Emma"), add_kid(client, parent, "Leo", age=5)
    bluey, peppa, moana = pack["title_ids"]
    assert (
        client.put(
            f"/api/parent/kids/{emma['id']}/policies/{moana}", json={"policy": "deny"}, headers=auth(parent)
        ).status_code
        == 200
    )
    assert [p["name"] for p in client.get("/api/parent/starter-packs", headers=auth(parent)).json()] == ["Tiny tots"]
    response = client.post(
        f"/api/parent/starter-packs/{pack['id']}/apply", json={"kid_ids": [emma["id"]]}, headers=auth(parent)
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"pack_id": pack["id"], "titles": 3, "added": 2, "allowed_for": [emma["id"]]}
    assert library(db, parent["id"]) == {bluey, peppa, moana}
    # The parent's explicit deny stays: a pack never overrides a decision.
    assert policies(db, emma["id"]) == {bluey: PolicyKind.ALLOW, peppa: PolicyKind.ALLOW, moana: PolicyKind.DENY}
    assert policies(db, leo["id"]) == {}


def test_reapplying_a_pack_is_harmless(client, db):
    pack = make_pack(client, db, admin_headers(client, db))
    parent = sign_up(client)
    emma = add_kid(client, parent, "Emma")
    body = {"kid_ids": [emma["id"], emma["id"]]}
    first = client.post(f"/api/parent/starter-packs/{pack['id']}/apply", json=body, headers=auth(parent))
    assert first.json()["added"] == 3
    rules = policies(db, emma["id"])
    again = client.post(f"/api/parent/starter-packs/{pack['id']}/apply", json=body, headers=auth(parent))
    assert again.status_code == 200 and again.json()["added"] == 0
    assert library(db, parent["id"]) == set(pack["title_ids"]) and policies(db, emma["id"]) == rules
    assert len(rules) == 3


def test_another_familys_kid_is_not_found_and_nothing_is_written(client, db):
    pack = make_pack(client, db, admin_headers(client, db))
    parent, other = sign_up(client), sign_up(client)
    emma, stranger = add_kid(client, parent, "Emma"), add_kid(client, other, "Stranger")
    events = db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.family_id == parent["id"]))
    response = client.post(
        f"/api/parent/starter-packs/{pack['id']}/apply",
        json={"kid_ids": [emma["id"], stranger["id"]]},
        headers=auth(parent),
    )
    assert response.status_code == 404 and response.json()["detail"]
    assert library(db, parent["id"]) == set() and library(db, other["id"]) == set()
    assert policies(db, emma["id"]) == {} and policies(db, stranger["id"]) == {}
    assert db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.family_id == parent["id"])) == events
    missing = client.post("/api/parent/starter-packs/999999/apply", json={}, headers=auth(parent))
    assert missing.status_code == 404


def test_the_seed_ships_three_packs_and_can_run_again(db):
    seed_demo(db)
    names = set(db.scalars(select(StarterPack.name)))
    assert {name for name, *_ in OFFLINE_PACKS} <= names and len(OFFLINE_PACKS) >= 3
    assert seed_starter_packs(db) == 0
    seed_demo(db)
    assert set(db.scalars(select(StarterPack.name))) == names
    shipped = [pack for pack in list_packs(db) if pack.pack.name in names]
    assert all(
        len(pack.titles) == len(titles)
        for pack in shipped
        for name, _, _, _, titles in OFFLINE_PACKS
        if name == pack.pack.name
    )


def test_the_pages_let_admins_curate_and_parents_apply(client, db):
    bluey = offline_title(db, "Bluey", with_episodes=False)
    moana = offline_title(db, "Moana", with_episodes=False)
    admin = admin_headers(client, db)
    log_in(client, "ops@example.com")
    assert "/admin/starter-packs" in client.get("/admin").text
    token = csrf(client, "/admin/starter-packs")
    created = client.post(
        "/admin/starter-packs",
        data={
            "name": "Page pack",
            "description": "",
            "min_age": "",
            "max_age": "6",
            "title_ids": [str(bluey.id), str(moana.id)],
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert created.status_code == 303
    pack = db.scalar(select(StarterPack).where(StarterPack.name == "Page pack"))
    assert (pack.min_age, pack.max_age) == (None, 6)
    bad = client.post(
        "/admin/starter-packs",
        data={"name": "Bad", "min_age": "9", "max_age": "2", "csrf_token": token},
        follow_redirects=False,
    )
    assert bad.status_code == 303 and db.scalar(select(StarterPack).where(StarterPack.name == "Bad")) is None
    page = client.get("/admin/starter-packs").text
    assert "Page pack" in page and "Bluey" in page
    # The page lists titles in catalog order; saving keeps the pack's own order.
    client.put(
        f"/api/admin/starter-packs/{pack.id}",
        headers=admin,
        json={"name": "Page pack", "max_age": 6, "title_ids": [moana.id, bluey.id]},
    )
    edited = client.post(
        f"/admin/starter-packs/{pack.id}",
        data={"name": "Page pack", "max_age": "7", "title_ids": [str(bluey.id), str(moana.id)], "csrf_token": token},
        follow_redirects=False,
    )
    assert edited.status_code == 303
    assert get_pack(db, pack.id).title_ids == [moana.id, bluey.id] and get_pack(db, pack.id).pack.max_age == 7

    client.cookies.clear()
    parent = sign_up(client)
    emma, leo = add_kid(client, parent, "Emma"), add_kid(client, parent, "Leo", age=5)
    log_in(client, parent["email"])
    page = client.get("/catalog/packs").text
    assert "Page pack" in page and "Add “Page pack” to our library" in page and "Emma" in page and "Leo" in page
    assert client.get("/admin/starter-packs").status_code == 403
    form = {"kid": [str(leo["id"])], "csrf_token": csrf(client, "/catalog/packs")}
    applied = client.post(f"/catalog/packs/{pack.id}/apply", data=form, follow_redirects=False)
    assert applied.status_code == 303 and applied.headers["location"] == "/catalog/packs"
    assert library(db, parent["id"]) == {bluey.id, moana.id}
    assert set(policies(db, leo["id"])) == {bluey.id, moana.id} and policies(db, emma["id"]) == {}
    assert "in your library" in client.get("/catalog/packs").text
