"""Running the real CLI and waiting for things other processes do."""

import os
import subprocess
import sys
import time


def run_axolotly(*args: str, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """`python -m axolotly ARGS` with the test environment plus `env`."""
    return subprocess.run([sys.executable, "-m", "axolotly", *args], env={**os.environ, **(env or {})},
                          capture_output=True, text=True, timeout=timeout)


def wait_for(predicate, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)
