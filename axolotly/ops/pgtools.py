"""Running PostgreSQL's client tools (pg_dump, pg_restore, pg_basebackup) loudly.

The password travels in PGPASSWORD, not on the command line (where `ps` would show it). Tools
stream their progress to stderr; we pass it through line by line, and a failure raises
`ToolError` with the tool's last words.
"""

import os
import subprocess
from collections.abc import Callable

from sqlalchemy.engine import make_url

from axolotly.db.cluster import find_pg_binary


class ToolError(RuntimeError):
    pass


def libpq_target(url: str) -> tuple[str, dict[str, str]]:
    """A libpq URI without the password, and the environment that carries it."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = parsed.password
    uri = parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return uri, env


def run_tool(
    command: list[str], env: dict[str, str], *, what: str, progress: Callable[[str], None] | None = None
) -> None:
    process = subprocess.Popen(
        [find_pg_binary(command[0]), *command[1:]],
        env=env,
        text=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    last_lines: list[str] = []
    if process.stderr is None:  # stderr=PIPE above: never, but the type says it may be
        raise RuntimeError("no stderr pipe")
    for line in process.stderr:
        line = line.rstrip()
        last_lines = (last_lines + [line])[-15:]
        if progress:
            progress(line)
    if process.wait() != 0:
        raise ToolError(f"could not {what} ({command[0]} exit {process.returncode}):\n" + "\n".join(last_lines))
