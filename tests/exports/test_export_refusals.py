"""An export that cannot be made is refused before anything is written or counted: an admin has
no family of their own to take away (a 404, not a 200 with an empty zip)."""

from sqlalchemy import text

from tests.support.api import admin_headers


def test_an_admin_asking_for_their_own_familys_export_gets_a_404_and_nothing_is_written(client, db):
    headers = admin_headers(client, db, "ops@example.com")
    trail = db.scalar(text("SELECT count(*) FROM audit_events"))
    spent = db.scalar(text("SELECT count(*) FROM rate_limits WHERE key LIKE 'export:%'"))
    response = client.get("/api/parent/me/export", headers=headers)
    assert response.status_code == 404, response.text
    assert response.json()["detail"] == "Family not found"
    assert db.scalar(text("SELECT count(*) FROM audit_events")) == trail
    assert db.scalar(text("SELECT count(*) FROM rate_limits WHERE key LIKE 'export:%'")) == spent
