"""Admin moderation of crowd-sourced episode links and of the content-tag vocabulary."""

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from axolotly.errors import Conflict, NotFound
from axolotly.models import ContentTag, Episode, EpisodeLink, Title


def links_to_review(db: Session, limit: int = 100, offset: int = 0) -> list[tuple[EpisodeLink, Episode, Title]]:
    """Most-reported first: those are the links launchers rely on."""
    return list(db.execute(
        select(EpisodeLink, Episode, Title).join(Episode, Episode.id == EpisodeLink.episode_id)
        .join(Title, Title.id == Episode.title_id)
        .order_by(EpisodeLink.reported_count.desc(), EpisodeLink.id).limit(limit).offset(offset)
    ).tuples())


def verify_link(db: Session, link_id: int) -> EpisodeLink:
    link = db.get(EpisodeLink, link_id)
    if link is None:
        raise NotFound("Episode link not found")
    link.verified = True
    db.flush()
    return link


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
