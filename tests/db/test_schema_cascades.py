"""Deleting a family, a title or a kid leaves no orphan (the spec's cascading deletes)."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select

from axolotly.models import (
    ContentReport,
    Device,
    Episode,
    EpisodeLink,
    KidProfile,
    KidProfileTitle,
    PairingCode,
    StreamingServiceSelection,
    Title,
    User,
)
from tests.support.factories import make_episode, make_family, make_kid, make_title


def count(db, model, **where) -> int:
    stmt = select(func.count()).select_from(model)
    for column, value in where.items():
        stmt = stmt.where(getattr(model, column) == value)
    return db.execute(stmt).scalar_one()


def build_family_with_everything(db):
    family = make_family(db)
    kid = make_kid(db, family)
    title = make_title(db, media_type="tv")
    episode = make_episode(db, title)
    db.add_all(
        [
            KidProfileTitle(kid_profile_id=kid.id, title_id=title.id, policy="allow", blocked_episodes=[episode.id]),
            Device(device_id=f"dev-{family.id}", family_id=family.id, kid_profile_id=kid.id),
            PairingCode(
                code=f"{family.id:06d}"[-6:],
                family_id=family.id,
                expires_at=datetime.now(UTC) + timedelta(minutes=10),
            ),
            StreamingServiceSelection(family_id=family.id, selected_services=["netflix"]),
            ContentReport(family_id=family.id, title_id=title.id, issue_type="other"),
            EpisodeLink(episode_id=episode.id, platform="netflix", url="https://n/1"),
        ]
    )
    db.flush()
    return family, kid, title, episode


def test_deleting_family_removes_everything_it_owns(db):
    family, kid, title, _ = build_family_with_everything(db)
    db.execute(delete(User).where(User.id == family.id))
    assert count(db, KidProfile, family_id=family.id) == 0
    assert count(db, KidProfileTitle, kid_profile_id=kid.id) == 0
    assert count(db, Device, family_id=family.id) == 0
    assert count(db, PairingCode, family_id=family.id) == 0
    assert count(db, StreamingServiceSelection, family_id=family.id) == 0
    assert count(db, ContentReport, family_id=family.id) == 0
    assert count(db, Title, id=title.id) == 1, "the shared catalog stays"


def test_deleting_title_removes_episodes_links_policies_and_reports(db):
    family, kid, title, episode = build_family_with_everything(db)
    db.execute(delete(Title).where(Title.id == title.id))
    assert count(db, Episode, title_id=title.id) == 0
    assert count(db, EpisodeLink, episode_id=episode.id) == 0
    assert count(db, KidProfileTitle, title_id=title.id) == 0
    assert count(db, ContentReport, title_id=title.id) == 0
    assert count(db, KidProfile, id=kid.id) == 1


def test_deleting_kid_removes_policies_and_unassigns_devices(db):
    family, kid, title, _ = build_family_with_everything(db)
    device_id = db.execute(select(Device.id).where(Device.family_id == family.id)).scalar_one()
    db.execute(delete(KidProfile).where(KidProfile.id == kid.id))
    assert count(db, KidProfileTitle, kid_profile_id=kid.id) == 0
    device = db.execute(select(Device.kid_profile_id, Device.family_id).where(Device.id == device_id)).one()
    assert device.kid_profile_id is None
    assert device.family_id == family.id


def test_deleting_episode_removes_its_links(db):
    _, _, _, episode = build_family_with_everything(db)
    db.execute(delete(Episode).where(Episode.id == episode.id))
    assert count(db, EpisodeLink, episode_id=episode.id) == 0
