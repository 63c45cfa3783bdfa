"""Property (issue 27): a rules preview is what saving the rules then does to the launcher.

Hypothesis builds a family (in the US, Britain or Germany) with kids in both modes, a library of
titles rated in several countries, tagged, on a service or none, with allows and denies; proposes
random rules for one kid (caps of the family country's scales or none, unrated, blocked tags);
previews them through the API, saves them with PUT, and compares each kid's launcher (/api/apps
of a device of theirs) before and after with the preview: the kid's titles that appeared and
disappeared are exactly the preview's, and no sibling's launcher moved."""

import itertools

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from axolotly.families.rules import cap_choices
from axolotly.models import Device, FamilyTitle, KidProfile, KidProfileTitle, Title, User
from axolotly.ratings.service import current_scales
from axolotly.security import api_keys, tokens
from tests.support.factories import TEST_PIN_HASH

COUNTRIES = ["US", "GB", "DE"]
TAGS = ["animated", "scary_scenes", "mild_peril"]  # content_tags names (migration 0002)
RATINGS = [
    "G",
    "PG",
    "PG-13",
    "R",
    "TV-Y",
    "TV-Y7",
    "TV-PG",
    "TV-14",
    "U",
    "12A",
    "15",
    "18",
    "0",
    "6",
    "12",
    "16",
    "NR",
]
tags = st.lists(st.sampled_from(TAGS), max_size=1)
cap = st.none() | st.integers(0, 30)  # an index into the family country's caps (None: no cap)
rules_spec = st.fixed_dictionaries(
    {
        "mode": st.sampled_from(["rules", "rules", "allow_list"]),  # the allow list moves nothing between two
        "movie": cap,
        "tv": cap,
        "block_unrated": st.booleans(),
        "blocked_tags": tags,
    }
)
title_spec = st.fixed_dictionaries(
    {
        "media_type": st.sampled_from(["movie", "tv"]),
        # Mostly on a service: a title streaming nowhere is in no launcher, whatever the rules.
        "providers": st.sampled_from([["netflix"], ["disney_plus", "netflix"], ["disney_plus"], []]),
        "certification": st.none() | st.sampled_from(["G", "PG", "PG-13", "R", "TV-Y", "TV-PG", "TV-14", "NR"]),
        "certifications": st.dictionaries(st.sampled_from(COUNTRIES), st.sampled_from(RATINGS), max_size=2),
        "tags": tags,
        "in_library": st.sampled_from([True, True, False]),
    }
)
family_spec = st.fixed_dictionaries(
    {
        "country": st.sampled_from(COUNTRIES),
        "titles": st.lists(title_spec, min_size=2, max_size=6),
        "kids": st.lists(
            st.tuples(rules_spec, st.lists(st.sampled_from([None, None, "allow", "deny"]), min_size=6, max_size=6)),
            min_size=1,
            max_size=3,
        ),
        "changed_kid": st.integers(0, 2),
        "proposed": rules_spec,
    }
)
_serials = itertools.count(1)


def rules_body(db, country: str, spec: dict) -> dict:
    """The spec's rules as the API takes them, caps picked from the country's scales."""

    def pick(kind: str, index: int | None) -> str | None:
        choices = cap_choices(current_scales(db).scale(kind, country))
        return choices[index % len(choices)] if choices and index is not None else None

    return {
        "mode": spec["mode"],
        "max_movie_rating": pick("movie", spec["movie"]),
        "max_tv_rating": pick("tv", spec["tv"]),
        "block_unrated": spec["block_unrated"],
        "blocked_tags": spec["blocked_tags"],
    }


def build(db, spec: dict, serial: int) -> tuple[dict, list[tuple[KidProfile, dict]]]:
    """The family's rows, as another backend might have written them; its Bearer header and each
    kid with the headers of a device of theirs."""
    family = User(email=f"preview{serial}@example.com", password_hash="x", country=spec["country"])
    db.add(family)
    db.flush()
    titles = []
    for n, t in enumerate(spec["titles"]):
        title = Title(
            tmdb_id=300_000_000 + serial * 10 + n,
            title=f"P{n}",
            media_type=t["media_type"],
            providers=t["providers"],
            certification=t["certification"],
            certifications=t["certifications"],
            tags=t["tags"],
        )
        db.add(title)
        db.flush()
        if t["in_library"]:
            db.add(FamilyTitle(family_id=family.id, title_id=title.id))
        titles.append(title)
    kids = []
    for k, (rules, policies) in enumerate(spec["kids"]):
        body = rules_body(db, spec["country"], rules)
        kid = KidProfile(
            family_id=family.id,
            name=f"K{k}",
            pin_hash=TEST_PIN_HASH,
            rules_mode=body["mode"],
            max_movie_rating=body["max_movie_rating"],
            max_tv_rating=body["max_tv_rating"],
            block_unrated=body["block_unrated"],
            blocked_tags=body["blocked_tags"],
        )
        db.add(kid)
        db.flush()
        for title, policy in zip(titles, policies, strict=False):
            if policy is not None:
                db.add(KidProfileTitle(kid_profile_id=kid.id, title_id=title.id, policy=policy))
        key = api_keys.new_api_key()
        device = f"preview-{serial}-{k}"
        db.add(
            Device(device_id=device, family_id=family.id, kid_profile_id=kid.id, api_key_digest=api_keys.digest(key))
        )
        kids.append((kid, {"X-Device-ID": device, "X-API-Key": key}))
    db.flush()
    token, _ = tokens.access_token(family.id, family.role, family.token_epoch)
    return {"Authorization": f"Bearer {token}"}, kids


def launcher(client, device: dict) -> set[int]:
    response = client.get("/api/apps", headers=device)
    assert response.status_code == 200, response.text
    return {int(item["id"]) for group in response.json() for item in group["content"]}


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spec=family_spec)
def test_saving_the_rules_changes_the_launchers_exactly_as_previewed(client, db, spec):
    savepoint = db.begin_nested()
    try:
        parent, kids = build(db, spec, next(_serials))
        db.commit()  # released into the test's transaction, rolled back with it
        changed, _ = kids[spec["changed_kid"] % len(kids)]
        proposed = rules_body(db, spec["country"], spec["proposed"])
        before = {kid.id: launcher(client, device) for kid, device in kids}

        previewed = client.post(f"/api/parent/kids/{changed.id}/rules/preview", json=proposed, headers=parent)
        assert previewed.status_code == 200, previewed.text
        assert {kid.id: launcher(client, device) for kid, device in kids} == before, "the preview wrote nothing"
        saved = client.put(f"/api/parent/kids/{changed.id}/rules", json=proposed, headers=parent)
        assert saved.status_code == 200, saved.text
        after = {kid.id: launcher(client, device) for kid, device in kids}

        shown = previewed.json()
        event("titles appear" if shown["appear"] else "none appear")
        event("titles disappear" if shown["disappear"] else "none disappear")
        assert {item["id"] for item in shown["appear"]} == after[changed.id] - before[changed.id]
        assert {item["id"] for item in shown["disappear"]} == before[changed.id] - after[changed.id]
        assert [item["title"] for item in shown["appear"]] == sorted(item["title"] for item in shown["appear"])
        assert all(after[kid.id] == before[kid.id] for kid, _ in kids if kid.id != changed.id)
    finally:
        if savepoint.is_active:
            savepoint.rollback()
        db.rollback()
