"""Kids ask, parents answer: asks from a device and the kid page, the limits, isolation, answers."""

import re

import pytest
from sqlalchemy import select

from axolotly.families import requests as title_requests
from axolotly.models import AuditEvent, FamilyTitle, KidProfile
from tests.support.api import add_kid, auth, sign_up
from tests.support.factories import make_title
from tests.support.launcher_helpers import assign, device_row_id, pair_device
from tests.support.pages import csrf, log_in


def in_library(db, parent, *titles) -> None:
    for title in titles:
        db.add(FamilyTitle(family_id=parent["id"], title_id=title.id))
    db.flush()


def rules_kid(db, kid_id: int, **rules) -> KidProfile:
    """A kid in rules mode with a PG / TV-PG cap (unless told otherwise)."""
    kid = db.get(KidProfile, kid_id)
    kid.rules_mode, kid.max_movie_rating, kid.max_tv_rating = "rules", "PG", "TV-PG"
    kid.block_unrated, kid.blocked_tags = True, []
    for name, value in rules.items():
        setattr(kid, name, value)
    db.flush()
    return kid


def hidden_title(db, name: str = "Jaws", certification: str = "PG-13"):
    return make_title(db, title=name, certification=certification, providers=["netflix"])


@pytest.fixture
def family(client, db):
    """A parent, Emma (rules mode, PG cap) on a paired device, and a PG-13 library title."""
    parent = sign_up(client)
    emma = add_kid(client, parent, "Emma")
    rules_kid(db, emma["id"])
    device = pair_device(client, parent)
    assign(client, parent, device_row_id(client, parent, device), emma["id"])
    jaws = hidden_title(db)
    in_library(db, parent, jaws)
    return {"parent": parent, "emma": emma, "device": device, "jaws": jaws}


def app_ids(client, device) -> set[str]:
    groups = client.get("/api/apps", headers=device).json()
    return {item["id"] for group in groups for item in group["content"]}


def ask(client, family, title_id) -> dict:
    return client.post("/api/requests", json={"title_id": title_id}, headers=family["device"])


def test_a_device_asks_for_a_hidden_library_title_and_asking_again_is_the_same_request(client, db, family):
    first = ask(client, family, family["jaws"].id)
    assert first.status_code == 201, first.text
    assert first.json()["status"] == "open" and first.json()["title_id"] == str(family["jaws"].id)
    again = ask(client, family, str(family["jaws"].id))  # the id as /api/apps sends it
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]

    mine = client.get("/api/requests", headers=family["device"]).json()
    assert [(r["id"], r["status"], r["note"], r["message"]) for r in mine] == [
        (first.json()["id"], "open", "", "Waiting for a parent")
    ]
    events = db.scalars(
        select(AuditEvent).where(AuditEvent.family_id == family["parent"]["id"], AuditEvent.action == "title_requested")
    ).all()
    assert len(events) == 1 and "Emma asked for “Jaws”" in events[0].summary


def test_refused_asks_say_why(client, db, family):
    parent = family["parent"]
    denied, visible, elsewhere = (
        hidden_title(db, "Denied"),
        hidden_title(db, "Fine", "PG"),
        make_title(db, title="Nowhere", certification="R", providers=[]),
    )
    in_library(db, parent, denied, visible, elsewhere)
    client.put(
        f"/api/parent/kids/{family['emma']['id']}/policies/{denied.id}", json={"policy": "deny"}, headers=auth(parent)
    )
    outside = hidden_title(db, "Not ours")

    assert ask(client, family, denied.id).json() == {"detail": "A parent said no to this one"}
    assert ask(client, family, denied.id).status_code == 409
    assert ask(client, family, visible.id).status_code == 409  # already on the screen
    assert ask(client, family, elsewhere.id).status_code == 409  # an allow could not show it
    assert ask(client, family, outside.id).status_code == 404
    assert ask(client, family, 2**31 - 1).status_code == 404
    for bad in ({}, {"title_id": "x"}, {"title_id": 2**31}, {"title_id": "٣"}):
        answer = client.post("/api/requests", json=bad, headers=family["device"])
        assert answer.status_code == 400 and isinstance(answer.json()["detail"], str), bad
    assert client.post("/api/requests", json={"title_id": 1}).status_code == 401


