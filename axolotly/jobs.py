"""Durable jobs on the same PostgreSQL (procrastinate).

Jobs are deferred on the request's own connection, inside its transaction: a policy and the job
that loads its episodes commit together or not at all (the spec's "Transactions").
"""

from functools import lru_cache

import procrastinate
from sqlalchemy.orm import Session

from axolotly.db.engine import database_url, libpq_conninfo
from axolotly.tasks import blueprint

LOAD_EPISODES = "load_title_episodes"


@lru_cache
def get_job_app() -> procrastinate.App:
    app = procrastinate.App(
        connector=procrastinate.PsycopgConnector(conninfo=libpq_conninfo(database_url()))
    )
    app.add_tasks_from(blueprint, namespace="axolotly")
    return app


def defer_in_transaction(db: Session, task_name: str, **task_kwargs) -> int:
    """Queues a job on the session's connection, so it commits or rolls back with the request."""
    connection = db.connection().connection.driver_connection
    job = get_job_app().configure_task(f"axolotly:{task_name}", connection=connection)
    return job.defer(**task_kwargs)
