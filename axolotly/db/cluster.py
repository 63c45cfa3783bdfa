"""A project-owned PostgreSQL cluster on 127.0.0.1, started from the server binaries.

`make run` and `make test` use it so nothing depends on a PostgreSQL that happens to listen on
5432. As root the server runs as the `postgres` user (initdb/postgres refuse root); when that
user cannot reach the checkout, the data lives in a per-checkout folder of the temp dir and
`.axolotly/pg/cluster.json` records where.
"""

import glob
import hashlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import psycopg

MAX_CONNECTIONS = 300  # ~10 MB of shared memory more than 100: nothing next to the room it buys

SUPERUSER = "axolotly"
DATABASE = "axolotly"
RUN_AS = "postgres"


class ClusterError(RuntimeError):
    pass


def find_pg_binary(name: str) -> str:
    """Finds a server binary on PATH or in Debian's versioned folder (newest first)."""
    found = shutil.which(name)
    if found:
        return found
    for bin_dir in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key, reverse=True):
        candidate = Path(bin_dir) / name
        if candidate.exists():
            return str(candidate)
    raise ClusterError(
        f"PostgreSQL server binary {name!r} not found. Install Debian's server package: "
        "`sudo apt-get update && sudo apt-get install -y postgresql` (or run `make run` as root)."
    )


