"""A kid's rules (policies/evaluate.py decides with them): mode, rating caps, unrated, tags.
The presets a new kid with an age starts from live in families/presets.py."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from axolotly.audit import service as audit
from axolotly.errors import Invalid
from axolotly.models import ContentTag, KidProfile
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
    if rules.mode == ALLOW_LIST:
        return "only titles a parent allowed"
    parts = [
        f"movies up to {rules.max_movie_rating or 'any rating'}",
        f"TV up to {rules.max_tv_rating or 'any rating'}",
        "unrated blocked" if rules.block_unrated else "unrated allowed",
    ]
    if rules.blocked_tags:
        parts.append(f"blocking {', '.join(sorted(rules.blocked_tags))}")
    return "; ".join(parts)
