"""The job registry: which jobs exist, the procrastinate app, and deferring a job.

Jobs are deferred on the request's own connection, inside its transaction: a policy and the job
that loads its episodes commit together or not at all (the spec's "Transactions").

Services defer through here and never import the task bodies (tasks.py), which call services in
turn. The bodies register on `blueprint` when the app is first built, loaded by import path
(procrastinate's `import_paths`), so no service → registry → bodies → service cycle can form.
"""

import contextlib
from collections.abc import AsyncIterator
from datetime import datetime
from functools import lru_cache
from typing import Any

import procrastinate
import psycopg
from sqlalchemy.orm import Session

from axolotly.config import get_settings
from axolotly.db.engine import connection_options, database_url, direct_database_url, libpq_conninfo

NAMESPACE = "axolotly"
TASK_MODULES = [
    "axolotly.jobs.tasks",
    "axolotly.jobs.notification_tasks",
    "axolotly.jobs.weekly_tasks",
    "axolotly.jobs.allow_tasks",
]

LOAD_EPISODES = "load_title_episodes"
CLEANUP_EXPIRED = "cleanup_expired"
RETRY_STALLED_JOBS = "retry_stalled_jobs"
DAILY_BACKUP = "daily_backup"
PRUNE_BACKUPS = "prune_backups"
RESYNC_STALE_TITLES = "resync_stale_titles"
MAINTAIN_USAGE_PARTITIONS = "maintain_usage_partitions"
PRUNE_ACTIVITY_TRAIL = "prune_activity_trail"
REFRESH_RATING_SCALES = "refresh_rating_scales"
DELIVER_NOTIFICATION = "deliver_notification"
PRUNE_NOTIFICATIONS = "prune_notifications"

blueprint = procrastinate.Blueprint()


class PoolerConnector(procrastinate.PsycopgConnector):
    """Jobs are fetched and updated through the transaction pooler (PgBouncer), but the worker's
    LISTEN connection goes to PostgreSQL directly: a LISTEN belongs to one server session, which
    a transaction pooler hands to other clients after each transaction.

    procrastinate opens that connection (and only that one) with `_get_standalone_connection`.
    """

    def __init__(self, *, direct_conninfo: str, **kwargs):
        super().__init__(**kwargs)
        self.direct_conninfo = direct_conninfo

    @contextlib.asynccontextmanager
    async def _get_standalone_connection(self) -> AsyncIterator[psycopg.AsyncConnection]:
        async with await psycopg.AsyncConnection.connect(
            self.direct_conninfo,
            autocommit=True,
            application_name="axolotly-worker-listen",
            connect_timeout=get_settings().db_connect_timeout_seconds,
        ) as connection:
            yield connection


def job_connector() -> procrastinate.PsycopgConnector:
    """The worker's connections: a pool whose check-out tests each connection (procrastinate's
    default), so one broken by a restart is replaced; through a pooler, no server-side prepared
    statements and LISTEN on a direct connection."""
    options: dict[str, Any] = {"conninfo": libpq_conninfo(database_url()), "kwargs": connection_options()}
    if get_settings().behind_pooler:
        return PoolerConnector(direct_conninfo=libpq_conninfo(direct_database_url()), **options)
    return procrastinate.PsycopgConnector(**options)


@lru_cache
def get_job_app() -> procrastinate.App:
    app = procrastinate.App(connector=job_connector(), import_paths=TASK_MODULES)
    app.perform_import_paths()  # the bodies register on `blueprint`
    app.add_tasks_from(blueprint, namespace=NAMESPACE)
    return app


def defer_in_transaction(
    db: Session, task_name: str, *, schedule_at: datetime | None = None, lock: str | None = None, **task_kwargs
) -> int:
    """Queues a job on the session's connection, so it commits or rolls back with the request.

    `schedule_at`: not run before then (an email held through quiet hours); `lock`: jobs of one
    lock never run at once (procrastinate's own)."""
    connection = db.connection().connection.driver_connection
    options: dict[str, Any] = {"connection": connection}
    if schedule_at is not None:
        options["schedule_at"] = schedule_at
    if lock is not None:
        options["lock"] = lock
    job = get_job_app().configure_task(f"{NAMESPACE}:{task_name}", **options)
    return job.defer(**task_kwargs)