def _version_key(path: str) -> int:
    version = Path(path).parent.name
    return int(version) if version.isdigit() else 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_is_free(port: int) -> bool:
    """True unless something listens on the port. Like PostgreSQL's own listener, the probe sets
    SO_REUSEADDR: connections of a server that just died linger in TIME-WAIT on its port for a
    minute, and without it they would make the cluster move to another port on restart (and the
    running app, which knows the old one, would never reach it again)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


@dataclass
class ClusterState:
    home: str
    port: int
    password: str

    @property
    def data_dir(self) -> Path:
        return Path(self.home) / "data"

    @property
    def log_file(self) -> Path:
        return Path(self.home) / "postgres.log"


class LocalCluster:
    """One cluster: `root` is the project folder that records it (e.g. `.axolotly/pg`)."""

    def __init__(self, root: Path, *, throwaway: bool = False, archive_wal: bool = False):
        self.root = root.resolve()
        self.throwaway = throwaway
        # WAL archiving into <home>/wal, for point-in-time recovery (axolotly.ops.physical).
        self.archive_wal = archive_wal
        self.state_file = self.root / "cluster.json"
        self.as_root = os.geteuid() == 0

    # -- public API -------------------------------------------------------------------------

    def start(self) -> str:
        state = self._state() or self._initialise()
        if self.is_running(state):
            return self.url(state)
        self._remove_stale_pid(state)
        if not port_is_free(state.port):
            state.port = free_port()
            self.save(state)
        options = [
            f"-p {state.port}",
            "-c listen_addresses=127.0.0.1",
            "-c unix_socket_directories=''",
            # Two workers at the default pools (ORM 20 + 10, launcher 20, throttles 4, each) may
            # open 108 connections, beyond PostgreSQL's default of 100 ("too many clients" = 503s).
            f"-c max_connections={MAX_CONNECTIONS}",
            # The server's clock names UTC whatever the host's zone (initdb would write the host's
            # TZ): families have zones of their own, and the log's times read the same everywhere.
            "-c timezone=UTC",
            "-c log_timezone=UTC",
        ]
        if self.archive_wal:
            archive = self.wal_archive(state)
            archive.mkdir(exist_ok=True)
            self.give_to_owner(archive)
            options += [
                "-c wal_level=replica",
                "-c archive_mode=on",
                "-c archive_timeout=60",
                f'-c "archive_command=test ! -f {archive}/%f && cp %p {archive}/%f"',
            ]
        if self.throwaway:
            # Safe only for data we throw away: the test cluster.
            options += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
        options += query_timing_options()
        self._run(
            [
                find_pg_binary("pg_ctl"),
                "start",
                "-w",
                "-t",
                "60",
                "-D",
                str(state.data_dir),
                "-l",
                str(state.log_file),
                "-o",
                " ".join(options),
            ],
            what="start PostgreSQL",
            log=state.log_file,
        )
        self._ensure_database(state)
        return self.url(state)

    def stop(self) -> bool:
        state = self._state()
        if state is None or not self.is_running(state):
            return False
        self._run(
            [find_pg_binary("pg_ctl"), "stop", "-w", "-m", "fast", "-D", str(state.data_dir)],
            what="stop PostgreSQL",
        )
        return True

    def status(self) -> dict[str, object]:
        state = self._state()
        if state is None:
            return {"initialised": False, "running": False}
        return {
            "initialised": True,
            "running": self.is_running(state),
            "data_dir": str(state.data_dir),
            "log_file": str(state.log_file),
            "port": state.port,
            "url": self.url(state),
        }

    def destroy(self) -> None:
        state = self._state()
        self.stop()
        if state is not None:
            shutil.rmtree(state.home, ignore_errors=True)
        shutil.rmtree(self.root, ignore_errors=True)

    def wal_archive(self, state: ClusterState | None = None) -> Path:
        state = state or self._state()
        if state is None:
            raise ClusterError("the local cluster is not initialised; run `axolotly pg start`")
        return Path(state.home) / "wal"

    def url(self, state: ClusterState | None = None, database: str = DATABASE) -> str:
        state = state or self._state()
        if state is None:
            raise ClusterError("the local cluster is not initialised; run `axolotly pg start`")
        return f"postgresql+psycopg://{SUPERUSER}:{state.password}@127.0.0.1:{state.port}/{database}"

    def is_running(self, state: ClusterState) -> bool:
        if not (state.data_dir / "PG_VERSION").exists():
            return False
        result = subprocess.run(
            self._as_owner([find_pg_binary("pg_ctl"), "status", "-D", str(state.data_dir)]),
            capture_output=True,
            text=True,
        )
        return result.returncode == 0

    # -- internals --------------------------------------------------------------------------

    def _state(self) -> ClusterState | None:
        if not self.state_file.exists():
            return None
        state = ClusterState(**json.loads(self.state_file.read_text()))
        return state if (state.data_dir / "PG_VERSION").exists() else None

    def save(self, state: ClusterState) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.state_file.write_text(json.dumps(asdict(state), indent=2))
        self.state_file.chmod(0o600)

    def _initialise(self) -> ClusterState:
        home = self.choose_home()
        state = ClusterState(home=str(home), port=free_port(), password=secrets.token_urlsafe(24))
        if state.data_dir.exists():
            shutil.rmtree(state.data_dir)
        pwfile = home / "pwfile"
        pwfile.write_text(state.password + "\n")
        self.give_to_owner(home)
        try:
            self._run(
                [
                    find_pg_binary("initdb"),
                    "-D",
                    str(state.data_dir),
                    "-U",
                    SUPERUSER,
                    "--auth=scram-sha-256",
                    f"--pwfile={pwfile}",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                ],
                what="initialise the cluster (initdb)",
            )
        finally:
            pwfile.unlink(missing_ok=True)
        self.save(state)
        return state

    def choose_home(self) -> Path:
        """`root` itself when the server's user can write there, else a temp-dir twin."""
        self.root.mkdir(parents=True, exist_ok=True)
        home = self.root
        if self.as_root:
            self.give_to_owner(home)
            if not self._owner_can_write(home):
                digest = hashlib.sha256(str(self.root).encode()).hexdigest()[:12]
                home = Path(tempfile.gettempdir()) / f"axolotly-pg-{digest}"
        home.mkdir(parents=True, exist_ok=True)
        home.chmod(0o700)
        return home

    def _owner_can_write(self, path: Path) -> bool:
        return subprocess.run(["runuser", "-u", RUN_AS, "--", "test", "-w", str(path)]).returncode == 0

    def give_to_owner(self, path: Path) -> None:
        if self.as_root:
            shutil.chown(path, RUN_AS, RUN_AS)
            for child in path.rglob("*"):
                shutil.chown(child, RUN_AS, RUN_AS)

    def _as_owner(self, command: list[str]) -> list[str]:
        return ["runuser", "-u", RUN_AS, "--", *command] if self.as_root else command

    def _remove_stale_pid(self, state: ClusterState) -> None:
        # pg_ctl status said "not running", so a leftover pid file is from a crash.
        (state.data_dir / "postmaster.pid").unlink(missing_ok=True)

    def _run(self, command: list[str], *, what: str, log: Path | None = None) -> None:
        result = subprocess.run(self._as_owner(command), capture_output=True, text=True)
        if result.returncode != 0:
            tail = ""
            if log is not None and log.exists():
                tail = "\n".join(log.read_text(errors="replace").splitlines()[-15:])
            raise ClusterError(f"could not {what} (exit {result.returncode}):\n{result.stdout}{result.stderr}{tail}")

    def _ensure_database(self, state: ClusterState) -> None:
        admin_url = self.url(state, database="postgres").replace("postgresql+psycopg", "postgresql")
        with psycopg.connect(admin_url, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{DATABASE}"')


def query_timing_options() -> list[str]:
    """PostgreSQL's own query timing: pg_stat_statements (when the server has the library; a
    preload of a missing library would stop the server from starting) and the server log's slow
    statements from SLOW_QUERY_MS, the same bound as the app's own slow-query log."""
    from axolotly.config import get_settings

    options = [f"-c log_min_duration_statement={int(get_settings().slow_query_ms)}"]
    library_dir = Path(find_pg_binary("postgres")).resolve().parent.parent / "lib"  # Debian: .../15/lib
    if (library_dir / "pg_stat_statements.so").exists():
        options += ["-c shared_preload_libraries=pg_stat_statements", "-c pg_stat_statements.track=top"]
    return options


def project_cluster() -> LocalCluster:
    """The cluster of `make run`, recorded under `.axolotly/pg` of the working directory.

    It archives its WAL (next to its data) so `axolotly db pitr` can bring back any moment.
    """
    return LocalCluster(Path(os.environ.get("AXOLOTLY_HOME", ".axolotly")) / "pg", archive_wal=True)
