"""Admin moderation of crowd-sourced episode links and of the content-tag vocabulary."""

import json
from dataclasses import dataclass
from itertools import groupby

from sqlalchemy import delete, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from axolotly.catalog.providers import PROVIDERS_BY_ID, is_trusted_url, link_shown_to_kids
from axolotly.catalog.tags import all_mapped_tags
from axolotly.config import get_settings
from axolotly.db.results import affected_rows
from axolotly.errors import Conflict, Invalid, NotFound
from axolotly.i18n import N_
from axolotly.models import ContentTag, Episode, EpisodeLink, Title


@dataclass(frozen=True)
class LinkUnderReview:
    link: EpisodeLink
    episode: Episode
    title: Title
    visible_to_kids: bool

    @property
    def families(self) -> int:
        """How many families reported it (reported_count is kept equal to that by a trigger)."""
        return self.link.reported_count


_LINKS_WITH_TITLES = (
    select(EpisodeLink, Episode, Title)
    .join(Episode, Episode.id == EpisodeLink.episode_id)
    .join(Title, Title.id == Episode.title_id)
)


def _under_review(rows) -> list[LinkUnderReview]:
    min_families = get_settings().link_min_families
    return [
        LinkUnderReview(
            link, episode, title, link_shown_to_kids(link.platform, link.verified, link.reported_count, min_families)
        )
        for link, episode, title in rows
    ]


def links_to_review(db: Session, limit: int = 100, offset: int = 0) -> list[LinkUnderReview]:
    """Most-reported first: those are the links launchers rely on."""
    statement = (
        _LINKS_WITH_TITLES.order_by(EpisodeLink.reported_count.desc(), EpisodeLink.id).limit(limit).offset(offset)
    )
    return _under_review(db.execute(statement).tuples())


def verify_link(db: Session, link_id: int) -> EpisodeLink:
    """A verified link reaches every kid at once, so it must still belong to its provider."""
    link = db.get(EpisodeLink, link_id)
    if link is None:
        raise NotFound(N_("Episode link not found"))
    provider = PROVIDERS_BY_ID.get(link.platform)
    if provider is None or not is_trusted_url(provider, link.url):
        raise Invalid(N_("This link is not on its service's web sites or app links; delete it instead"))
    link.verified = True
    db.flush()
    return link


def link_under_review(db: Session, link_id: int) -> LinkUnderReview:
    """One link with its episode and title (the delete confirmation names them), or 404."""
    found = _under_review(db.execute(_LINKS_WITH_TITLES.where(EpisodeLink.id == link_id)).tuples())
    if not found:
        raise NotFound(N_("Episode link not found"))
    return found[0]


def delete_link(db: Session, link_id: int) -> None:
    if affected_rows(db.execute(delete(EpisodeLink).where(EpisodeLink.id == link_id))) == 0:
        raise NotFound(N_("Episode link not found"))


def list_tags(db: Session) -> list[ContentTag]:
    return list(db.scalars(select(ContentTag).order_by(ContentTag.category, ContentTag.tag)))


def tags_by_category(db: Session) -> list[tuple[str | None, list[ContentTag]]]:
    """The vocabulary in groups for the kids' rules forms, by category; the tags an admin left
    without one (NULL or blank) last, under None (the page names that group in words)."""

    def category(tag: ContentTag) -> str | None:
        return tag.category or None

    ordered = sorted(list_tags(db), key=lambda tag: (category(tag) is None, category(tag) or "", tag.tag))
    return [(name, list(tags)) for name, tags in groupby(ordered, key=category)]


# Where tag names are used: a JSON array of names in each of these columns. A rename maps every
# element at once (so names moved along a chain in one form land right), sorted and once each.
TAG_USES = (("titles", "tags"), ("episodes", "tags"), ("kid_profiles", "blocked_tags"))
RENAME_IN = """
    UPDATE {table} SET {column} = (
        SELECT jsonb_agg(DISTINCT renamed ORDER BY renamed)
        FROM (SELECT coalesce(CAST(:renames AS jsonb) ->> used.tag_name, used.tag_name) AS renamed
              FROM jsonb_array_elements_text({column}) AS used(tag_name)) AS names)
    WHERE jsonb_typeof({column}) = 'array' AND {column} ?| CAST(:old_names AS text[])
"""