def test_an_unassigned_device_is_not_linked(client, family):
    add_kid(client, family["parent"], "Noah")  # two kids: a new device stays unassigned
    device = pair_device(client, family["parent"])
    answer = client.post("/api/requests", json={"title_id": family["jaws"].id}, headers=device)
    assert answer.status_code == 404 and answer.json()["detail"] == "Device not linked to a kid profile"
    assert client.get("/api/requests", headers=device).status_code == 404


def test_at_most_ten_open_requests_per_kid(client, db, family):
    titles = [hidden_title(db, f"Scary {n}") for n in range(11)]
    in_library(db, family["parent"], *titles)
    for title in titles[:9]:
        assert ask(client, family, title.id).status_code == 201
    assert ask(client, family, family["jaws"].id).status_code == 201  # the tenth
    refused = ask(client, family, titles[9].id)
    assert refused.status_code == 409 and "10" in refused.json()["detail"]
    assert ask(client, family, family["jaws"].id).status_code == 200  # the same request is no new one

    opened = client.get("/api/parent/requests", headers=auth(family["parent"])).json()
    client.post(f"/api/parent/requests/{opened[0]['id']}/decline", headers=auth(family["parent"]))
    assert ask(client, family, titles[9].id).status_code == 201  # an answer frees a place


def test_approving_shows_the_title_on_the_launcher_and_changes_the_etag(client, db, family):
    parent, device = family["parent"], family["device"]
    request_id = ask(client, family, family["jaws"].id).json()["id"]
    before = client.get("/api/apps", headers=device).headers["ETag"]
    assert str(family["jaws"].id) not in app_ids(client, device)

    listed = client.get("/api/parent/requests?status=open", headers=auth(parent)).json()
    assert [(r["id"], r["kid_name"], r["title"]) for r in listed] == [(request_id, "Emma", "Jaws")]
    assert "PG-13 is above Emma's limit, PG" in listed[0]["why_hidden"]

    approved = client.post(f"/api/parent/requests/{request_id}/approve", headers=auth(parent))
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert client.get("/api/apps", headers={**device, "If-None-Match": before}).status_code == 200
    assert str(family["jaws"].id) in app_ids(client, device)
    assert client.get("/api/parent/requests", headers=auth(parent)).json() == []
    assert [r["id"] for r in client.get("/api/parent/requests?status=approved", headers=auth(parent)).json()] == [
        request_id
    ]
    mine = client.get("/api/requests", headers=device).json()
    assert (mine[0]["status"], mine[0]["message"]) == ("approved", "Yes! Now on your screen")
    assert mine[0]["answered_at"].endswith("Z")

    again = client.post(f"/api/parent/requests/{request_id}/decline", headers=auth(parent))
    assert again.status_code == 409
    summaries = db.scalars(
        select(AuditEvent.summary).where(AuditEvent.action == "request_answered", AuditEvent.family_id == parent["id"])
    ).all()
    assert summaries == [f"{parent['email']} approved Emma's request for “Jaws”"]


def test_declining_with_a_note_is_what_the_kid_sees(client, db, family):
    parent, device = family["parent"], family["device"]
    request_id = ask(client, family, family["jaws"].id).json()["id"]
    declined = client.post(
        f"/api/parent/requests/{request_id}/decline", json={"note": "When you are older"}, headers=auth(parent)
    )
    assert declined.status_code == 200 and declined.json()["note"] == "When you are older"
    mine = client.get("/api/requests", headers=device).json()
    assert (mine[0]["status"], mine[0]["note"], mine[0]["message"]) == (
        "declined",
        "When you are older",
        "Not this time",
    )
    assert str(family["jaws"].id) not in app_ids(client, device)
    bad = client.post(f"/api/parent/requests/{request_id}/decline", json={"note": "x" * 501}, headers=auth(parent))
    assert bad.status_code == 422
    assert client.get("/api/parent/requests?status=maybe", headers=auth(parent)).status_code == 422


