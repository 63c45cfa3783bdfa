"""Admin moderation of crowd-sourced episode links and of the content-tag vocabulary."""

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from axolotly.catalog.providers import PROVIDERS_BY_ID, is_trusted_url, link_shown_to_kids
from axolotly.config import get_settings
from axolotly.errors import Conflict, Invalid, NotFound
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


_LINKS_WITH_TITLES = (select(EpisodeLink, Episode, Title).join(Episode, Episode.id == EpisodeLink.episode_id)
                      .join(Title, Title.id == Episode.title_id))


def _under_review(rows) -> list[LinkUnderReview]:
    min_families = get_settings().link_min_families
    return [LinkUnderReview(link, episode, title,
                            link_shown_to_kids(link.platform, link.verified, link.reported_count, min_families))
            for link, episode, title in rows]


def links_to_review(db: Session, limit: int = 100, offset: int = 0) -> list[LinkUnderReview]:
    """Most-reported first: those are the links launchers rely on."""
    statement = _LINKS_WITH_TITLES.order_by(EpisodeLink.reported_count.desc(), EpisodeLink.id).limit(limit).offset(offset)
    return _under_review(db.execute(statement).tuples())


def verify_link(db: Session, link_id: int) -> EpisodeLink:
    """A verified link reaches every kid at once, so it must still belong to its provider."""
    link = db.get(EpisodeLink, link_id)
    if link is None:
        raise NotFound("Episode link not found")
    provider = PROVIDERS_BY_ID.get(link.platform)
    if provider is None or not is_trusted_url(provider, link.url):
        raise Invalid("This link is not on its service's web sites or app links; delete it instead")
    link.verified = True
    db.flush()
    return link


def link_under_review(db: Session, link_id: int) -> LinkUnderReview:
    """One link with its episode and title (the delete confirmation names them), or 404."""
    found = _under_review(db.execute(_LINKS_WITH_TITLES.where(EpisodeLink.id == link_id)).tuples())
    if not found:
        raise NotFound("Episode link not found")
    return found[0]


def delete_link(db: Session, link_id: int) -> None:
    if db.execute(delete(EpisodeLink).where(EpisodeLink.id == link_id)).rowcount == 0:
        raise NotFound("Episode link not found")


def list_tags(db: Session) -> list[ContentTag]:
    return list(db.scalars(select(ContentTag).order_by(ContentTag.category, ContentTag.tag)))


def save_tag(db: Session, tag_id: int | None, tag: str, category: str | None, description: str | None) -> ContentTag:
    """Adds a tag (tag_id None) or edits one; tag names are unique."""
    row = ContentTag() if tag_id is None else db.get(ContentTag, tag_id)
    if row is None:
        raise NotFound("Tag not found")
    row.tag, row.category, row.description = tag, category, description
    try:
        with db.begin_nested():
            db.add(row)
            db.flush()
    except IntegrityError:
        raise Conflict(f"The tag {tag!r} exists already") from None
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
        raise Invalid(f"Each tag name once: {', '.join(twice)} appears more than once")
    ids = [edit.tag_id for edit in edits if edit.tag_id is not None]
    if len(set(ids)) != len(ids):
        raise Invalid("Each tag may be edited once per form")
    rows = {row.id: row for row in db.scalars(select(ContentTag).where(ContentTag.id.in_(ids)))} if ids else {}
    if missing := [tag_id for tag_id in ids if tag_id not in rows]:
        raise NotFound(f"Tag {missing[0]} not found (deleted meanwhile?): reload the page")
    added = changed = 0
    for edit in edits:
        row = rows.get(edit.tag_id) if edit.tag_id is not None else ContentTag()
        if (row.tag, row.category, row.description) == (edit.tag, edit.category, edit.description):
            continue
        row.tag, row.category, row.description = edit.tag, edit.category, edit.description
        added, changed = (added + 1, changed) if edit.tag_id is None else (added, changed + 1)
        db.add(row)
    try:
        with db.begin_nested():
            db.flush()
    except IntegrityError:
        # A new name that another tag (not renamed in this form) holds, or names swapped between rows.
        raise Conflict("A tag with one of these names exists already (rename one tag at a time to swap names)") from None
    return added, changed
