"""`make bench-live`: launchers holding long polls, and a parent's change reaching them (issue 26 §5).

For each N of LIVE_N (default "1000,10000"; e.g. LIVE_N=50000,100000 to try more), against a fresh
server (`axolotly serve --workers WORKERS`, production settings) on the fleet of bench/day.py's
generator (`axolotly_live`, one paired launcher per kid; REUSE=1 keeps it between runs):
1. N launchers (the first N kids' devices) fetch their launcher, then hold `GET /api/apps` with
   `If-None-Match: <etag>` and `Prefer: wait=LIVE_WAIT` (60): the server answers 200 with the new
   body when the kid's launcher version moves, 304 after the wait (and the launcher asks again).
   They run in several processes (bench/live_client.py, asyncio protocols, up to 15,000 sockets
   each, each from a source address of its own so that no one address runs out of ports), opening
   up to LIVE_RAMP connections a second (2,000) with at most LIVE_RAMP_WINDOW (50) launchers
   waiting for their first answer (a faster ramp overflows the server's listen queue: SYN cookies,
   then resets).
2. Idle: LIVE_IDLE_SECONDS (LIVE_WAIT) with nothing changing: in any window of one wait after
   the ramp, each held poll comes back once with a 304 and holds again (the steady state).
3. Changing: LIVE_CHANGE_SECONDS (60), a parent changing a random held kid's launcher every second
   through the parent API (PUT /api/parent/kids/{kid}/policies/{title}, allow <-> deny; the bearer
   token is minted for the family with the server's key: a log-in per change would add bcrypt to
   the figures), timed from the moment the parent's request is sent to the new body's arrival on
   that kid's device (both processes read the one CLOCK_MONOTONIC of the machine).

Prints per N: launchers held (the server's own `axolotly_held_polls`), ramp time, server memory
per held request (the server's RSS growth over the ramp / N: connection, parser, held request, and
each worker's cache of rendered launchers, at most 512), CPU while idle and while changing (server,
PostgreSQL, the load generators: shares of one core), change -> new body (p50, p99, max), errors by
kind, and open files per worker (each held launcher is a socket: a file descriptor of a worker,
bounded by the open-files limit, raised here to its hard limit).
"""

import asyncio
import json
import math
import os
import random
import re
import resource
import secrets
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg

import day
from axolotly.config import get_settings
from axolotly.db.cluster import free_port
from proc import CpuMeter, children, cpu_seconds, open_files, postmaster_pid, rss_bytes

HERE = Path(__file__).resolve().parent
DATABASE = "axolotly_live"
SIZES = [int(float(n)) for n in (os.environ.get("LIVE_N") or "1000,10000").replace(",", " ").split()]
WAIT_SECONDS = int(os.environ.get("LIVE_WAIT") or 60)
# One whole wait by default: every launcher's held poll comes back (304) and holds again once in
# any such window after the ramp, so the window sees the fleet's steady state.
IDLE_SECONDS = float(os.environ.get("LIVE_IDLE_SECONDS") or WAIT_SECONDS)
CHANGE_SECONDS = float(os.environ.get("LIVE_CHANGE_SECONDS") or 60)
RAMP = float(os.environ.get("LIVE_RAMP") or 2000)
# Launchers waiting for their first answer at once, at most, over all load generators.
# 50: below what one worker lets in at once (MAX_REQUESTS_IN_FLIGHT, 64), however the kernel spreads
# the connections over the workers, so the ramp itself is not shed.
RAMP_WINDOW = int(os.environ.get("LIVE_RAMP_WINDOW") or 50)
WORKERS = int(os.environ.get("WORKERS") or 2)
PER_PROCESS = 15_000  # sockets per load generator (each from its own source address)
KIDS_PER_FAMILY = 1.5  # the generator's: every family one kid, even-numbered ones a second
SETTLE_SECONDS = 3.0  # after the last launcher's first answer, for its held request to reach the server
GRACE_SECONDS = 5.0  # after the last change, for its new body to arrive
HELD = re.compile(r"^axolotly_held_polls(?:\{[^}]*\})? (\S+)$", re.MULTILINE)


