import pytest
from sqlalchemy import text

from tests.support.api import add_kid, admin_headers, auth, episode_ids, offline_title, sign_up


def test_parent_files_report_and_admin_resolves_it(client, db):
    parent = sign_up(client)
    title = offline_title(db, "Moana")
    filed = client.post(
        "/api/parent/reports",
        json={"title_id": title.id, "issue_type": "wrong_age_rating", "description": "scary storm"},
        headers=auth(parent),
    )
    assert filed.status_code == 201 and filed.json()["status"] == "pending"
    admin = admin_headers(client, db)
    pending = client.get("/api/admin/reports", headers=admin).json()
    assert filed.json()["id"] in [r["id"] for r in pending]
    resolved = client.post(f"/api/admin/reports/{filed.json()['id']}/resolve", headers=admin).json()
    assert resolved["status"] == "resolved" and resolved["resolved_at"]
    assert client.post(f"/api/admin/reports/{filed.json()['id']}/dismiss", headers=admin).status_code == 409
    assert client.post("/api/admin/reports/99999999/dismiss", headers=admin).status_code == 404
    mine = client.get("/api/parent/reports", headers=auth(parent)).json()
    assert [(r["id"], r["status"]) for r in mine] == [(filed.json()["id"], "resolved")]


@pytest.mark.parametrize(
    "body",
    [
        {"title_id": 1, "issue_type": "made_up", "description": ""},
        {"title_id": 1, "issue_type": "other", "description": "x" * 2001},
        {"issue_type": "other"},
    ],
)
def test_bad_reports_are_422(client, body):
    parent = sign_up(client)
    response = client.post("/api/parent/reports", json=body, headers=auth(parent))
    assert response.status_code == 422 and response.json()["detail"]


def test_report_on_unknown_title_is_404(client):
    parent = sign_up(client)
    response = client.post(
        "/api/parent/reports", json={"title_id": 99999999, "issue_type": "other"}, headers=auth(parent)
    )
    assert response.status_code == 404


def snapshot(db) -> list:
    return [
        db.execute(text(f"SELECT * FROM {table} ORDER BY 1")).all()
        for table in ("kid_profiles", "kid_profiles_titles", "content_reports", "streaming_service_selection")
    ]


def test_another_familys_ids_are_404_everywhere_and_change_nothing(client, db):
    owner, intruder = sign_up(client), sign_up(client)
    kid = add_kid(client, owner)
    bluey = offline_title(db, "Bluey")
    episode = episode_ids(db, bluey.id)[0]
    client.put(f"/api/parent/kids/{kid['id']}/policies/{bluey.id}", json={"policy": "allow"}, headers=auth(owner))
    client.post("/api/parent/reports", json={"title_id": bluey.id, "issue_type": "other"}, headers=auth(owner))
    before = snapshot(db)
    k, t = kid["id"], bluey.id
    calls = [
        ("GET", f"/api/parent/kids/{k}", None),
        ("PATCH", f"/api/parent/kids/{k}", {"name": "Hacked"}),
        ("DELETE", f"/api/parent/kids/{k}", None),
        ("PUT", f"/api/parent/kids/{k}/pin", {"pin": "0000"}),
        ("POST", f"/api/parent/kids/{k}/verify-pin", {"pin": "1234"}),
        ("GET", f"/api/parent/kids/{k}/policies", None),
        ("PUT", f"/api/parent/kids/{k}/policies/{t}", {"policy": "deny"}),
        ("DELETE", f"/api/parent/kids/{k}/policies/{t}", None),
        ("PUT", f"/api/parent/kids/{k}/policies/{t}/blocked-episodes", {"episode_ids": [episode]}),
        ("PUT", f"/api/parent/kids/{k}/policies/{t}/blocked-episodes/{episode}", None),
        ("DELETE", f"/api/parent/kids/{k}/policies/{t}/blocked-episodes/{episode}", None),
        ("GET", f"/api/parent/kids/{k}/titles/{t}/explain", None),
    ]
    for method, url, body in calls:
        response = client.request(method, url, json=body, headers=auth(intruder))
        assert response.status_code == 404, (method, url, response.text)
        assert response.json()["detail"]
    assert client.get("/api/parent/kids", headers=auth(intruder)).json() == []
    assert client.get("/api/parent/reports", headers=auth(intruder)).json() == []
    assert client.get("/api/parent/services/selected", headers=auth(intruder)).json()["services"] == []
    assert snapshot(db) == before
