"""The job registry: which jobs exist, the procrastinate app, and deferring a job.

Jobs are deferred on the request's own connection, inside its transaction: a policy and the job
that loads its episodes commit together or not at all (the spec's "Transactions").

Services defer through here and never import the task bodies (tasks.py), which call services in
turn. The bodies register on `blueprint` when the app is first built, loaded by import path
(procrastinate's `import_paths`), so no service → registry → bodies → service cycle can form.
"""

from functools import lru_cache

import procrastinate
from sqlalchemy.orm import Session

from axolotly.db.engine import database_url, libpq_conninfo

NAMESPACE = "axolotly"
TASK_MODULES = ["axolotly.jobs.tasks"]

LOAD_EPISODES = "load_title_episodes"
CLEANUP_EXPIRED = "cleanup_expired"
RETRY_STALLED_JOBS = "retry_stalled_jobs"
DAILY_BACKUP = "daily_backup"
PRUNE_BACKUPS = "prune_backups"
RESYNC_STALE_TITLES = "resync_stale_titles"
MAINTAIN_USAGE_PARTITIONS = "maintain_usage_partitions"

blueprint = procrastinate.Blueprint()


@lru_cache
def get_job_app() -> procrastinate.App:
    app = procrastinate.App(
        connector=procrastinate.PsycopgConnector(conninfo=libpq_conninfo(database_url())),
        import_paths=TASK_MODULES,
    )
    app.perform_import_paths()  # the bodies register on `blueprint`
    app.add_tasks_from(blueprint, namespace=NAMESPACE)
    return app


def defer_in_transaction(db: Session, task_name: str, **task_kwargs) -> int:
    """Queues a job on the session's connection, so it commits or rolls back with the request."""
    connection = db.connection().connection.driver_connection
    job = get_job_app().configure_task(f"{NAMESPACE}:{task_name}", connection=connection)
    return job.defer(**task_kwargs)