def raise_open_files_limit() -> int:
    """The soft limit up to the hard one (inherited by the server and the load generators)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def prepare_fleet(families: int) -> tuple[str, dict]:
    url, fleet_secrets = day.fleet_database(DATABASE, families)
    if fleet_secrets is None:
        fleet_secrets = {name: secrets.token_urlsafe(32) for name in ("device_key_secret", "key_seed", "password")}
    os.environ["DEVICE_KEY_SECRET"] = fleet_secrets["device_key_secret"]  # the generator's and the server's
    get_settings.cache_clear()
    if "generated" in fleet_secrets:
        print(f"Reusing the {families:,} families of {DATABASE} (REUSE=1)", flush=True)
    else:
        print(f"Generating {families:,} families in {DATABASE} ...", flush=True)
        day.generate(url, day.load_catalog(url), fleet_secrets["password"], fleet_secrets["key_seed"], families)
        day.remember(url, {**fleet_secrets, "generated": True}, families)
    return url, fleet_secrets


@dataclass
class Kid:
    family_id: int
    role: str
    epoch: int
    title_id: int
    policy: str


def kids_of_the_fleet(url: str, count: int) -> dict[int, Kid]:
    """The first `count` kids, each with one policy of theirs to flip."""
    with psycopg.connect(day.conninfo(url)) as conn:
        rows = conn.execute(
            """
            SELECT DISTINCT ON (k.id) k.id, k.family_id, u.role, u.token_epoch, p.title_id, p.policy
            FROM (SELECT id, family_id FROM kid_profiles ORDER BY id LIMIT %s) k
            JOIN users u ON u.id = k.family_id
            JOIN kid_profiles_titles p ON p.kid_profile_id = k.id
            ORDER BY k.id, p.title_id""",
            (count,),
        ).fetchall()
    return {row[0]: Kid(*row[1:]) for row in rows}


@dataclass
class Run:
    """What one size's load generators and parent saw."""

    size: int
    holding: int = 0
    ramp_seconds: float = 0.0
    seen: dict[int, list[float]] = field(default_factory=dict)
    statuses: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)
    refusals: Counter = field(default_factory=Counter)
    outstanding: int = 0
    idle_closes: int = 0
    changes: list[tuple[int, float, float]] = field(default_factory=list)  # kid, sent, stored
    figures: dict = field(default_factory=dict)


async def read_generator(stream: asyncio.StreamReader, run: Run, ready: asyncio.Event) -> None:
    while line := (await stream.readline()).decode():
        kind, _, rest = line.strip().partition(" ")
        if kind == "seen":
            kid, at = rest.split()
            run.seen.setdefault(int(kid), []).append(float(at))
        elif kind == "holding":
            count, seconds = rest.split()
            run.holding += int(count)
            run.ramp_seconds = max(run.ramp_seconds, float(seconds))
            ready.set()
        elif kind == "done":
            result = json.loads(rest)
            run.statuses.update({int(status): count for status, count in result["statuses"].items()})
            run.errors.update(result["errors"])
            run.refusals.update(result["refusals"])
            run.outstanding += result["outstanding"]
            run.idle_closes += result["idle_closes"]


def ramp_timeout(launchers: int) -> float:
    return launchers / 50 + 60  # first answers come at 50/s or more even on a busy box


