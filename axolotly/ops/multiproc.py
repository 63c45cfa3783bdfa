"""prometheus-client's multiprocess mode: one directory of metric files shared by the workers.

prometheus-client decides when it is first imported whether metric values go to files (the
variable PROMETHEUS_MULTIPROC_DIR is set) or to memory, so `axolotly serve` prepares the
directory and sets the variable before uvicorn starts (and imports) its workers. This module
imports no prometheus-client at import time for the same reason.
"""

import glob
import os
import re
import shutil
import tempfile
from pathlib import Path

ENV = "PROMETHEUS_MULTIPROC_DIR"
_LIVE_FILE = re.compile(r"^gauge_live[a-z]+_(\d+)\.db$")


def enabled() -> bool:
    return bool(os.environ.get(ENV))


def prepare_directory() -> tuple[Path, bool]:
    """The run's metrics directory, emptied, and whether we made it (and remove it at exit).

    An operator's own PROMETHEUS_MULTIPROC_DIR is kept but emptied: files of an earlier run would
    otherwise add its counters to this one's. Else a fresh temp directory per run.
    """
    configured = os.environ.get(ENV)
    if configured:
        directory = Path(configured)
        directory.mkdir(parents=True, exist_ok=True)
        for stale in glob.glob(str(directory / "*.db")):
            os.remove(stale)
        return directory, False
    directory = Path(tempfile.mkdtemp(prefix="axolotly-metrics-"))
    os.environ[ENV] = str(directory)
    return directory, True


def remove_directory(directory: Path) -> None:
    shutil.rmtree(directory, ignore_errors=True)


def register_collector(registry) -> None:
    from prometheus_client import multiprocess

    multiprocess.MultiProcessCollector(registry)


def mark_dead(pid: int) -> None:
    if enabled():
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)


def forget_dead_workers() -> None:
    """Drops the live gauges of workers that are gone (uvicorn restarts a killed worker under a new
    pid; its in-flight and pool figures must not count forever). Counters and histograms stay:
    what a dead worker served was still served."""
    if not enabled():
        return
    live_pids = {int(match.group(1)) for match in map(_LIVE_FILE.match, os.listdir(os.environ[ENV])) if match}
    for pid in live_pids:
        if not _alive(pid):
            mark_dead(pid)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process with that pid: not ours to forget
    return True
