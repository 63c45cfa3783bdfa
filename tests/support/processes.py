"""Running the real CLI and waiting for things other processes do."""

import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager


def run_axolotly(*args: str, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """`python -m axolotly ARGS` with the test environment plus `env`."""
    return subprocess.run(
        [sys.executable, "-m", "axolotly", *args],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def wait_for(predicate, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


@contextmanager
def serving(
    command: list[str], env: dict, port: int, start_timeout: float = 30, stop_signal: int = signal.SIGTERM
) -> Iterator[subprocess.Popen]:
    """Runs a server `command` listening on 127.0.0.1:`port`, yields once /healthz answers 200,
    and stops it afterwards with `stop_signal` (killed if it lingers)."""
    import httpx

    process = subprocess.Popen(command, env=env)
    base = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        assert process.poll() is None, "server exited"
        try:
            return httpx.get(f"{base}/healthz").status_code == 200
        except httpx.TransportError:
            return False

    try:
        wait_for(healthy, timeout=start_timeout)
        yield process
    finally:
        process.send_signal(stop_signal)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def live_server(database_url: str, workers: int = 1, env: dict | None = None) -> Iterator[str]:
    """A real uvicorn serving the app on `database_url` over a socket; yields its base URL.

    What depends on the request's lifecycle (commit before the response, throttles under
    concurrent bursts) is only visible here, never through the in-process TestClient.
    """
    from axolotly.db.cluster import free_port

    port = free_port()
    server_env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "ENV": "test",
        "BCRYPT_ROUNDS": "4",
        "JWT_SECRET": secrets.token_urlsafe(48),
        **(env or {}),
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "axolotly.main:create_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
    ]
    with serving(command, server_env, port):
        yield f"http://127.0.0.1:{port}"
