from alembic import context
from sqlalchemy import create_engine, pool

from axolotly.db.engine import direct_database_url
from axolotly.models import Base

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    return config.attributes.get("url") or direct_database_url()  # never through PgBouncer


def include_object(obj, name, type_, reflected, compare_to):
    # procrastinate's tables live in the same database but are not our models.
    if type_ == "table" and name and name.startswith("procrastinate"):
        return False
    # Monthly partitions of usage_sessions are made by the periodic job, not by the models.
    return not (type_ == "table" and name and name.startswith("usage_sessions_y"))


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(_url(), poolclass=pool.NullPool)
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=include_object,
        compare_type=True,
        compare_server_default=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
