"""CPU time and memory of process trees, read from /proc (Linux): a server (its master and its
workers), the PostgreSQL cluster (the postmaster and its backends), the load generators.

A process's CPU is its user + system time; the tree's is the sum over its live processes, each
with the time of its children that have exited and been waited for (cutime/cstime), so backends
that came and went during a run still count (the postmaster reaps them) and none counts twice.
"""

import os
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def _stat(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rindex(")") + 2 :].split()  # the name may hold spaces and parentheses


def _parents() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit() and (fields := _stat(int(entry.name))) is not None:
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    return children


def tree(pid: int) -> list[int]:
    """`pid` and its live descendants."""
    children = _parents()
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        queue.extend(children.get(current, ()))
    return found


def cpu_seconds(pid: int) -> float:
    """CPU time of the process tree under `pid` so far (user + system, reaped children included)."""
    total = 0
    for member in tree(pid):
        fields = _stat(member)
        if fields is not None:  # utime, stime, cutime, cstime: fields 14-17 of stat, 12-15 here
            total += sum(int(value) for value in fields[11:15])
    return total / TICKS


def rss_bytes(pid: int) -> int:
    """Resident memory of the process tree under `pid` (shared pages counted in each process)."""
    total = 0
    for member in tree(pid):
        try:
            resident = int(Path(f"/proc/{member}/statm").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue
        total += resident * PAGE
    return total


def open_files(pid: int) -> int:
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return 0


def postmaster_pid() -> int:
    """The embedded cluster's postmaster (what `axolotly pg status` names)."""
    from axolotly.db.cluster import project_cluster

    data_dir = Path(project_cluster().status()["data_dir"])
    return int((data_dir / "postmaster.pid").read_text().split()[0])


class CpuMeter:
    """CPU of named process trees between `start()` and `stop()`: {name: seconds}."""

    def __init__(self, **pids: int):
        self.pids = pids
        self.started: dict[str, float] = {}

    def start(self) -> "CpuMeter":
        self.started = {name: cpu_seconds(pid) for name, pid in self.pids.items()}
        return self

    def stop(self) -> dict[str, float]:
        return {name: cpu_seconds(pid) - self.started[name] for name, pid in self.pids.items()}


def children(pid: int) -> list[int]:
    """The live processes whose parent is `pid` (a server's workers)."""
    return _parents().get(pid, [])
