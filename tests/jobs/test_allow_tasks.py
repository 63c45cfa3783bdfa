"""The job that tidies up after allows that ended (issue 27): ended rows go, their titles stay in
the family library, a trail line each; rows not yet ended stay; a parent's re-allow racing the
job wins."""

import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from axolotly.enums import PolicyKind
from axolotly.jobs.allow_tasks import END_ALLOWS, end_allows
from axolotly.jobs.registry import NAMESPACE, get_job_app
from axolotly.models import AuditEvent, FamilyTitle, KidProfileTitle
from axolotly.policies import service as policies
from axolotly.policies import until
from tests.support.factories import make_family, make_kid, make_title


def allow(db, kid, title, end: datetime | None) -> KidProfileTitle:
    row = KidProfileTitle(kid_profile_id=kid.id, title_id=title.id, policy="allow", allowed_until=end)
    db.add(row)
    db.flush()
    return row


def test_ended_allows_go_their_titles_stay_in_the_library_with_a_trail_line(db):
    now = datetime.now(UTC)
    family = make_family(db)
    family.time_zone = "Europe/Berlin"
    emma = make_kid(db, family, "Emma")
    ended_title, pending_title, good_title = (make_title(db, title=name) for name in ("Bluey", "Moana", "Frozen"))
    ended_at = now - timedelta(seconds=1)
    allow(db, emma, ended_title, ended_at)
    pending = allow(db, emma, pending_title, now + timedelta(minutes=1))
    for_good = allow(db, emma, good_title, None)

    assert until.end_allows(db, now) >= 1
    left = set(db.scalars(select(KidProfileTitle.id).where(KidProfileTitle.kid_profile_id == emma.id)))
    assert left == {pending.id, for_good.id}
    library = set(db.scalars(select(FamilyTitle.title_id).where(FamilyTitle.family_id == family.id)))
    assert ended_title.id in library
    [line] = db.scalars(select(AuditEvent).where(AuditEvent.family_id == family.id))
    when = ended_at.astimezone(ZoneInfo("Europe/Berlin")).strftime("%a %d %b %H:%M")
    assert line.action == "allow_ended"
    assert line.summary == f"“Bluey” is no longer allowed for Emma: the allow until {when} ended"
    until.end_allows(db, now)  # again: nothing more of this family ends
    assert len(db.scalars(select(AuditEvent).where(AuditEvent.family_id == family.id)).all()) == 1


def test_the_job_is_a_periodic_task_of_the_worker():
    app = get_job_app()
    assert f"{NAMESPACE}:{END_ALLOWS}" in app.tasks
    periodic = {task.task.name for task in app.periodic_registry.periodic_tasks.values()}
    assert f"{NAMESPACE}:{END_ALLOWS}" in periodic


def test_a_parent_re_allowing_while_the_job_runs_wins(engine, committed):
    with Session(engine) as db, db.begin():
        family = make_family(db)
        committed.append((type(family), family.id))
        emma = make_kid(db, family, "Emma")
        title = make_title(db, title="Bluey")
        committed.append((type(title), title.id))
        row = allow(db, emma, title, datetime.now(UTC) + timedelta(minutes=1))
        db.execute(
            text("UPDATE kid_profiles_titles SET allowed_until = now() - interval '1 minute' WHERE id = :id"),
            {"id": row.id},
        )
        family_id, emma_id, title_id, row_id = family.id, emma.id, title.id, row.id

    new_end = datetime.now(UTC) + timedelta(days=3)
    with Session(engine) as parent_db, parent_db.begin():
        kid = parent_db.get_one(type(emma), emma_id)
        policies.set_policy(parent_db, kid, title_id, PolicyKind.ALLOW, new_end)  # holds the row until commit
        end_allows(timestamp=int(time.time()))  # the job, in its own transactions, meanwhile

    with Session(engine) as db:
        stored = db.scalar(select(KidProfileTitle).where(KidProfileTitle.id == row_id))
        assert stored is not None and stored.allowed_until == new_end
        assert not db.scalars(
            select(AuditEvent).where(AuditEvent.family_id == family_id, AuditEvent.action == "allow_ended")
        ).all()
    end_allows(timestamp=int(time.time()))  # after the parent: the allow runs on to its new end
    with Session(engine) as db:
        assert db.scalar(select(KidProfileTitle.allowed_until).where(KidProfileTitle.id == row_id)) == new_end
