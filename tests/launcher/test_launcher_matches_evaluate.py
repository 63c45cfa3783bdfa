"""Property: /api/apps equals what policies/evaluate.py decides, title by title, episode by episode,
allows for a while included (ended and pending, at a pinned clock)."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from axolotly.catalog.providers import PROVIDERS
from axolotly.models import (
    Device,
    Episode,
    FamilyTitle,
    KidProfile,
    KidProfileTitle,
    StreamingServiceSelection,
    Title,
    User,
)
from axolotly.policies.evaluate import (
    MOVIE_RATINGS,
    TV_RATINGS,
    Policy,
    Rules,
    evaluate_episode,
    evaluate_title,
    in_force,
    rating_reading,
)
from axolotly.policies.service import title_facts
from axolotly.security import api_keys
from tests.support.factories import TEST_PIN_HASH
from tests.support.pinned_days import SCHOOL_DAY

SERVICES = [p.id for p in PROVIDERS[:5]]
REGISTRY_ORDER = {p.id: n for n, p in enumerate(PROVIDERS)}

TAGS = ["scary", "violence", "animated"]
# Families in several countries; titles rated in several (US, German, British, Irish, French,
# Spanish, Japanese ratings, "NR" that rates nothing, and values on no scale), so the fallback by
# age is exercised, and so are Spain's ties in TMDB's order and countries without a TV scale (IE, JP).
COUNTRIES = ["US", "DE", "GB", "IE", "FR", "ES", "JP"]
OTHER_RATINGS = ["0", "6", "12", "16", "18", "U", "12A", "15", "TP", "10", "NR", "X", "A", "7", "PG12", "R15+"]
RATINGS = [*MOVIE_RATINGS, *TV_RATINGS, *OTHER_RATINGS]
tags = st.lists(st.sampled_from(TAGS), max_size=2, unique=True)
title_spec = st.fixed_dictionaries(
    {
        "media_type": st.sampled_from(["movie", "tv"]),
        "providers": st.lists(st.sampled_from(SERVICES), max_size=3, unique=True),
        "episodes": st.lists(tags, max_size=3),  # one list of tags per episode
        "certification": st.none() | st.sampled_from([*MOVIE_RATINGS, *TV_RATINGS, "NR", "12"]),
        "providers_by_country": st.dictionaries(
            st.sampled_from(COUNTRIES), st.lists(st.sampled_from(SERVICES), max_size=2, unique=True), max_size=2
        ),
        "certifications": st.dictionaries(st.sampled_from(COUNTRIES), st.sampled_from(RATINGS), max_size=3),
        "tags": tags,
        "in_library": st.booleans(),
    }
)
rules_spec = st.builds(
    lambda mode, movie, tv, unrated, blocked: Rules(mode, movie, tv, unrated, frozenset(blocked)),
    st.sampled_from(["allow_list", "rules"]),
    st.none() | st.sampled_from(RATINGS),  # caps of every scale: one not on the family's caps all
    st.none() | st.sampled_from(RATINGS),
    st.booleans(),
    tags,
)
family_spec = st.fixed_dictionaries(
    {
        "country": st.sampled_from(COUNTRIES),
        "titles": st.lists(title_spec, min_size=1, max_size=5),
        "selection": st.none() | st.lists(st.sampled_from(SERVICES), max_size=4, unique=True),
        # per kid: per title: None (no policy) | "allow" | "deny" | an allow that ended an hour ago
        # ("ended") | one that ends in an hour ("pending"), plus episodes to block (indexes)
        "kids": st.lists(
            st.lists(
                st.tuples(
                    st.sampled_from([None, "allow", "deny", "ended", "pending"]),
                    st.lists(st.integers(0, 2), max_size=2, unique=True),
                ),
                min_size=5,
                max_size=5,
            ),
            min_size=1,
            max_size=3,
        ),
        "rules": st.lists(rules_spec, min_size=3, max_size=3),
    }
)


def build(db, spec, serial):
    family = User(email=f"prop{serial}@example.com", password_hash="x", country=spec["country"])
    db.add(family)
    db.flush()
    if spec["selection"] is not None:
        db.add(StreamingServiceSelection(family_id=family.id, selected_services=spec["selection"]))
    titles = []
    for n, t in enumerate(spec["titles"]):
        title = Title(
            tmdb_id=100_000_000 + serial * 10 + n,
            title=f"T{n}",
            media_type=t["media_type"],
            providers=t["providers"],
            certification=t["certification"],
            certifications=t["certifications"],
            providers_by_country=t["providers_by_country"],
            tags=t["tags"],
        )
        db.add(title)
        db.flush()
        if t["in_library"]:
            db.add(FamilyTitle(family_id=family.id, title_id=title.id))
        episodes = []
        if t["media_type"] == "tv":
            for e, episode_tags in enumerate(t["episodes"]):
                episode = Episode(
                    tmdb_episode_id=200_000_000 + serial * 100 + n * 10 + e,
                    title_id=title.id,
                    season_number=1,
                    episode_number=e + 1,
                    tags=episode_tags,
                )
                db.add(episode)
                episodes.append(episode)
        db.flush()
        titles.append((title, episodes))
    kids = []
    for k, (policies, rules) in enumerate(zip(spec["kids"], spec["rules"], strict=False)):
        kid = KidProfile(
            family_id=family.id,
            name=f"K{k}",
            pin_hash=TEST_PIN_HASH,
            rules_mode=rules.mode,
            max_movie_rating=rules.max_movie_rating,
            max_tv_rating=rules.max_tv_rating,
            block_unrated=rules.block_unrated,
            blocked_tags=sorted(rules.blocked_tags),
        )
        db.add(kid)
        db.flush()
        key = api_keys.new_api_key()
        device = Device(
            device_id=f"prop-{serial}-{k}",
            family_id=family.id,
            kid_profile_id=kid.id,
            api_key_digest=api_keys.digest(key),
        )
        db.add(device)
        chosen = {}
        for (title, episodes), (policy, blocked_indexes) in zip(titles, policies, strict=False):
            if policy is None:
                continue
            blocked = sorted({episodes[i].id for i in blocked_indexes if i < len(episodes)})
            until = ENDS.get(policy)
            kind = "allow" if until else policy
            db.add(
                KidProfileTitle(
                    kid_profile_id=kid.id,
                    title_id=title.id,
                    policy=kind,
                    blocked_episodes=blocked,
                    allowed_until=now() + until if until else None,
                )
            )
            chosen[title.id] = Policy(kind, frozenset(blocked), now() + until if until else None)
        db.flush()
        in_country = replace(rules, country=spec["country"])
        kids.append(({"X-Device-ID": device.device_id, "X-API-Key": key}, chosen, in_country))
    return titles, kids


ENDS = {"ended": timedelta(hours=-1), "pending": timedelta(hours=1)}


def now() -> datetime:
    return datetime.now(UTC)  # the pinned clock


def expected_launcher(titles, selection, policies, rules, library):
    groups: dict[str, list] = {}
    for title, episodes in titles:
        facts = title_facts(title, rules.country, title.id in library)  # what the pages' decisions read
        policy = in_force(policies.get(title.id), now())  # what the pages' decisions read (policies/service.py)
        decision = evaluate_title(policy, selection, facts, rules)
        for service in decision.services:
            visible = [
                e.id
                for e in episodes
                if evaluate_episode(policy, selection, facts, e.id, rules, frozenset(e.tags)).visible
            ]
            groups.setdefault(service, []).append((str(title.id), age_rating(facts, rules), sorted(visible)))
    order = (lambda s: selection.index(s)) if selection else (lambda s: REGISTRY_ORDER[s])
    return [(service, sorted(groups[service])) for service in sorted(groups, key=order)]


def age_rating(facts, rules):
    """The launcher's ageRating: the rating in the family's country, else the deciding one with its country."""
    reading = rating_reading(facts, rules)
    if reading is None:
        return facts.certification or "All"
    return reading.rating if reading.at_home else f"{reading.country} {reading.rating}"


def actual_launcher(response, episode_ids_by_code):
    return [
        (
            g["id"],
            sorted(
                (c["id"], c["ageRating"], sorted(episode_ids_by_code[c["id"]][e["id"]] for e in c["episodes"]))
                for c in g["content"]
            ),
        )
        for g in response
    ]


@pytest.mark.parametrize("clock", [SCHOOL_DAY], indirect=True)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spec=family_spec)
def test_launcher_equals_the_pure_decision(client, db, clock, spec):
    serial = next(_serials)
    savepoint = db.begin_nested()
    try:
        titles, kids = build(db, spec, serial)
        db.commit()  # release into the test transaction; rolled back with it
        codes = {str(t.id): {f"s{e.season_number}e{e.episode_number}": e.id for e in eps} for t, eps in titles}
        selection = spec["selection"] or []
        # The library: titles added by hand, and every title a kid of the family has a policy on.
        library = {title.id for (title, _), t in zip(titles, spec["titles"], strict=True) if t["in_library"]}
        library |= {title_id for _, policies, _ in kids for title_id in policies}
        for device, policies, rules in kids:
            response = client.get("/api/apps", headers=device)
            assert response.status_code == 200
            body = response.json()
            assert all(g["count"] == len(g["content"]) for g in body)
            assert actual_launcher(body, codes) == expected_launcher(titles, selection, policies, rules, library)
    finally:
        if savepoint.is_active:
            savepoint.rollback()
        db.rollback()


import itertools  # noqa: E402

_serials = itertools.count(1)