def _refuse_renaming_automatic_tags(renames: dict[str, str]) -> None:
    """The catalog derives these from TMDB at every sync (catalog/tags.py): renamed, the old name
    would come back on titles at the next sync, outside every kid's rules."""
    if automatic := sorted(set(renames) & all_mapped_tags()):
        raise Conflict(
            N_(
                "%(tags)s is given to titles automatically from TMDB's genres and ratings, so the name "
                "stays; edit the category or description instead"
            )
            if len(automatic) == 1
            else N_(
                "%(tags)s are given to titles automatically from TMDB's genres and ratings, so the names "
                "stay; edit the category or description instead"
            ),
            tags=", ".join(automatic),
        )


def _rename_where_used(db: Session, renames: dict[str, str]) -> None:
    """Titles, episodes and kids' blocked tags follow a rename in the same transaction (their
    triggers move the launcher versions of the kids concerned)."""
    if not renames:
        return
    params = {"renames": json.dumps(renames), "old_names": list(renames)}
    for table, column in TAG_USES:
        db.execute(text(RENAME_IN.format(table=table, column=column)), params)


def save_tag(db: Session, tag_id: int | None, tag: str, category: str | None, description: str | None) -> ContentTag:
    """Adds a tag (tag_id None) or edits one; tag names are unique, and a new name replaces the
    old one wherever it is used."""
    row = ContentTag() if tag_id is None else db.get(ContentTag, tag_id)
    if row is None:
        raise NotFound(N_("Tag not found"))
    renames = {row.tag: tag} if tag_id is not None and row.tag != tag else {}
    row.tag, row.category, row.description = tag, category, description
    try:
        with db.begin_nested():
            db.add(row)
            db.flush()
            _refuse_renaming_automatic_tags(renames)  # after the flush: a name taken is said first
    except IntegrityError:
        raise Conflict(N_("The tag %(tag)s exists already"), tag=repr(tag)) from None
    _rename_where_used(db, renames)
    return row


@dataclass(frozen=True)
class TagEdit:
    tag_id: int | None  # None: a new tag
    tag: str
    category: str | None
    description: str | None


def save_tags(db: Session, edits: list[TagEdit]) -> tuple[int, int]:
    """The console's one tag form: every row at once, all or nothing; (added, changed)."""
    names = [edit.tag for edit in edits]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise Invalid(N_("Each tag name once: %(tags)s appears more than once"), tags=", ".join(twice))
    ids = [edit.tag_id for edit in edits if edit.tag_id is not None]
    if len(set(ids)) != len(ids):
        raise Invalid(N_("Each tag may be edited once per form"))
    rows = {row.id: row for row in db.scalars(select(ContentTag).where(ContentTag.id.in_(ids)))} if ids else {}
    if missing := [tag_id for tag_id in ids if tag_id not in rows]:
        raise NotFound(N_("Tag %(id)s not found (deleted meanwhile?): reload the page"), id=missing[0])
    renames = {
        rows[edit.tag_id].tag: edit.tag
        for edit in edits
        if edit.tag_id is not None and rows[edit.tag_id].tag != edit.tag
    }
    added = changed = 0
    for edit in edits:
        row = rows[edit.tag_id] if edit.tag_id is not None else ContentTag()
        if (row.tag, row.category, row.description) == (edit.tag, edit.category, edit.description):
            continue
        row.tag, row.category, row.description = edit.tag, edit.category, edit.description
        added, changed = (added + 1, changed) if edit.tag_id is None else (added, changed + 1)
        db.add(row)
    try:
        with db.begin_nested():
            db.flush()
            _refuse_renaming_automatic_tags(renames)
    except IntegrityError:
        # A new name that another tag (not renamed in this form) holds, or names swapped between rows.
        raise Conflict(
            N_("A tag with one of these names exists already (rename one tag at a time to swap names)")
        ) from None
    _rename_where_used(db, renames)
    return added, changed
