"""Watch history's monthly partitions on a real database: made ahead, dropped past retention,
by the periodic job; and a day's rollup that always equals the stored sessions."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select, text

from axolotly.jobs import tasks
from axolotly.jobs.registry import MAINTAIN_USAGE_PARTITIONS, NAMESPACE, get_job_app
from axolotly.models import UsageDay, usage_sessions
from axolotly.screen_time import partitions
from axolotly.screen_time.partitions import month_of, next_month, partition_name
from tests.support.factories import make_family, make_kid

UTC = UTC


@dataclass(frozen=True)
class Maintenance:
    created: list[str]
    dropped: list[str]
    rollup_rows_deleted: int


def maintain(db, now: datetime, retention_days: int) -> Maintenance:
    """The job's three steps in the test's one transaction (the job gives each its own)."""
    created = partitions.make_ahead(db, now)
    dropped = partitions.drop_expired(db, now, retention_days)
    deleted = total = partitions.prune_rollup(db, now, retention_days)
    while deleted:
        deleted = partitions.prune_rollup(db, now, retention_days)
        total += deleted
    return Maintenance(created, dropped, total)


def months_from(first: date, count: int) -> list[date]:
    months = [first]
    while len(months) < count:
        months.append(next_month(months[-1]))
    return months


def test_the_migration_made_last_month_to_two_months_ahead(db):
    now = db.scalar(text("SELECT now()"))  # the migration read the database's clock, not Python's
    expected = {partition_name(month) for month in months_from(month_of(now - timedelta(days=31)), 3)}
    assert expected <= set(partitions.existing(db))


def test_maintenance_makes_months_ahead_and_drops_expired_ones(db):
    family = make_family(db)
    kid = make_kid(db, family)
    later = datetime(2031, 5, 15, tzinfo=UTC)
    done = maintain(db, later, retention_days=400)
    assert {partition_name(date(2031, 4, 1)), partition_name(date(2031, 7, 1))} <= set(done.created)
    assert partition_name(date(2031, 8, 1)) not in partitions.existing(db)
    # A row lands in its month's partition; the rollup row of an old day goes with retention.
    db.execute(
        usage_sessions.insert().values(kid_profile_id=kid.id, app_id="1", started_at=later, ended_at=later, seconds=0)
    )
    db.add(UsageDay(kid_profile_id=kid.id, day=date(2030, 1, 1), app_id="1", seconds=60, sessions=1))
    db.add(UsageDay(kid_profile_id=kid.id, day=date(2031, 5, 1), app_id="1", seconds=60, sessions=1))
    db.flush()
    stored_in = db.scalar(text("SELECT tableoid::regclass::text FROM usage_sessions"))
    assert stored_in == partition_name(date(2031, 5, 1))

    much_later = datetime(2032, 7, 20, tzinfo=UTC)  # 400 days back: 2031-06-16
    done = maintain(db, much_later, retention_days=400)
    assert partition_name(date(2031, 5, 1)) in done.dropped  # all of May 2031 is older than the cut-off
    assert partition_name(date(2031, 6, 1)) not in done.dropped  # partly inside retention: kept
    assert done.rollup_rows_deleted == 2
    assert db.scalar(select(func.count()).select_from(usage_sessions)) == 0
    assert partition_name(date(2032, 9, 1)) in partitions.existing(db)


def test_the_job_is_periodic_and_its_body_keeps_partitions_ahead(engine):
    app = get_job_app()
    assert f"{NAMESPACE}:{MAINTAIN_USAGE_PARTITIONS}" in app.tasks
    periodic = [task.task.name for task in app.periodic_registry.periodic_tasks.values()]
    assert f"{NAMESPACE}:{MAINTAIN_USAGE_PARTITIONS}" in periodic
    done = tasks.maintain_usage_partitions(timestamp=0)  # commits, as the worker would
    assert done["dropped"] == []
    with engine.connect() as connection:
        names = set(
            connection.scalars(
                text(
                    "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                    "WHERE i.inhparent = 'usage_sessions'::regclass"
                )
            )
        )
    now = datetime.now(UTC)
    assert {partition_name(month) for month in months_from(month_of(now), 3)} <= names
