"""Helpers of the tests of allows that end by themselves (issue 27)."""

from datetime import datetime

from tests.support.api import PASSWORD, auth


def allow_until(client, parent: dict, kid_id: int, title_id: int, end: datetime) -> dict:
    """Allows the title for the kid until `end` through the API; the stored policy."""
    response = client.put(
        f"/api/parent/kids/{kid_id}/policies/{title_id}",
        json={"policy": "allow", "until": end.isoformat()},
        headers=auth(parent),
    )
    assert response.status_code == 200, response.text
    return response.json()


def logged_in(client, parent: dict) -> dict:
    """The parent signed in again: a token made before the clock moved past its lifetime has expired."""
    response = client.post("/api/parent/auth/login", json={"email": parent["email"], "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {**parent, "Authorization": f"Bearer {response.json()['access_token']}"}
