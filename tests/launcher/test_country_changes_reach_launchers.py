"""What a launcher shows in a family's country changes its ETag: a title's rating or services there
changed in place (plain SQL, as an import or psql would), and a daily refresh that moves a scale."""

import json
import uuid

import pytest
from sqlalchemy import select, text

from axolotly.models import FamilyTitle, KidProfile, RatingScale
from axolotly.ratings import refresh
from axolotly.ratings.service import forget_kept_scales
from tests.support.api import PASSWORD, add_kid
from tests.support.factories import make_title
from tests.support.launcher_helpers import pair_device


@pytest.fixture
def fresh_scales():
    forget_kept_scales()
    yield
    forget_kept_scales()  # rolled-back scale rows must not stay in this process's cache


def german_family(client, db, **title_fields):
    """A family in Germany with one rules-mode kid capped at movies "12", a library title rated "6"
    in Germany on Netflix, and the kid's paired device."""
    email = f"family-de-{uuid.uuid4().hex[:10]}@example.com"
    signed_up = client.post("/api/parent/auth/signup", json={"email": email, "password": PASSWORD, "country": "DE"})
    assert signed_up.status_code == 201, signed_up.text
    token = client.post("/api/parent/auth/login", json={"email": email, "password": PASSWORD}).json()["access_token"]
    parent = {"Authorization": f"Bearer {token}", "id": signed_up.json()["id"]}
    kid = add_kid(client, parent, "Lena", age=None)
    db.execute(
        text(
            "UPDATE kid_profiles SET rules_mode = 'rules', max_movie_rating = '12', block_unrated = true WHERE id = :id"
        ),
        {"id": kid["id"]},
    )
    fields = {"certifications": {"DE": "6"}, "providers": ["netflix"]} | title_fields
    title = make_title(db, title="Das Sams", **fields)
    db.add(FamilyTitle(family_id=parent["id"], title_id=title.id))
    db.flush()
    return kid, title, pair_device(client, parent)


def shown(client, device) -> tuple[str, list[str]]:
    response = client.get("/api/apps", headers=device)
    assert response.status_code == 200, response.text
    return response.headers["ETag"], [item["appName"] for group in response.json() for item in group["content"]]


def set_title_column(db, title, column: str, value) -> None:
    db.execute(
        text(f"UPDATE titles SET {column} = CAST(:value AS jsonb) WHERE id = :id"),
        {"value": json.dumps(value), "id": title.id},
    )


def version_of(db, kid) -> int:
    return db.execute(select(KidProfile.launcher_version).where(KidProfile.id == kid["id"])).scalar_one()


def test_a_german_rating_raised_in_place_takes_the_title_off_the_launcher(client, db):
    kid, title, device = german_family(client, db)
    tag, titles = shown(client, device)
    assert titles == ["Das Sams"]
    set_title_column(db, title, "certifications", {"DE": "18"})
    response = client.get("/api/apps", headers={**device, "If-None-Match": tag})
    assert response.status_code == 200 and response.headers["ETag"] != tag
    assert response.json() == []  # FSK 18 is above Lena's limit, 12


def test_services_in_the_family_country_changed_in_place_reach_the_launcher(client, db):
    kid, title, device = german_family(client, db, providers_by_country={"DE": ["netflix"]})
    tag, titles = shown(client, device)
    assert titles == ["Das Sams"]
    set_title_column(db, title, "providers_by_country", {"DE": []})  # no longer streams in Germany
    response = client.get("/api/apps", headers={**device, "If-None-Match": tag})
    assert response.status_code == 200 and response.headers["ETag"] != tag
    assert response.json() == []


def test_descriptors_alone_leave_launchers_as_they_are(client, db):
    kid, title, device = german_family(client, db)
    before = version_of(db, kid)
    set_title_column(db, title, "rating_descriptors", {"US": ["L"]})  # no launcher reads them
    assert version_of(db, kid) == before


def tmdb_lists_of_stored_scale(db, kind: str, country: str, **meanings) -> dict:
    """TMDB's answer for one scale exactly as stored (orders from positions), meanings overridable."""
    rows = db.scalars(
        select(RatingScale)
        .where(RatingScale.kind == kind, RatingScale.country == country)
        .order_by(RatingScale.position)
    ).all()
    listed = [
        {"certification": r.rating, "meaning": meanings.get(r.rating, r.meaning), "order": r.position // 100}
        for r in rows
    ]
    return {kind: {"certifications": {country: listed}}}


def test_a_refresh_that_moves_a_scale_rebuilds_launchers_and_one_that_changes_nothing_does_not(
    client, db, fresh_scales
):
    kid, title, device = german_family(client, db)
    tag, _ = shown(client, device)
    before = version_of(db, kid)

    unchanged = tmdb_lists_of_stored_scale(db, "movie", "DE")
    refresh.store(db, refresh.rows_of(unchanged))
    assert version_of(db, kid) == before
    meaning_only = tmdb_lists_of_stored_scale(db, "movie", "DE", **{"12": "Freigegeben ab 12 Jahren."})
    refresh.store(db, refresh.rows_of(meaning_only))  # the launcher reads no meaning
    assert version_of(db, kid) == before
    assert client.get("/api/apps", headers={**device, "If-None-Match": tag}).status_code == 304

    moved = tmdb_lists_of_stored_scale(db, "movie", "DE")
    moved["movie"]["certifications"]["DE"].append({"certification": "14", "meaning": "New.", "order": 9})
    refresh.store(db, refresh.rows_of(moved))
    assert version_of(db, kid) > before
    assert client.get("/api/apps", headers={**device, "If-None-Match": tag}).status_code == 200
