"""A family anywhere (issue 25): caps, presets, fallbacks and explanations on each country's own
scale, and switching a family's country. Expectations come from the scales themselves, but for a
few facts the issue pins."""

import uuid

import pytest
from sqlalchemy import select

from axolotly.catalog.providers import providers_for_country
from axolotly.models import AuditEvent, KidProfile
from axolotly.ratings.scales import Scale
from axolotly.ratings.service import current_scales
from tests.support.api import PASSWORD, add_kid, auth, join
from tests.support.factories import make_title

COUNTRIES = ("GB", "DE", "FR", "ES", "AU", "CA", "BR", "JP")
AGES = (4, 8, 12, 16)


def family_in(client, country: str) -> dict:
    email = f"family-{country.lower()}-{uuid.uuid4().hex[:10]}@example.com"
    response = client.post("/api/parent/auth/signup", json={"email": email, "password": PASSWORD, "country": country})
    assert response.status_code == 201, response.text
    token = client.post("/api/parent/auth/login", json={"email": email, "password": PASSWORD}).json()["access_token"]
    return {"Authorization": f"Bearer {token}", "id": response.json()["id"]}


def classified(scale: Scale | None) -> list[str]:
    return [r.rating for r in scale.ratings if r.min_age is not None] if scale else []


def highest_reached(scale: Scale, age: int) -> str:
    """Independent of the code under test: the last rating in scale order such that `age` has reached
    its minimum age and every lower rating's (US TV-G, 0, sits above TV-Y7, 7: a cap of TV-G lets
    TV-Y7 through, so a four-year-old's preset stops at TV-Y)."""
    reached, highest_age = [], 0
    for rating in scale.ratings:
        if rating.min_age is None:
            continue
        highest_age = max(highest_age, rating.min_age)
        if highest_age <= age:
            reached.append(rating.rating)
    return reached[-1] if reached else classified(scale)[0]


def put_caps(client, parent, kid, movie=None, tv=None):
    body = {"mode": "rules", "max_movie_rating": movie, "max_tv_rating": tv, "block_unrated": True}
    return client.put(f"/api/parent/kids/{kid['id']}/rules", json=body, headers=auth(parent))


def caps_of(db, kid) -> tuple[str | None, str | None]:
    row = db.get(KidProfile, kid["id"])
    db.refresh(row)
    return row.max_movie_rating, row.max_tv_rating


@pytest.mark.parametrize("country", COUNTRIES)
def test_caps_are_the_ratings_of_the_family_countrys_scales(client, db, country):
    scales = current_scales(db)
    parent = family_in(client, country)
    assert client.get("/api/parent/family", headers=auth(parent)).json()["country"] == country
    kid = add_kid(client, parent, age=None)
    for kind, key in (("movie", "movie"), ("tv", "tv")):
        for rating in classified(scales.scale(kind, country)):
            answer = put_caps(client, parent, kid, **{key: rating.lower()})  # any case, the scale's spelling stored
            assert answer.status_code == 200, (kind, rating, answer.text)
            assert answer.json()[f"max_{kind}_rating"] == rating
    before = caps_of(db, kid)
    movie_ratings = classified(scales.scale("movie", country))
    foreign = next(r for r in ("PG-13", "TV-MA", "FSK 99", "R21") if r not in movie_ratings)
    refused = put_caps(client, parent, kid, movie=foreign)
    assert refused.status_code == 422
    assert all(rating in refused.json()["detail"] for rating in classified(scales.scale("movie", country)))
    assert caps_of(db, kid) == before, "nothing written"
    unclassified = [r.rating for r in scales.scale("movie", country).ratings if r.min_age is None]
    for rating in unclassified:  # "E", "Exempt", "NR": no age, so no cap
        assert put_caps(client, parent, kid, movie=rating).status_code == 422
    if scales.scale("tv", country) is None:  # Japan: TMDB lists no TV scale, so no TV cap
        assert "No TV rating scale" in put_caps(client, parent, kid, tv="G").json()["detail"]
    assert put_caps(client, parent, kid).json()["max_movie_rating"] is None  # null: no cap


@pytest.mark.parametrize("country", COUNTRIES)
def test_presets_pick_the_highest_rating_whose_minimum_age_the_kid_reached(client, db, country):
    scales = current_scales(db)
    parent = family_in(client, country)
    for age in AGES:
        kid = add_kid(client, parent, f"Age {age}", age=age)
        rules = client.get(f"/api/parent/kids/{kid['id']}/rules", headers=auth(parent)).json()
        assert rules["mode"] == "rules"
        for kind in ("movie", "tv"):
            scale, got = scales.scale(kind, country), rules[f"max_{kind}_rating"]
            if scale is None:
                assert got is None
                continue
            assert got == highest_reached(scale, age), (kind, age)
            assert scale.get(got).min_age <= age or got == classified(scale)[0]
            earlier = scale.ratings[: scale.position(got) + 1]
            assert all(r.min_age is None or r.min_age <= age for r in earlier) or got == classified(scale)[0]


