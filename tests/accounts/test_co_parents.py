"""Co-parents: invite, accept, act as the family, be removed; invitations are single use and expire."""

from sqlalchemy import text

from tests.support.api import PASSWORD, add_kid, auth, invite, join, offline_title, sign_up
from tests.support.pages import csrf, log_in


def test_an_invited_co_parent_acts_for_the_family_and_the_trail_names_who(client, db):
    owner = sign_up(client)
    emma = add_kid(client, owner, "Emma")
    invitation = invite(client, owner)
    assert invitation["url"].endswith(f"/join/{invitation['token']}") and len(invitation["token"]) >= 40
    days = db.execute(
        text("SELECT extract(epoch FROM expires_at - created_at) / 86400 FROM family_invitations")
    ).scalar()
    assert round(days) == 7

    co_parent = sign_up(client)
    accepted = client.post(f"/api/parent/family/invitations/{invitation['token']}/accept", headers=auth(co_parent))
    assert accepted.json() == {
        "family_id": owner["id"],
        "family_name": accepted.json()["family_name"],
        "role": "co_parent",
    }

    assert [k["name"] for k in client.get("/api/parent/kids", headers=auth(co_parent)).json()] == ["Emma"]
    leo = add_kid(client, co_parent, "Leo")
    bluey = offline_title(db, "Bluey")
    assert (
        client.put(
            f"/api/parent/kids/{emma['id']}/policies/{bluey.id}", json={"policy": "allow"}, headers=auth(co_parent)
        ).status_code
        == 200
    )
    assert {k["name"] for k in client.get("/api/parent/kids", headers=auth(owner)).json()} == {"Emma", "Leo"}
    assert client.get(f"/api/parent/kids/{leo['id']}/policies", headers=auth(owner)).status_code == 200

    members = client.get("/api/parent/family/members", headers=auth(co_parent)).json()
    assert [(m["email"], m["role"]) for m in members] == [(owner["email"], "owner"), (co_parent["email"], "co_parent")]
    trail = {(e["action"], e["actor"]) for e in client.get("/api/parent/activity", headers=auth(owner)).json()}
    assert ("kid_added", owner["email"]) in trail and ("kid_added", co_parent["email"]) in trail
    assert ("policy_changed", co_parent["email"]) in trail and ("member_joined", co_parent["email"]) in trail


def test_only_the_owner_invites_and_removes_and_nobody_removes_the_owner(client):
    owner = sign_up(client)
    co_parent, other_co_parent = join(client, owner), join(client, owner)
    assert client.post("/api/parent/family/invitations", headers=auth(co_parent)).status_code == 403
    assert client.delete(f"/api/parent/family/members/{owner['id']}", headers=auth(co_parent)).status_code == 403
    assert client.delete(f"/api/parent/family/members/{owner['id']}", headers=auth(owner)).status_code == 403
    assert (
        client.delete(f"/api/parent/family/members/{other_co_parent['id']}", headers=auth(co_parent)).status_code == 403
    )
    assert client.delete(f"/api/parent/family/members/{other_co_parent['id']}", headers=auth(owner)).status_code == 204
    assert client.delete(f"/api/parent/family/members/{co_parent['id']}", headers=auth(co_parent)).status_code == 204, (
        "a co-parent may leave"
    )
    assert [m["role"] for m in client.get("/api/parent/family/members", headers=auth(owner)).json()] == ["owner"]


def test_a_removed_co_parent_sees_nothing_of_the_family_any_more(client, db):
    owner = sign_up(client)
    kid = add_kid(client, owner)
    co_parent = join(client, owner)
    assert client.get(f"/api/parent/kids/{kid['id']}", headers=auth(co_parent)).status_code == 200
    assert client.delete(f"/api/parent/family/members/{co_parent['id']}", headers=auth(owner)).status_code == 204
    assert client.get(f"/api/parent/kids/{kid['id']}", headers=auth(co_parent)).status_code == 404
    assert client.get("/api/parent/kids", headers=auth(co_parent)).json() == []
    assert (
        client.patch(f"/api/parent/kids/{kid['id']}", json={"name": "Renamed"}, headers=auth(co_parent)).status_code
        == 404
    )


def test_an_invitation_is_single_use_and_expires(client, db):
    owner = sign_up(client)
    used = invite(client, owner)["token"]
    first, second = sign_up(client), sign_up(client)
    assert client.post(f"/api/parent/family/invitations/{used}/accept", headers=auth(first)).status_code == 200
    reused = client.post(f"/api/parent/family/invitations/{used}/accept", headers=auth(second))
    assert reused.status_code == 404 and "used or expired" in reused.json()["detail"]

    expired = invite(client, owner)["token"]
    db.execute(text("UPDATE family_invitations SET expires_at = now() - interval '1 second' WHERE accepted_at IS NULL"))
    assert client.post(f"/api/parent/family/invitations/{expired}/accept", headers=auth(second)).status_code == 404
    assert client.post("/api/parent/family/invitations/not-a-token/accept", headers=auth(second)).status_code == 404
    assert client.get("/api/parent/family/members", headers=auth(second)).json()[0]["email"] == second["email"]


def test_one_user_belongs_to_one_family(client):
    owner, other_owner = sign_up(client), sign_up(client)
    co_parent = join(client, owner)
    elsewhere = client.post(
        f"/api/parent/family/invitations/{invite(client, other_owner)['token']}/accept", headers=auth(co_parent)
    )
    assert elsewhere.status_code == 409
    add_kid(client, other_owner)
    has_kids = client.post(
        f"/api/parent/family/invitations/{invite(client, owner)['token']}/accept", headers=auth(other_owner)
    )
    assert has_kids.status_code == 409 and "of its own" in has_kids.json()["detail"]
    own = client.post(f"/api/parent/family/invitations/{invite(client, owner)['token']}/accept", headers=auth(owner))
    assert own.status_code == 409


