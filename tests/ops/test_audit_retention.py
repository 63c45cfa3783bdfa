"""The activity trail is kept AUDIT_RETENTION_DAYS: older events go, oldest first, in batches."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from axolotly.audit import service as audit
from axolotly.jobs import tasks
from axolotly.jobs.registry import NAMESPACE, PRUNE_ACTIVITY_TRAIL, get_job_app
from axolotly.models import AuditEvent, User


def family(db, name: str) -> User:
    user = User(email=f"{name}@example.com", password_hash="x")
    db.add(user)
    db.flush()
    return user


def events(db, family_id: int, *ages_in_days: int) -> None:
    now = datetime.now(UTC)
    db.add_all(
        [
            AuditEvent(
                family_id=family_id, action="login", summary=f"{age} days ago", created_at=now - timedelta(days=age)
            )
            for age in ages_in_days
        ]
    )
    db.flush()


def summaries(db, family_id: int) -> list[str]:
    return sorted(db.scalars(select(AuditEvent.summary).where(AuditEvent.family_id == family_id)))


def test_prune_deletes_every_family_s_events_past_the_cut_in_batches(db):
    ours, theirs = family(db, "trail-ours"), family(db, "trail-theirs")
    events(db, ours.id, 500, 400, 366, 10, 0)
    events(db, theirs.id, 700, 364, 1)
    cut = datetime.now(UTC) - timedelta(days=365)
    batches = []
    while deleted := audit.prune(db, cut, batch=2):
        batches.append(deleted)
    assert sum(batches) == 4 and max(batches) <= 2
    assert summaries(db, ours.id) == ["0 days ago", "10 days ago"]
    assert summaries(db, theirs.id) == ["1 days ago", "364 days ago"]
    assert audit.prune(db, cut) == 0


def test_the_job_is_daily_and_keeps_recent_events(db, monkeypatch):
    app = get_job_app()
    periodic = {task.task.name: task.cron for task in app.periodic_registry.periodic_tasks.values()}
    assert periodic[f"{NAMESPACE}:{PRUNE_ACTIVITY_TRAIL}"] == "45 4 * * *"
    ours = family(db, "trail-job")
    events(db, ours.id, 40, 20)
    # The job opens its own sessions: give it this test's (its transaction is rolled back after).
    monkeypatch.setattr(tasks, "session_factory", lambda: lambda: _Borrowed(db))
    monkeypatch.setattr(tasks.get_settings(), "audit_retention_days", 30)
    assert tasks.prune_activity_trail(timestamp=0) >= 1
    assert summaries(db, ours.id) == ["20 days ago"]


class _Borrowed:
    """The test's session, as `with session_factory()() as db, db.begin():` expects."""

    def __init__(self, db):
        self.db = db

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def begin(self):
        return self.db.begin_nested()

    def __getattr__(self, name):
        return getattr(self.db, name)
