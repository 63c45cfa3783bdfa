"""A kid's rules (policies/evaluate.py decides with them): mode, rating caps, unrated, tags.
The presets a new kid with an age starts from live in families/presets.py."""

from sqlalchemy import func, select, union
from sqlalchemy.orm import Session

from axolotly.audit import service as audit
from axolotly.catalog.tags import spoken_tags, tag_label
from axolotly.errors import Invalid
from axolotly.families.library import in_library_titles
from axolotly.models import ContentTag, Episode, KidProfile, Title
from axolotly.policies.evaluate import ALLOW_LIST, MOVIE_RATINGS, RULES, TV_RATINGS, Rules

MODES = (ALLOW_LIST, RULES)


def kid_rules(kid: KidProfile) -> Rules:
    return Rules(
        kid.rules_mode,
        kid.max_movie_rating,
        kid.max_tv_rating,
        kid.block_unrated,
        frozenset(kid.blocked_tags),
        kid.name,
        tag_label,
    )


def _check(value: str | None, allowed: tuple[str, ...], what: str) -> None:
    if value is not None and value not in allowed:
        raise Invalid(f"Unknown {what} {value!r}: one of {', '.join(allowed)}")


def set_rules(
    db: Session,
    kid: KidProfile,
    mode: str,
    max_movie_rating: str | None,
    max_tv_rating: str | None,
    block_unrated: bool,
    blocked_tags: list[str],
) -> KidProfile:
    """Replaces the kid's rules; nothing is written when any value is unknown."""
    if mode not in MODES:
        raise Invalid(f"Unknown mode {mode!r}: one of {', '.join(MODES)}")
    _check(max_movie_rating, MOVIE_RATINGS, "movie rating")
    _check(max_tv_rating, TV_RATINGS, "TV rating")
    wanted = sorted(set(blocked_tags))
    known = set(db.scalars(select(ContentTag.tag).where(ContentTag.tag.in_(wanted)))) if wanted else set()
    unknown = [tag for tag in wanted if tag not in known]
    if unknown:
        raise Invalid(f"Unknown tags: {', '.join(unknown)}")
    kid.rules_mode, kid.max_movie_rating, kid.max_tv_rating = mode, max_movie_rating, max_tv_rating
    kid.block_unrated, kid.blocked_tags = block_unrated, wanted
    db.flush()
    audit.record(db, kid.family_id, "rules_changed", f"Changed {kid.name}'s rules: {describe(kid_rules(kid))}")
    return kid


def describe(rules: Rules) -> str:
    """The rules in a parent's words: "movies up to PG; …; hiding titles tagged “Mild peril”"."""
    if rules.mode == ALLOW_LIST:
        return "only titles a parent allowed"
    parts = [
        f"movies up to {rules.max_movie_rating or 'any rating'}",
        f"TV up to {rules.max_tv_rating or 'any rating'}",
        "unrated titles hidden" if rules.block_unrated else "unrated titles shown",
    ]
    if rules.blocked_tags:
        parts.append(f"hiding titles tagged {spoken_tags(rules.blocked_tags, 'or')}")
    return "; ".join(parts)


def tags_in_library(db: Session, family_id: int, tags: list[str]) -> set[str]:
    """Which of these tags a title of the family library (or one of its episodes) carries: a
    blocked tag that none carries hides nothing yet, and the rules page says so."""
    if not tags:
        return set()
    title_tags = in_library_titles(select(func.jsonb_array_elements_text(Title.tags).label("tag")), family_id)
    episode_tags = in_library_titles(
        select(func.jsonb_array_elements_text(Episode.tags).label("tag")).join(Title, Title.id == Episode.title_id),
        family_id,
    )
    carried = union(title_tags, episode_tags).subquery("carried")
    return set(db.scalars(select(carried.c.tag).where(carried.c.tag.in_(tags))))