def test_the_issues_facts_about_minimum_ages(db):
    scales = current_scales(db)
    assert scales.min_age("movie", "GB", "12A") == 12
    assert scales.min_age("movie", "DE", "16") == 16
    assert scales.min_age("movie", "US", "G") == 0


def explain(client, parent, kid, title) -> dict:
    client.put(f"/api/parent/library/{title.id}", headers=auth(parent))
    response = client.get(f"/api/parent/kids/{kid['id']}/titles/{title.id}/explain", headers=auth(parent))
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize("country", COUNTRIES)
def test_a_title_rated_in_the_family_country_is_judged_by_that_scales_order(client, db, country):
    scales = current_scales(db)
    scale = scales.scale("movie", country)
    ratings = classified(scale)
    cap = ratings[len(ratings) // 2]
    parent = family_in(client, country)
    kid = add_kid(client, parent, age=None)
    assert put_caps(client, parent, kid, movie=cap).status_code == 200
    for rating in ratings:
        title = make_title(db, certifications={country: rating}, providers=["netflix"])
        said = explain(client, parent, kid, title)
        within = scale.position(rating) <= scale.position(cap)
        assert said["visible"] is within, (rating, cap, said)
        assert said["reason"] == ("within_rules" if within else "above_limit")
        assert rating in said["explanation"]


@pytest.mark.parametrize("country", COUNTRIES)
def test_without_a_rating_in_the_family_country_the_strictest_other_by_minimum_age_decides(client, db, country):
    scales = current_scales(db)
    others = {code: classified(scales.scale("movie", code)) for code in ("US", "GB", "DE", "FR") if code != country}
    # The last but one rating of each other scale: their minimum ages differ, the oldest decides.
    certifications = {code: names[-2] for code, names in others.items()}
    strictest = max(scales.min_age("movie", code, rating) for code, rating in certifications.items())
    scale = scales.scale("movie", country)
    parent = family_in(client, country)
    kid = add_kid(client, parent, age=None)
    for cap in classified(scale):
        assert put_caps(client, parent, kid, movie=cap).status_code == 200
        said = explain(client, parent, kid, make_title(db, certifications=certifications, providers=["netflix"]))
        assert said["visible"] is (strictest <= scale.get(cap).min_age), (cap, said)
        ages = {code: scales.min_age("movie", code, rating) for code, rating in certifications.items()}
        deciding = [code for code, age in ages.items() if age == strictest]
        assert any(certifications[code] in said["explanation"] for code in deciding)
    unrated = explain(client, parent, kid, make_title(db, certifications={}, providers=["netflix"]))
    assert unrated["reason"] == "unrated_blocked"


def test_an_irish_family_counts_german_16_and_british_15_as_16(client, db):
    parent = family_in(client, "IE")
    kid = add_kid(client, parent, "Emma", age=None)
    title = make_title(db, certifications={"DE": "16", "GB": "15"}, providers=["netflix"])
    assert put_caps(client, parent, kid, movie="15").status_code == 200
    above = explain(client, parent, kid, title)
    assert above["reason"] == "above_limit" and "16" in above["explanation"] and "Germany" in above["explanation"]
    assert put_caps(client, parent, kid, movie="16").status_code == 200
    assert explain(client, parent, kid, title)["visible"] is True


def test_switching_country_shows_then_remaps_each_kids_caps_by_minimum_age(client, db):
    scales = current_scales(db)
    owner = family_in(client, "US")
    emma, leo, mia = (add_kid(client, owner, name, age=None) for name in ("Emma", "Leo", "Mia"))
    put_caps(client, owner, emma, movie="PG-13", tv="TV-14")
    put_caps(client, owner, leo, movie="G", tv=None)
    before = {kid["id"]: caps_of(db, kid) for kid in (emma, leo, mia)}
    versions = {k.id: k.launcher_version for k in db.scalars(select(KidProfile).where(KidProfile.id.in_(before)))}

    def remapped(kind, cap):
        if cap is None:
            return None
        return highest_reached(scales.scale(kind, "DE"), scales.min_age(kind, "US", cap))

    preview = client.post("/api/parent/family/country-preview", json={"country": "de"}, headers=auth(owner))
    assert preview.status_code == 200, preview.text
    assert preview.json() == [
        {
            "kid_id": kid["id"],
            "name": kid["name"],
            "movie": {"from": before[kid["id"]][0], "to": remapped("movie", before[kid["id"]][0])},
            "tv": {"from": before[kid["id"]][1], "to": remapped("tv", before[kid["id"]][1])},
        }
        for kid in (emma, leo, mia)
    ]
    assert preview.json()[0]["movie"] == {"from": "PG-13", "to": "12"}  # 13 reached the German 12, not 16
    assert preview.json()[1]["movie"] == {"from": "G", "to": "0"}  # US G = 0 -> FSK 0
    assert {kid["id"]: caps_of(db, kid) for kid in (emma, leo, mia)} == before, "a preview writes nothing"

    co_parent = join(client, owner)  # a co-parent acts for the owner's family
    switched = client.put("/api/parent/family", json={"country": "DE"}, headers=auth(co_parent))
    assert switched.status_code == 200 and switched.json()["country"] == "DE"
    for entry in preview.json():
        assert caps_of(db, {"id": entry["kid_id"]}) == (entry["movie"]["to"], entry["tv"]["to"])
    db.expire_all()
    for kid in db.scalars(select(KidProfile).where(KidProfile.id.in_(before))):
        assert kid.launcher_version > versions[kid.id], "every kid's launcher is rebuilt"
    trail = db.scalars(select(AuditEvent.summary).where(AuditEvent.action == "family_changed")).all()
    assert any("US -> DE" in line and "Emma: movies PG-13 -> 12" in line for line in trail)


def test_a_switch_sent_with_the_preview_it_showed_is_refused_when_the_caps_moved_since(client, db):
    owner = family_in(client, "US")
    emma = add_kid(client, owner, "Emma", age=None)
    put_caps(client, owner, emma, movie="PG-13", tv="TV-14")
    preview = client.post("/api/parent/family/country-preview", json={"country": "DE"}, headers=auth(owner)).json()
    co_parent = join(client, owner)
    assert put_caps(client, co_parent, emma, movie="G", tv="TV-14").status_code == 200

    stale = client.put("/api/parent/family", json={"country": "DE", "expected": preview}, headers=auth(owner))
    assert stale.status_code == 409, stale.text
    assert stale.json()["detail"] == "The kids' rules changed since the preview: look again"
    assert client.get("/api/parent/family", headers=auth(owner)).json()["country"] == "US"
    assert caps_of(db, emma) == ("G", "TV-14"), "nothing changed"

    fresh = client.post("/api/parent/family/country-preview", json={"country": "DE"}, headers=auth(owner)).json()
    saved = client.put("/api/parent/family", json={"country": "DE", "expected": fresh}, headers=auth(co_parent))
    assert saved.status_code == 200 and saved.json()["country"] == "DE"
    assert caps_of(db, emma) == (fresh[0]["movie"]["to"], fresh[0]["tv"]["to"])


def test_a_british_12a_becomes_german_12_and_german_16_stays_16_in_ireland(client, db):
    parent = family_in(client, "GB")
    kid = add_kid(client, parent, age=None)
    put_caps(client, parent, kid, movie="12A", tv="15")
    assert client.put("/api/parent/family", json={"country": "DE"}, headers=auth(parent)).status_code == 200
    assert caps_of(db, kid) == ("12", "12")  # TV 15 -> the highest German rating a 15-year-old reached
    put_caps(client, parent, kid, movie="16")
    assert client.put("/api/parent/family", json={"country": "IE"}, headers=auth(parent)).status_code == 200
    assert caps_of(db, kid) == ("16", None)  # Ireland: no TV scale, so no TV cap


@pytest.mark.parametrize("bad", ["XX", "usa", "CA-QC", "", "D\x00"])
def test_an_unknown_country_is_refused_and_nothing_changes(client, db, bad):
    parent = family_in(client, "GB")
    kid = add_kid(client, parent, age=12)
    before = caps_of(db, kid)
    for response in (
        client.put("/api/parent/family", json={"country": bad, "family_name": "Renamed"}, headers=auth(parent)),
        client.post("/api/parent/family/country-preview", json={"country": bad}, headers=auth(parent)),
    ):
        assert response.status_code == 422, response.text
    family = client.get("/api/parent/family", headers=auth(parent)).json()
    assert family["country"] == "GB" and family["family_name"] != "Renamed"
    assert caps_of(db, kid) == before


def test_services_offered_are_the_countrys_and_a_chosen_one_stays(client, db):
    parent = family_in(client, "US")
    us_only = next(p.id for p in providers_for_country("US") if p not in providers_for_country("DE"))
    chosen = client.put("/api/parent/services/selected", json={"services": [us_only]}, headers=auth(parent))
    assert chosen.status_code == 200
    assert client.put("/api/parent/family", json={"country": "DE"}, headers=auth(parent)).status_code == 200
    offered = [s["id"] for s in client.get("/api/parent/services/offered", headers=auth(parent)).json()]
    assert offered == [p.id for p in providers_for_country("DE")] + [us_only]
    kept = client.put("/api/parent/services/selected", json={"services": [us_only, "netflix"]}, headers=auth(parent))
    assert kept.status_code == 200 and kept.json()["services"] == [us_only, "netflix"]
    other = next(p.id for p in providers_for_country("US") if p not in providers_for_country("DE") and p.id != us_only)
    refused = client.put("/api/parent/services/selected", json={"services": [other]}, headers=auth(parent))
    assert refused.status_code == 422 and "Not offered" in refused.json()["detail"]