def test_another_familys_kid_title_and_request_are_not_found(client, db, family):
    request_id = ask(client, family, family["jaws"].id).json()["id"]
    other = sign_up(client)
    noah = add_kid(client, other, "Noah")
    rules_kid(db, noah["id"])
    other_device = pair_device(client, other)
    theirs = hidden_title(db, "Their own")
    in_library(db, other, theirs)

    # Noah's device cannot ask for a title of Emma's library, nor see Emma's requests.
    assert client.post("/api/requests", json={"title_id": family["jaws"].id}, headers=other_device).status_code == 404
    assert client.get("/api/requests", headers=other_device).json() == []
    assert client.get("/api/parent/requests", headers=auth(other)).json() == []
    for verb in ("approve", "decline"):
        answer = client.post(f"/api/parent/requests/{request_id}/{verb}", headers=auth(other))
        assert answer.status_code == 404 and answer.json()["detail"] == "Request not found"
    assert ask(client, family, theirs.id).status_code == 404
    assert title_requests.count_open(db, family["parent"]["id"]) == 1
    assert title_requests.count_open(db, other["id"]) == 0


# -- pages ----------------------------------------------------------------------------------------


def kid_web_launcher(client, family) -> str:
    """Pairs this browser as a kid launcher for the family, signs Emma in; the CSRF token."""
    code = client.post("/api/parent/pairing-codes", headers=auth(family["parent"])).json()["code"]
    token = csrf(client, "/kids")
    client.post("/kids/pair", data={"code": code, "csrf_token": token})
    client.post(f"/kids/{family['emma']['id']}/pin", data={"pin": "1234", "csrf_token": token})
    return token


def test_the_kid_asks_from_the_web_launcher_and_sees_the_answer(client, db, family):
    emma_id = family["emma"]["id"]
    token = kid_web_launcher(client, family)
    page = client.get(f"/kids/{emma_id}/launcher").text
    assert "Ask a parent" in page and "Jaws" in page

    asked = client.post(f"/kids/{emma_id}/requests", data={"title_id": family["jaws"].id, "csrf_token": token})
    assert asked.status_code == 200 and "Waiting for a parent" in asked.text
    request_id = title_requests.open_requests(db, family["parent"]["id"])[0].request.id
    asked_on = db.scalars(select(AuditEvent.summary).where(AuditEvent.action == "title_requested")).all()
    assert asked_on == ["Emma asked for “Jaws” on Web launcher"]
    assert "Ask for Jaws" not in client.get(f"/kids/{emma_id}/launcher").text  # asked already: waiting

    # The parent sees the count at home, and declines with a note on the requests page.

    log_in(client, family["parent"]["email"])
    home = client.get("/").text
    assert re.search(r'href="/family/requests"[^>]*>[^<]*1 ', home), home
    requests_page = client.get("/family/requests").text
    assert "Jaws" in requests_page and "Emma" in requests_page
    parent_token = csrf(client, "/family/requests")
    declined = client.post(
        f"/family/requests/{request_id}/decline", data={"note": "Too scary", "csrf_token": parent_token}
    )
    assert declined.status_code == 200 and "Declined" in declined.text

    kid_page = client.get(f"/kids/{emma_id}/launcher").text
    assert "Not this time" in kid_page and "Too scary" in kid_page


def test_approving_from_the_page_puts_it_on_the_kids_screen(client, db, family):

    request_id = ask(client, family, family["jaws"].id).json()["id"]
    log_in(client, family["parent"]["email"])
    token = csrf(client, "/family/requests")
    approved = client.post(f"/family/requests/{request_id}/approve", data={"csrf_token": token})
    assert approved.status_code == 200 and "Approved" in approved.text
    assert str(family["jaws"].id) in app_ids(client, family["device"])
    again = client.post(f"/family/requests/{request_id}/approve", data={"csrf_token": token})
    assert "already" in again.text


