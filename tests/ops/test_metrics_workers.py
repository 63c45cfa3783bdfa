"""`axolotly serve --workers 2`: one scrape of /metrics counts the requests of every worker."""

import os
import re
import secrets
import signal
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
from prometheus_client.multiprocess import MultiProcessCollector

from axolotly.db.cluster import free_port
from tests.support.processes import serving, wait_for

COUNTED_ROUTE = "/api/parent/me"  # 401 without a token: no database work, its own label set
COUNT = re.compile(
    r'^axolotly_http_request_duration_seconds_count\{method="GET",route="/api/parent/me",'
    r'status="401"\} (\S+)$',
    re.MULTILINE,
)


@contextmanager
def served(database_url: str, metrics_dir: Path | None, workers: int = 2) -> Iterator[tuple[str, subprocess.Popen]]:
    """The real `axolotly serve` command (not uvicorn directly): it sets up the metrics directory."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "ENV": "test", "JWT_SECRET": secrets.token_urlsafe(48)}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    if metrics_dir is not None:  # else `axolotly serve` makes its own
        env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    command = [sys.executable, "-m", "axolotly", "serve", "--port", str(port), "--workers", str(workers)]
    # SIGINT, as Ctrl-C in a terminal: `axolotly serve` stops its workers and cleans up.
    with serving(command, env, port, start_timeout=60, stop_signal=signal.SIGINT) as process:
        yield f"http://127.0.0.1:{port}", process


def served_by_worker(metrics_dir: Path) -> dict[int, float]:
    """How many counted requests each worker's own metric file holds (its pid is in the name)."""
    counts = {}
    for path in metrics_dir.glob("histogram_*.db"):
        pid = int(path.stem.split("_")[1])
        for metric in MultiProcessCollector.merge([str(path)]):
            for sample in metric.samples:
                if sample.name.endswith("_count") and sample.labels.get("route") == COUNTED_ROUTE:
                    counts[pid] = counts.get(pid, 0) + sample.value
    return counts


def fire(base: str, count: int) -> None:
    """`count` requests, eight at a time, each on a new connection so either worker may accept it."""

    def one(_):
        with httpx.Client() as client:
            assert client.get(f"{base}{COUNTED_ROUTE}").status_code == 401

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(one, range(count)))


def scraped_count(base: str) -> float:
    match = COUNT.search(httpx.get(f"{base}/metrics").text)
    return float(match.group(1)) if match else 0.0


def gauge(base: str, name: str) -> float:
    match = re.search(rf"^{name} (\S+)$", httpx.get(f"{base}/metrics").text, re.MULTILINE)
    assert match, name
    return float(match.group(1))


def test_one_scrape_counts_the_requests_of_both_workers(database_url, tmp_path):
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    (metrics_dir / "counter_999999.db").write_bytes(b"left over from an earlier run")
    with served(database_url, metrics_dir) as (base, server):
        assert not (metrics_dir / "counter_999999.db").exists()  # the directory is cleaned at start
        sent = 0
        while len([n for n in served_by_worker(metrics_dir).values() if n]) < 2:
            assert sent < 2000, f"requests never reached both workers: {served_by_worker(metrics_dir)}"
            fire(base, 100)
            sent += 100
        per_worker = served_by_worker(metrics_dir)
        assert len(per_worker) == 2 and all(per_worker.values()), per_worker
        assert sum(per_worker.values()) == sent

        # Whichever worker answers the scrape, it reports everything: ask several times.
        assert {scraped_count(base) for _ in range(6)} == {float(sent)}
        assert gauge(base, "axolotly_workers") == 2  # live-sum over the workers
        assert gauge(base, "axolotly_http_requests_in_flight") == 1  # the scrape itself
        pool_sizes = re.findall(
            r'^axolotly_db_pool\{figure="size",pool="launcher"\} (\S+)$',
            httpx.get(f"{base}/metrics").text,
            re.MULTILINE,
        )
        assert len(pool_sizes) == 1  # one summed series, not one per worker

        # A worker killed outright: uvicorn starts another; its live gauges stop counting, what
        # it served still counts.
        victim = max(per_worker, key=per_worker.get)
        os.kill(victim, signal.SIGKILL)
        wait_for(lambda: len(list(metrics_dir.glob("gauge_livesum_*.db"))) == 3, timeout=60)  # replacement up
        wait_for(lambda: gauge(base, "axolotly_workers") == 2, timeout=30)
        assert not list(metrics_dir.glob(f"gauge_live*_{victim}.db"))
        assert scraped_count(base) == sent
    assert server.returncode is not None


def test_one_worker_keeps_its_metrics_in_memory(database_url):
    """`--workers 1` (make run) runs the app in the serving process itself: no directory needed."""
    with served(database_url, None, workers=1) as (base, _):
        fire(base, 20)
        assert scraped_count(base) == 20
        assert gauge(base, "axolotly_workers") == 1
