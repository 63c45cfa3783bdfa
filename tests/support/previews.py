"""A family for the preview tests (issue 27): titles of known ratings in the library, kids in both
modes, and what each side of a preview is checked against (launcher versions, trail, jobs)."""

from sqlalchemy import func, select, text

from axolotly.models import AuditEvent, KidProfile
from tests.support.api import add_kid, auth, sign_up
from tests.support.factories import make_title

RULES_OPEN = {"mode": "rules", "max_movie_rating": None, "max_tv_rating": None, "block_unrated": False}


def library_title(client, parent, db, name: str, **fields):
    """A title on Netflix (no services chosen: each title's own), added to the family library."""
    title = make_title(db, title=name, providers=["netflix"], **fields)
    response = client.put(f"/api/parent/library/{title.id}", headers=auth(parent))
    assert response.status_code == 201, response.text
    return title


def put_rules(client, parent, kid, **rules) -> None:
    body = {"blocked_tags": [], **RULES_OPEN, **rules}
    response = client.put(f"/api/parent/kids/{kid['id']}/rules", json=body, headers=auth(parent))
    assert response.status_code == 200, response.text


def family_with_library(client, db, parent: dict | None = None) -> dict:
    """Emma (8, rules mode: US movies up to G, TV up to TV-PG, unrated hidden) and Leo (allow list),
    and four library titles: a G movie and a TV-PG show Emma sees, a PG-13 movie and an unrated one she does not.
    `parent`: the family's (signed up here when not given)."""
    parent = parent or sign_up(client)
    emma, leo = add_kid(client, parent, "Emma", age=8), add_kid(client, parent, "Leo", age=None)
    titles = {
        "Alpha": library_title(client, parent, db, "Alpha", certification="G"),
        "Bravo": library_title(client, parent, db, "Bravo", certification="PG-13", poster_path="/bravo.jpg"),
        "Charlie": library_title(client, parent, db, "Charlie"),
        "Delta": library_title(client, parent, db, "Delta", media_type="tv", certification="TV-PG"),
    }
    return {"parent": parent, "emma": emma, "leo": leo, "titles": titles}


def written_state(db, family_id: int) -> tuple:
    """What a preview must leave as it found it: each kid's rules and launcher version, the trail, the jobs."""
    db.expire_all()
    kids = db.execute(
        select(
            KidProfile.id,
            KidProfile.rules_mode,
            KidProfile.max_movie_rating,
            KidProfile.max_tv_rating,
            KidProfile.block_unrated,
            KidProfile.blocked_tags,
            KidProfile.launcher_version,
        )
        .where(KidProfile.family_id == family_id)
        .order_by(KidProfile.id)
    ).all()
    trail = db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.family_id == family_id))
    jobs = db.scalar(text("SELECT count(*) FROM procrastinate_jobs"))
    library = db.scalar(
        text(
            "SELECT (SELECT count(*) FROM family_titles WHERE family_id = :family)"
            " + (SELECT count(*) FROM kid_profiles_titles p JOIN kid_profiles k ON k.id = p.kid_profile_id"
            " WHERE k.family_id = :family)"
        ).bindparams(family=family_id)
    )
    return tuple(map(tuple, kids)), trail, jobs, library


def names(items: list[dict]) -> list[str]:
    return [item["title"] for item in items]
