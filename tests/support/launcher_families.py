"""Families of the launcher tests: kids' rules written as the rules API would, titles made with
ratings, tags and episodes, an allow-list family and a rules family each with a paired device."""

import itertools
import json

from sqlalchemy import text

from axolotly.models import Episode, FamilyTitle, Title
from tests.support.api import add_kid, auth, offline_title, sign_up
from tests.support.launcher_helpers import assign, device_row_id, pair_device

ALLOW_LIST = {"rules_mode": "allow_list"}
# Emma's rules in the rules-mode tests: G..PG movies, TV-Y..TV-Y7 shows, rated only, nothing scary.
EMMA_RULES = {
    "rules_mode": "rules",
    "max_movie_rating": "PG",
    "max_tv_rating": "TV-Y7",
    "block_unrated": True,
    "blocked_tags": ["scary_scenes"],
}


def set_rules(db, kid_id: int, **rules) -> None:
    """A kid's rules written as the rules API will (kid_profiles columns), so age presets don't matter."""
    rules = {key: json.dumps(value) if key == "blocked_tags" else value for key, value in rules.items()}
    assignments = ", ".join(
        f"{key} = CAST(:{key} AS jsonb)" if key == "blocked_tags" else f"{key} = :{key}" for key in rules
    )
    db.execute(text(f"UPDATE kid_profiles SET {assignments} WHERE id = :id"), {**rules, "id": kid_id})


def to_library(db, family_id: int, *titles: Title) -> None:
    db.add_all([FamilyTitle(family_id=family_id, title_id=title.id) for title in titles])
    db.flush()


def setup_family(client, db):
    parent = sign_up(client)
    emma, leo = add_kid(client, parent, "Emma"), add_kid(client, parent, "Leo")
    set_rules(db, emma["id"], **ALLOW_LIST)
    set_rules(db, leo["id"], **ALLOW_LIST)
    bluey = offline_title(db, "Bluey")
    client.put("/api/parent/services/selected", json={"services": ["disney_plus"]}, headers=auth(parent))
    client.put(f"/api/parent/kids/{emma['id']}/policies/{bluey.id}", json={"policy": "allow"}, headers=auth(parent))
    device = pair_device(client, parent)
    row = device_row_id(client, parent, device)
    assign(client, parent, row, emma["id"])
    return parent, emma, leo, bluey, device, row


made_tmdb_ids = itertools.count(8_000_000)


def made_title(
    db,
    name: str,
    media_type: str = "movie",
    certification: str | None = "G",
    tags: tuple[str, ...] = (),
    episodes: int = 0,
) -> Title:
    title = Title(
        tmdb_id=next(made_tmdb_ids),
        title=name,
        media_type=media_type,
        certification=certification,
        tags=list(tags),
        providers=["disney_plus"],
    )
    db.add(title)
    db.flush()
    db.add_all(
        [
            Episode(
                tmdb_episode_id=title.tmdb_id * 10 + e,
                title_id=title.id,
                season_number=1,
                episode_number=e + 1,
                name=f"{name} {e + 1}",
            )
            for e in range(episodes)
        ]
    )
    db.flush()
    return title


def setup_rules_family(client, db):
    """Emma in `rules` mode (EMMA_RULES) on a device; Leo, her brother, in `rules` mode too."""
    parent = sign_up(client)
    emma, leo = add_kid(client, parent, "Emma"), add_kid(client, parent, "Leo")
    set_rules(db, emma["id"], **EMMA_RULES)
    set_rules(db, leo["id"], **EMMA_RULES)
    client.put("/api/parent/services/selected", json={"services": ["disney_plus"]}, headers=auth(parent))
    device = pair_device(client, parent)
    assign(client, parent, device_row_id(client, parent, device), emma["id"])
    return parent, emma, leo, device


def shown(response) -> dict[str, list[str]]:
    """appName -> episode names, of every title on the launcher."""
    return {
        item["appName"]: [e["name"] for e in item["episodes"]] for group in response.json() for item in group["content"]
    }
