"""`axolotly ...`: the one entry point for operators and the Makefile."""

import asyncio
import json
from pathlib import Path

import typer

from axolotly.db.cluster import ClusterError, LocalCluster, project_cluster
from axolotly.ops import commands as ops_commands
from axolotly.ops.commands import fail as _fail

ROOT_HELP = "another cluster folder (a recovered or replica cluster); default: the project's own"


def _cluster(root: Path | None) -> LocalCluster:
    return LocalCluster(root) if root else project_cluster()


app = typer.Typer(help="Axolotly: parental controls for kids' streaming.", no_args_is_help=True)
pg_app = typer.Typer(help="The project's own PostgreSQL cluster under .axolotly/pg.")
db_app = typer.Typer(help="Schema migrations and database maintenance.")
users_app = typer.Typer(help="Accounts an operator creates by hand.")
app.add_typer(pg_app, name="pg")
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
ops_commands.register(db_app)


@pg_app.command("start")
def pg_start() -> None:
    """Start (initialising on first use) the local cluster and print its URL. Idempotent."""
    try:
        typer.echo(project_cluster().start())
    except ClusterError as error:
        _fail(str(error))


@pg_app.command("stop")
def pg_stop(root: Path = typer.Option(None, help=ROOT_HELP)) -> None:
    """Stop the local cluster (fast shutdown: clients are disconnected, data is safe)."""
    try:
        stopped = _cluster(root).stop()
    except ClusterError as error:
        _fail(str(error))
    typer.echo("stopped" if stopped else "not running")


@pg_app.command("status")
def pg_status(root: Path = typer.Option(None, help=ROOT_HELP)) -> None:
    """Where the cluster lives, whether it runs, and its URL."""
    typer.echo(json.dumps(_cluster(root).status(), indent=2))


@pg_app.command("url")
def pg_url() -> None:
    """Print the SQLAlchemy URL of the local cluster."""
    try:
        typer.echo(project_cluster().url())
    except ClusterError as error:
        _fail(str(error))


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head")) -> None:
    """Apply migrations up to REVISION (default: head)."""
    from axolotly.db import migrate

    migrate.upgrade(revision=revision)


@db_app.command("downgrade")
def db_downgrade(revision: str = typer.Argument(..., help="e.g. -1 or base")) -> None:
    """Revert migrations down to REVISION."""
    from axolotly.db import migrate

    migrate.downgrade(revision=revision)


@db_app.command("current")
def db_current() -> None:
    """Show the revision the database is at."""
    from axolotly.db import migrate

    migrate.current()


@app.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = typer.Option(1, min=1),
    reload: bool = False,
) -> None:
    """Serve the HTTP API and pages with uvicorn; /metrics counts every worker's requests.
    Refused with ENV=production while a demo account still opens with its published password."""
    import uvicorn

    from axolotly.config import get_settings
    from axolotly.ops import multiproc

    if get_settings().env == "production":
        _refuse_published_logins()

    # Several workers share one metrics directory, prepared before uvicorn spawns (and imports
    # into) them: prometheus-client picks file-backed values at import when the variable is set.
    # One worker runs in this process and keeps its metrics in memory.
    directory, made_here = multiproc.prepare_directory() if workers > 1 else (None, False)
    try:
        uvicorn.run(
            "axolotly.main:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            reload=reload,
            log_level="info",
            access_log=False,
        )
    finally:
        if made_here and directory is not None:
            multiproc.remove_directory(directory)


def _refuse_published_logins() -> None:
    from axolotly.db.engine import session_factory
    from axolotly.seed.demo import published_logins_in_use

    with session_factory()() as session:
        in_use = published_logins_in_use(session)
    if in_use:
        _fail(
            f"refusing to serve with ENV=production: {', '.join(in_use)} still opens with the demo password "
            "published in the README. Delete the account (or change its password) first."
        )


@app.command("seed-demo")
def seed_demo() -> None:
    """Load the offline catalog (titles, episodes, tags) and a demo family. Safe to re-run.
    Refused with ENV=production: the demo admin's password is published in the README."""
    from axolotly.config import get_settings
    from axolotly.db.engine import session_factory
    from axolotly.seed.demo import demo_logins
    from axolotly.seed.demo import seed_demo as run_seed

    if get_settings().env == "production":
        _fail(
            "seed-demo is refused with ENV=production: it creates a demo admin and parent whose passwords "
            "are published. Create real accounts with `axolotly users create-admin`."
        )

    with session_factory()() as session, session.begin():
        report = run_seed(session)
    typer.echo(f"catalog: {report.titles} titles, {report.episodes} episodes loaded")
    typer.echo("demo family created" if report.family_created else "demo family already there")
    typer.echo("demo logins:\n" + demo_logins())


@app.command("import-original")
def import_original(
    source_database_url: str = typer.Argument(..., help="the older backend's PostgreSQL URL (only read)"),
    dry_run: bool = typer.Option(False, "--dry-run", help="do everything, roll it back, print the report"),
    time_zone: str = typer.Option(
        "UTC", "--time-zone", help="IANA zone of the families created (their bedtimes are local times)"
    ),
    new_source: bool = typer.Option(
        False, "--new-source", help="the import mapping holds another older database's ids: bring this one over too"
    ),
) -> None:
    """Import the older backend's families into DATABASE_URL's database (docs/switching.md)."""
    from axolotly.errors import Invalid
    from axolotly.importer.run import SourceRefused, import_from_url

    try:
        report = import_from_url(source_database_url, dry_run=dry_run, time_zone=time_zone, new_source=new_source)
    except (Invalid, SourceRefused) as error:
        _fail(str(error))
    for line in report.lines():
        typer.echo(line)


@app.command()
def worker(concurrency: int = typer.Option(1, min=1, max=32)) -> None:
    """Run durable jobs (episode loading, cleanup, backups, re-sync) and defer the periodic ones."""
    from axolotly.jobs.registry import get_job_app
    from axolotly.jobs.runner import supervise_worker

    async def run() -> None:
        # Restarted on new connections whenever the database fails it (jobs/runner.py).
        await supervise_worker(get_job_app(), concurrency=concurrency)

    asyncio.run(run())


@users_app.command("create-admin")
def create_admin(
    email: str,
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
) -> None:
    """Create an admin (or promote an existing account). Sign-up never creates admins."""
    from axolotly.accounts.schemas import SignUp
    from axolotly.accounts.service import create_admin as make_admin
    from axolotly.db.engine import session_factory

    try:
        SignUp(email=email, password=password)
    except ValueError as error:
        _fail(f"invalid email or password: {error}")
    with session_factory()() as session, session.begin():
        user = make_admin(session, email, password)
    typer.echo(f"admin {user.email} (id {user.id}) ready")