def test_a_co_parent_deleting_their_account_leaves_the_family_intact(client):
    owner = sign_up(client)
    kid = add_kid(client, owner)
    co_parent = join(client, owner)
    response = client.request("DELETE", "/api/parent/me", json={"password": PASSWORD}, headers=auth(co_parent))
    assert response.status_code == 204
    assert client.get(f"/api/parent/kids/{kid['id']}", headers=auth(owner)).status_code == 200
    assert [m["role"] for m in client.get("/api/parent/family/members", headers=auth(owner)).json()] == ["owner"]


def test_the_owner_deleting_the_account_deletes_the_family_for_co_parents_too(client):
    owner = sign_up(client)
    kid = add_kid(client, owner)
    co_parent = join(client, owner)
    assert (
        client.request("DELETE", "/api/parent/me", json={"password": PASSWORD}, headers=auth(owner)).status_code == 204
    )
    assert client.get(f"/api/parent/kids/{kid['id']}", headers=auth(co_parent)).status_code == 404
    assert client.get("/api/parent/family/members", headers=auth(co_parent)).json()[0]["role"] == "owner"


def test_invite_and_join_on_the_pages(client, app):
    import re

    from fastapi.testclient import TestClient

    owner = sign_up(client)
    log_in(client, owner["email"])
    shown = client.post("/family/invitations", data={"csrf_token": csrf(client, "/family/members")})
    assert shown.status_code == 201
    url = re.search(r'id="invitation-link">(http://[^<]+/join/[^<]+)<', shown.text)[1]
    path = url[url.index("/join/") :]

    with TestClient(app) as newcomer:
        page = newcomer.get(path)
        assert page.status_code == 200 and "Sign up and join" in page.text
        joined = newcomer.post(
            f"{path}/signup",
            data={"email": "second@example.com", "password": PASSWORD, "csrf_token": csrf(newcomer, path)},
        )
        assert joined.status_code == 200 and "Welcome to" in joined.text
        assert "Co-parent" in newcomer.get("/family/members").text
        assert newcomer.get(path).status_code == 404, "a spent invitation is a dead link"

    members_page = client.get("/family/members").text
    assert "second@example.com" in members_page
    co_parent_id = next(
        m["user_id"]
        for m in client.get("/api/parent/family/members", headers=auth(owner)).json()
        if m["role"] == "co_parent"
    )
    removed = client.post(
        f"/family/members/{co_parent_id}/remove", data={"csrf_token": csrf(client, "/family/members")}
    )
    assert "Co-parent removed" in removed.text and "second@example.com" not in client.get("/family/members").text


def test_an_owner_who_joins_another_family_invites_nobody_any_more(client):
    """B invited someone, then joined F: B's old invitation must not make a family B cannot see."""
    b, f = sign_up(client), sign_up(client)
    b_invitation = invite(client, b)["token"]
    assert (
        client.post(f"/api/parent/family/invitations/{invite(client, f)['token']}/accept", headers=auth(b)).status_code
        == 200
    )
    c = sign_up(client)
    late = client.post(f"/api/parent/family/invitations/{b_invitation}/accept", headers=auth(c))
    assert late.status_code == 404
    assert [m["role"] for m in client.get("/api/parent/family/members", headers=auth(c)).json()] == ["owner"]


def test_a_co_parent_cannot_invite_from_the_pages_and_a_logged_in_account_joins(client, app):
    import re

    from fastapi.testclient import TestClient

    owner = sign_up(client)
    co_parent = join(client, owner)
    log_in(client, co_parent["email"])
    refused = client.post("/family/invitations", data={"csrf_token": csrf(client, "/family/members")})
    assert "Only the family" in refused.text and "owner can do this" in refused.text
    assert "Create an invitation link" not in client.get("/family/members").text

    token = invite(client, owner)["token"]
    existing = sign_up(client)
    with TestClient(app) as browser:
        log_in(browser, existing["email"])
        page = browser.get(f"/join/{token}")
        assert f"Join as {existing['email']}" in page.text
        joined = browser.post(f"/join/{token}", data={"csrf_token": csrf(browser, f"/join/{token}")})
        assert "Welcome to" in joined.text
    roles = {m["email"]: m["role"] for m in client.get("/api/parent/family/members", headers=auth(owner)).json()}
    assert roles[existing["email"]] == "co_parent"
    assert re.fullmatch(r"[A-Za-z0-9_-]{40,}", token)


def test_the_owner_lists_and_revokes_open_invitations(client, monkeypatch):
    from axolotly.config import get_settings

    owner = sign_up(client)
    monkeypatch.setattr(get_settings(), "public_url", "https://axolotly.example/")
    kept, revoked = invite(client, owner), invite(client, owner)
    assert kept["url"] == f"https://axolotly.example/join/{kept['token']}", "links use PUBLIC_URL when set"
    listed = client.get("/api/parent/family/invitations", headers=auth(owner)).json()
    assert [i["id"] for i in listed] == [kept["id"], revoked["id"]] and "token" not in listed[0]
    co_parent = join(client, owner)
    assert client.get("/api/parent/family/invitations", headers=auth(co_parent)).status_code == 403
    assert client.delete(f"/api/parent/family/invitations/{revoked['id']}", headers=auth(co_parent)).status_code == 403
    assert client.delete(f"/api/parent/family/invitations/{revoked['id']}", headers=auth(owner)).status_code == 204
    late = client.post(f"/api/parent/family/invitations/{revoked['token']}/accept", headers=auth(sign_up(client)))
    assert late.status_code == 404
    assert [i["id"] for i in client.get("/api/parent/family/invitations", headers=auth(owner)).json()] == [kept["id"]]
