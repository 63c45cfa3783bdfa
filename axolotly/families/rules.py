"""A kid's rules (policies/evaluate.py decides with them): mode, rating caps, unrated, tags.
The presets a new kid with an age starts from live in families/presets.py.

The caps are ratings of the family country's scales as stored (ratings/service.py): the movie
cap one of its movie scale, the TV cap one of its TV scale.
"""

from sqlalchemy import func, select, union
from sqlalchemy.orm import Session

from axolotly.audit import service as audit
from axolotly.catalog.tags import spoken_tags, tag_label
from axolotly.errors import Invalid
from axolotly.families.context import owner_of
from axolotly.families.library import in_library_titles
from axolotly.families.presets import preset_bands, preset_for_age
from axolotly.families.settings import lock_family
from axolotly.i18n import DEFAULT_LANGUAGE, N_, gettext, use_language
from axolotly.models import ContentTag, Episode, KidProfile, Title
from axolotly.policies.evaluate import ALLOW_LIST, RULES, Rules
from axolotly.ratings.scales import Kind, Scale, Scales
from axolotly.ratings.service import current_scales

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


# Whole sentences for each kind of cap, so that a translator never puts "movie rating" into one.
NO_SCALE = {
    "movie": N_("No movie rating scale for %(country)s: leave that cap empty (no limit)"),
    "tv": N_("No TV rating scale for %(country)s: leave that cap empty (no limit)"),
}
UNKNOWN_CAP = {
    "movie": N_("Unknown movie rating %(value)s for %(country)s: one of %(allowed)s"),
    "tv": N_("Unknown TV rating %(value)s for %(country)s: one of %(allowed)s"),
}


def cap_choices(scale: Scale | None) -> tuple[str, ...]:
    """The ratings a cap may be, lowest first: the classifications of the scale ("NR" or "Exempt"
    say nothing about age, so they cap nothing); none when the country has no such scale."""
    if scale is None:
        return ()
    return tuple(rating.rating for rating in scale.ratings if rating.min_age is not None)


def valid_cap(scales: Scales, country: str, kind: Kind, value: str | None) -> str | None:
    """The cap as the scale spells it ("pg-13" -> "PG-13"); refused when the country's scale has
    no such rating, with the ratings it has."""
    if value is None:
        return None
    allowed = cap_choices(scales.scale(kind, country))
    if not allowed:
        raise Invalid(NO_SCALE[kind], country=country)
    spelled = {rating.casefold(): rating for rating in allowed}.get(value.strip().casefold())
    if spelled is None:
        raise Invalid(UNKNOWN_CAP[kind], value=repr(value[:20]), country=country, allowed=", ".join(allowed))
    return spelled


def set_rules(
    db: Session,
    kid: KidProfile,
    mode: str,
    max_movie_rating: str | None,
    max_tv_rating: str | None,
    block_unrated: bool,
    blocked_tags: list[str],
) -> KidProfile:
    """Replaces the kid's rules; nothing is written when any value is unknown (a cap that is no
    rating of the family country's scale included). The family's row is locked first: a country
    switch in flight (families/settings.py) is waited for, and the caps checked on its scales."""
    if mode not in MODES:
        raise Invalid(N_("Unknown mode %(mode)s: one of %(modes)s"), mode=repr(mode), modes=", ".join(MODES))
    country, scales = lock_family(db, kid.family_id).country, current_scales(db)
    max_movie_rating = valid_cap(scales, country, "movie", max_movie_rating)
    max_tv_rating = valid_cap(scales, country, "tv", max_tv_rating)
    wanted = sorted(set(blocked_tags))
    known = set(db.scalars(select(ContentTag.tag).where(ContentTag.tag.in_(wanted)))) if wanted else set()
    unknown = [tag for tag in wanted if tag not in known]
    if unknown:
        raise Invalid(N_("Unknown tags: %(tags)s"), tags=", ".join(unknown))
    kid.rules_mode, kid.max_movie_rating, kid.max_tv_rating = mode, max_movie_rating, max_tv_rating
    kid.block_unrated, kid.blocked_tags = block_unrated, wanted
    db.flush()
    with use_language(DEFAULT_LANGUAGE):  # the activity trail is written in English, like its other lines
        described = describe(kid_rules(kid))
    audit.record(db, kid.family_id, "rules_changed", f"Changed {kid.name}'s rules: {described}")
    return kid


def describe(rules: Rules) -> str:
    """The rules in the reader's words: "movies up to PG; …; hiding titles tagged “Mild peril”" (a
    list of whole clauses, each translated as one)."""
    if rules.mode == ALLOW_LIST:
        return gettext("only titles a parent allowed")
    movies, tv = rules.max_movie_rating, rules.max_tv_rating
    parts = [
        gettext("movies up to %(rating)s") % {"rating": movies} if movies else gettext("movies up to any rating"),
        gettext("TV up to %(rating)s") % {"rating": tv} if tv else gettext("TV up to any rating"),
        gettext("unrated titles hidden") if rules.block_unrated else gettext("unrated titles shown"),
    ]
    if rules.blocked_tags:
        parts.append(gettext("hiding titles tagged %(tags)s") % {"tags": spoken_tags(rules.blocked_tags, "or")})
    return "; ".join(parts)


def form_options(db: Session, family_id: int) -> dict[str, object]:
    """What the rules form offers: the caps of the family country's scales, lowest first, and the
    preset buttons by age band ({(youngest, oldest): caps})."""
    country, scales = owner_of(db, family_id).country, current_scales(db)
    return {
        "movie_ratings": cap_choices(scales.scale("movie", country)),
        "tv_ratings": cap_choices(scales.scale("tv", country)),
        "presets": preset_bands(country, scales),
    }


def set_preset(db: Session, kid: KidProfile, age: int) -> KidProfile:
    """One of the form's preset buttons (the youngest age of its band): rules mode with that age's
    caps in the family's country; the kid's blocked tags stay, since no preset knows what a family
    wants to avoid."""
    country, scales = lock_family(db, kid.family_id).country, current_scales(db)  # as set_rules: see there
    if age not in {youngest for youngest, _ in preset_bands(country, scales)}:
        raise Invalid(N_("Unknown preset"))
    caps = preset_for_age(age, country, scales)
    return set_rules(db, kid, RULES, caps["max_movie_rating"], caps["max_tv_rating"], True, sorted(kid.blocked_tags))


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