def test_concurrent_asks_keep_the_limit_of_ten(engine, committed):
    """Twelve asks at once for twelve titles, each in its own transaction: ten requests, two refusals."""
    from concurrent.futures import ThreadPoolExecutor

    from sqlalchemy.orm import Session

    from axolotly.errors import Conflict
    from axolotly.models import Title, User
    from tests.support.factories import make_family, make_kid

    with Session(engine) as db, db.begin():
        parent = make_family(db)
        kid = rules_kid(db, make_kid(db, parent, "Emma").id)
        titles = [hidden_title(db, f"Burst {n}") for n in range(12)]
        in_library(db, {"id": parent.id}, *titles)
        committed.extend([(User, parent.id)] + [(Title, title.id) for title in titles])
        kid_id, title_ids = kid.id, [title.id for title in titles]

    def ask_once(title_id: int) -> str:
        with Session(engine) as db, db.begin():
            try:
                title_requests.ask(db, db.get(KidProfile, kid_id), title_id)
                return "asked"
            except Conflict:
                return "refused"

    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = list(pool.map(ask_once, title_ids))
    assert sorted(outcomes) == ["asked"] * 10 + ["refused"] * 2


def test_the_kid_page_cannot_ask_for_another_familys_kid_or_title(client, db, family):
    other = sign_up(client)
    noah = add_kid(client, other, "Noah")
    theirs = hidden_title(db, "Their own")
    in_library(db, other, theirs)
    token = kid_web_launcher(client, family)
    for kid_id, title_id in ((noah["id"], family["jaws"].id), (family["emma"]["id"], theirs.id)):
        answer = client.post(f"/kids/{kid_id}/requests", data={"title_id": title_id, "csrf_token": token})
        assert "not found" in answer.text.lower(), (kid_id, title_id)
    assert title_requests.count_open(db, family["parent"]["id"]) == title_requests.count_open(db, other["id"]) == 0


def test_a_parents_direct_decision_answers_the_open_request(client, db, family):
    """A deny on the title page is the answer (the kid cannot ask again, nobody can approve it
    later); an allow is a yes; removing the title from the library closes its questions."""
    parent, emma, jaws = family["parent"], family["emma"], family["jaws"]
    request_id = ask(client, family, jaws.id).json()["id"]
    client.put(f"/api/parent/kids/{emma['id']}/policies/{jaws.id}", json={"policy": "deny"}, headers=auth(parent))
    mine = client.get("/api/requests", headers=family["device"]).json()
    assert [(r["id"], r["status"]) for r in mine] == [(request_id, "declined")]
    assert client.post(f"/api/parent/requests/{request_id}/approve", headers=auth(parent)).status_code == 409
    assert ask(client, family, jaws.id).status_code == 409, "denied: not askable again"

    shark = hidden_title(db, "Shark Tale")
    in_library(db, family["parent"], shark)
    asked = ask(client, family, shark.id).json()["id"]
    client.put(f"/api/parent/kids/{emma['id']}/policies/{shark.id}", json={"policy": "allow"}, headers=auth(parent))
    assert {r["id"]: r["status"] for r in client.get("/api/requests", headers=family["device"]).json()}[
        asked
    ] == "approved"

    nemo = hidden_title(db, "Finding Nemo")
    in_library(db, family["parent"], nemo)
    waiting = ask(client, family, nemo.id).json()["id"]
    assert client.delete(f"/api/parent/library/{nemo.id}", headers=auth(parent)).status_code == 204
    assert client.post(f"/api/parent/requests/{waiting}/approve", headers=auth(parent)).status_code == 409
    assert client.get("/api/parent/requests?status=open", headers=auth(parent)).json() == []