async def start_generators(port: int, key_seed: str, kids: list[int], run: Run) -> list:
    processes = max(2, math.ceil(len(kids) / PER_PROCESS))
    started = []
    for number in range(processes):
        share = kids[number::processes]
        plan = {
            "port": port,
            "source_address": f"127.0.0.{11 + number}",
            "key_seed": key_seed,
            "wait_seconds": WAIT_SECONDS,
            "kids": share,
            "connections_per_second": RAMP / processes,
            "ramp_window": max(1, RAMP_WINDOW // processes),
            "ramp_timeout_seconds": ramp_timeout(len(share)),
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable, str(HERE / "live_client.py"), stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE
        )
        process.stdin.write(json.dumps(plan).encode())
        await process.stdin.drain()
        process.stdin.close()
        ready = asyncio.Event()
        reader = asyncio.create_task(read_generator(process.stdout, run, ready))
        started.append((process, reader, ready))
    return started


async def change_every_second(base: str, kids: dict[int, Kid], held: list[int], run: Run) -> None:
    from axolotly.security.tokens import access_token

    rng = random.Random(len(held))
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        due = time.monotonic()
        end = due + CHANGE_SECONDS
        while due < end:
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            due = max(due, time.monotonic() - 1) + 1  # a slow answer delays the next change, never bunches them
            kid_id = rng.choice(held)
            kid = kids[kid_id]
            flipped = "deny" if kid.policy == "allow" else "allow"
            token, _ = access_token(kid.family_id, kid.role, kid.epoch)
            sent = time.monotonic()
            try:
                response = await client.put(
                    f"/api/parent/kids/{kid_id}/policies/{kid.title_id}",
                    json={"policy": flipped},
                    headers={"Authorization": f"Bearer {token}"},
                )
            except httpx.HTTPError as error:  # e.g. no answer in 30 s: an overloaded server
                run.errors[f"the parent's change: {type(error).__name__}"] += 1
                continue
            stored = time.monotonic()
            if response.status_code != 200:
                run.errors[f"the parent's change: status {response.status_code}"] += 1
                continue
            kid.policy = flipped
            run.changes.append((kid_id, sent, stored))


def held_on_the_server(base: str) -> float | None:
    try:
        match = HELD.search(httpx.get(f"{base}/metrics", timeout=10).text)
    except httpx.HTTPError:
        return None
    return float(match.group(1)) if match else None


def shares(spent: dict[str, float], seconds: float) -> dict[str, float]:
    return {name: used / seconds for name, used in spent.items()}


async def measure(size: int, url: str, fleet_secrets: dict, kids: dict[int, Kid], workdir: Path) -> Run:
    run = Run(size)
    held = list(kids)[:size]
    jwt_secret = secrets.token_urlsafe(48)
    os.environ["JWT_SECRET"] = jwt_secret  # tokens minted here are the server's
    get_settings.cache_clear()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    os.environ["MAX_HELD_POLLS"] = str(size)  # per worker: never the limit of this benchmark
    with open(workdir / f"server-{size}.log", "w") as log:
        server = day.start_server(
            url, port, fleet_secrets["device_key_secret"], log, jwt_secret=jwt_secret, workers=WORKERS
        )
        generators: list = []
        try:
            postgres = postmaster_pid()
            memory_before = rss_bytes(server.pid)
            generators = await start_generators(port, fleet_secrets["key_seed"], held, run)
            # Each reports when its launchers hold (or its ramp timed out); one that died does not.
            await asyncio.wait(
                [asyncio.create_task(ready.wait()) for _, _, ready in generators],
                timeout=ramp_timeout(size) + 30,
            )
            await asyncio.sleep(SETTLE_SECONDS)
            run.figures["held_on_server"] = held_on_the_server(base)
            run.figures["memory_per_held"] = (rss_bytes(server.pid) - memory_before) / max(1, run.holding)
            run.figures["open_files"] = sorted((open_files(pid) for pid in children(server.pid)), reverse=True)[
                :WORKERS
            ]

            def load_generators() -> float:
                return sum(cpu_seconds(process.pid) for process, _, _ in generators)

            meter = CpuMeter(server=server.pid, postgres=postgres)
            print(f"  {run.holding:,} launchers holding; idle for {IDLE_SECONDS:g} s ...", flush=True)
            meter.start()
            clients_before, started = load_generators(), time.monotonic()
            await asyncio.sleep(IDLE_SECONDS)
            spent = meter.stop() | {"load generators": load_generators() - clients_before}
            run.figures["cpu_idle"] = shares(spent, time.monotonic() - started)

            print(f"  a parent changes a random kid's launcher every second for {CHANGE_SECONDS:g} s ...", flush=True)
            meter.start()
            clients_before, started = load_generators(), time.monotonic()
            await change_every_second(base, kids, held, run)
            spent = meter.stop() | {"load generators": load_generators() - clients_before}
            run.figures["cpu_changing"] = shares(spent, time.monotonic() - started)
            await asyncio.sleep(GRACE_SECONDS)
        finally:
            await stop_generators(generators)
            day.stop_server(server)
    log_text = (workdir / f"server-{size}.log").read_text()
    run.figures["server_errors"] = server_errors(log_text)
    return run


def server_errors(log_text: str) -> list[str]:
    """Each error the server logged, with its traceback's last line (what was raised)."""
    found = []
    for block in re.split(r"^(?=ERROR|WARNING|INFO)", log_text, flags=re.MULTILINE):
        if block.startswith("ERROR"):
            first, *rest = block.splitlines()
            raised = [line for line in rest if line.strip() and not line.startswith((" ", "Traceback"))]
            found.append(f"{first.strip()} {raised[-1].strip() if raised else ''}".strip())
    return found


async def stop_generators(generators: list) -> None:
    """SIGTERM: each reports what it saw and ends; killed if it has not within 30 s."""
    for process, _, _ in generators:
        if process.returncode is None:
            process.terminate()
    for process, reader, _ in generators:
        try:
            await asyncio.wait_for(reader, 30)
            await asyncio.wait_for(process.wait(), 30)
        except TimeoutError:
            process.kill()
            await process.wait()


def latencies(run: Run) -> tuple[list[float], list[float], int, int]:
    """Seconds from each change's request to its new body on the device, and from the parent's 2xx
    (negative: the device had it first; the commit notifies before the answer leaves); changes never
    seen, and changes superseded (the same kid changed again before its device had the first)."""
    found, after_answer, unseen, superseded = [], [], 0, 0
    for number, (kid, sent, stored) in enumerate(run.changes):
        later = [other_sent for other, other_sent, _ in run.changes[number + 1 :] if other == kid]
        arrival = next((at for at in sorted(run.seen.get(kid, [])) if at >= sent), None)
        if later and (arrival is None or arrival >= later[0]):
            superseded += 1
        elif arrival is None:
            unseen += 1
        else:
            found.append(arrival - sent)
            after_answer.append(arrival - stored)
    return sorted(found), sorted(after_answer), unseen, superseded


def percentile(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] if ordered else float("nan")


def report(run: Run, open_files_limit: int) -> dict:
    found, after_answer, unseen, superseded = latencies(run)
    stores = sorted(stored - sent for _, sent, stored in run.changes)
    unavailable = run.statuses.get(503, 0)  # shed, or no database connection in time: asked again later
    errors = sum(run.errors.values()) + sum(
        count for status, count in run.statuses.items() if status not in (200, 304, 503)
    )
    figures = run.figures
    held = figures["held_on_server"]
    print(f"\n{run.size:,} launchers holding long polls (Prefer: wait={WAIT_SECONDS}), {WORKERS} server workers:")
    print(
        f"  holding: {run.holding:,} after a ramp of {run.ramp_seconds:.1f} s; the server counts "
        f"{'n/a (no answer from /metrics)' if held is None else f'{held:,.0f}'} held"
    )
    print(
        f"  server memory per held request: {figures['memory_per_held'] / 1024:.1f} KiB; open files per worker: "
        f"{', '.join(f'{count:,}' for count in figures['open_files'])} (limit {open_files_limit:,} per process)"
    )
    for label, key in (("idle", "cpu_idle"), ("changing", "cpu_changing")):
        print(
            f"  CPU {label:9} (shares of one core): "
            + ", ".join(f"{name} {share:.1%}" for name, share in figures[key].items())
        )
    print(
        f"  change -> new body on the device: {len(found)} of {len(run.changes)} changes, p50 "
        f"{percentile(found, 0.5) * 1000:.0f} ms, p99 {percentile(found, 0.99) * 1000:.0f} ms, max "
        f"{max(found, default=float('nan')) * 1000:.0f} ms, from the moment the parent's request was sent; "
        f"never seen: {unseen}, superseded: {superseded}"
    )
    print(
        f"    of which the parent's PUT (until its 2xx): p50 {percentile(stores, 0.5) * 1000:.0f} ms, max "
        f"{max(stores, default=float('nan')) * 1000:.0f} ms; after the 2xx: p50 {percentile(after_answer, 0.5) * 1000:.0f} ms, "
        f"max {max(after_answer, default=float('nan')) * 1000:.0f} ms"
    )
    print(
        "  answers: "
        + ", ".join(f"{count:,} x {status}" for status, count in sorted(run.statuses.items()))
        + f"; 503s (asked again after Retry-After): {unavailable:,}; idle connections closed by the server's "
        f"keep-alive (reopened): {run.idle_closes:,}; errors: {errors}"
        + "".join(f"\n    {count:,} x {kind}" for kind, count in (run.refusals + run.errors).most_common())
    )
    for error, count in Counter(figures["server_errors"]).most_common(3):
        print(f"  the server logged {count} x {error[:300]}")
    return {
        "size": run.size,
        "holding": run.holding,
        "p50": percentile(found, 0.5),
        "p99": percentile(found, 0.99),
        "max": max(found, default=float("nan")),
        "unseen": unseen,
        "memory": figures["memory_per_held"],
        "idle": figures["cpu_idle"]["server"] + figures["cpu_idle"]["postgres"],
        "changing": figures["cpu_changing"]["server"] + figures["cpu_changing"]["postgres"],
        "errors": errors,
        "unavailable": unavailable,
    }


def summary(rows: list[dict]) -> None:
    print("\nHeld launchers (server + PostgreSQL CPU in shares of one core):")
    print(
        f"  {'launchers':>10} {'holding':>9} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} {'unseen':>7} "
        f"{'KiB/held':>9} {'CPU idle':>9} {'CPU changing':>13} {'503s':>6} {'errors':>7}"
    )
    for row in rows:
        print(
            f"  {row['size']:>10,} {row['holding']:>9,} {row['p50'] * 1000:>7.0f} {row['p99'] * 1000:>7.0f} "
            f"{row['max'] * 1000:>7.0f} {row['unseen']:>7} {row['memory'] / 1024:>9.1f} {row['idle']:>9.1%} "
            f"{row['changing']:>13.1%} {row['unavailable']:>6,} {row['errors']:>7}"
        )
    good = [
        row["size"]
        for row in rows
        if row["p99"] < 1 and row["unseen"] == 0 and row["errors"] == 0 and row["holding"] == row["size"]
    ]
    print(
        "  largest N with every launcher held, change -> device p99 under 1 s, nothing missed, no errors: "
        + (f"{max(good):,}" if good else "none of these")
        + " (on this machine, at this moment)"
    )


def main() -> None:
    limit = raise_open_files_limit()
    largest = max(SIZES)
    families = math.ceil(largest / KIDS_PER_FAMILY) + 10
    url, fleet_secrets = prepare_fleet(families)
    kids = kids_of_the_fleet(url, largest)
    if len(kids) < largest:
        raise SystemExit(f"the fleet has {len(kids):,} kids with policies, fewer than {largest:,}")
    print(
        f"Open files: up to {limit:,} per process (server workers and load generators); "
        f"{os.cpu_count()} cores shared by the server, PostgreSQL and the load generators",
        flush=True,
    )
    rows = []
    with tempfile.TemporaryDirectory(prefix="axolotly-live-") as workdir:
        for size in SIZES:
            print(f"\nHolding {size:,} launchers ...", flush=True)
            run = asyncio.run(measure(size, url, fleet_secrets, kids, Path(workdir)))
            rows.append(report(run, limit))
    summary(rows)


if __name__ == "__main__":
    main()
