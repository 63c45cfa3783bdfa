"""Helpers that drive the API as a parent would."""

import itertools

from sqlalchemy import select

from axolotly.catalog.offline import OfflineCatalog
from axolotly.catalog.service import upsert_episodes, upsert_title
from axolotly.models import Title

_emails = itertools.count(1)
PASSWORD = "correct horse battery"


def sign_up(client, email: str | None = None, password: str = PASSWORD) -> dict:
    email = email or f"family{next(_emails)}@example.com"
    response = client.post("/api/parent/auth/signup", json={"email": email, "password": password})
    assert response.status_code == 201, response.text
    token = client.post("/api/parent/auth/login", json={"email": email, "password": password}).json()["access_token"]
    return {"Authorization": f"Bearer {token}", "email": email, "id": response.json()["id"]}


def auth(parent: dict) -> dict:
    return {"Authorization": parent["Authorization"]}


def add_kid(client, parent, name="Emma", pin="1234", age=8) -> dict:
    response = client.post("/api/parent/kids", json={"name": name, "pin": pin, "age": age}, headers=auth(parent))
    assert response.status_code == 201, response.text
    return response.json()


def offline_title(db, name: str, with_episodes: bool = True) -> Title:
    """A title of the shipped offline catalog, imported (episodes too, unless told not to)."""
    catalog = OfflineCatalog()
    item = next(t for t in catalog.all_titles() if t.title == name)
    title = upsert_title(db, item)
    if with_episodes and item.media_type == "tv":
        upsert_episodes(db, title.id, catalog.get_episodes(item.tmdb_id))
    return title


def episode_ids(db, title_id: int) -> list[int]:
    from axolotly.models import Episode

    return list(
        db.execute(
            select(Episode.id)
            .where(Episode.title_id == title_id)
            .order_by(Episode.season_number, Episode.episode_number)
        ).scalars()
    )


def admin_headers(client, db, email: str = "ops@example.com") -> dict:
    """An admin (made as an operator would, not by sign-up) and their Bearer header."""
    from axolotly.accounts.service import create_admin

    create_admin(db, email, PASSWORD)
    token = client.post("/api/parent/auth/login", json={"email": email, "password": PASSWORD}).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def join(client, owner) -> dict:
    """A new account that accepted the owner's invitation."""
    co_parent = sign_up(client)
    accepted = client.post(
        f"/api/parent/family/invitations/{invite(client, owner)['token']}/accept", headers=auth(co_parent)
    )
    assert accepted.status_code == 200, accepted.text
    return co_parent


def use_zone(client, parent, zone: str) -> None:
    response = client.put("/api/parent/family", json={"time_zone": zone}, headers=auth(parent))
    assert response.status_code == 200, response.text


def invite(client, owner) -> dict:
    response = client.post("/api/parent/family/invitations", headers=auth(owner))
    assert response.status_code == 201, response.text
    return response.json()
