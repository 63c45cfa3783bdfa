"""`make bench`: /api/apps for a kid with 200 allowed shows x 10 episodes on 3 services, and for
a `rules`-mode kid of the same family whose launcher comes from the family library: 2,000 titles
added by hand, and the first kid's 200 shows (a sibling's policy puts its title in the library);
and for a German `rules`-mode kid (a second family, country DE) over its own 2,000-title library
certified in several countries, with caps on the German scales (issue 25's target: >= 1,000 req/s,
p99 < 50 ms).

Starts the real server (uvicorn, several workers, production settings) on the embedded cluster's
`axolotly_bench` database and drives it with wrk (16 keep-alive connections, a fixed time each):
the 200 path, the 304 path (If-None-Match), a heartbeat (POST /api/device/heartbeat) and /healthz,
for each kid. Prints requests/s, p50/p99 and the CPU each request cost (the server's workers and
PostgreSQL's backends, user + system from /proc over the run, divided by its requests: issue 26 asks
the 304 path for at most half of /healthz's), SQL statements per call, the response size, and the
time PostgreSQL takes to build each kid's launcher (the uncached render: the server caches a body
per launcher version), and for the German kid its EXPLAIN ANALYZE planning and execution times.
"""

import asyncio
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from axolotly.config import get_settings
from axolotly.db.cluster import free_port
from axolotly.db.migrate import fresh_project_database
from proc import CpuMeter, postmaster_pid

CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", 16))
SECONDS = float(os.environ.get("BENCH_SECONDS", 10))
WORKERS = int(os.environ.get("BENCH_WORKERS", 2))
# Open-loop rate for the latency figure: twice the 300 req/s target, leaving the machine headroom.
PACED_RATE = int(os.environ.get("BENCH_PACED_RATE", 600))
SHOWS, EPISODES, SERVICES = 200, 10, ["netflix", "disney_plus", "hulu"]
# The rules kid: a library of LIBRARY titles (movies and shows, every certification and unrated,
# some tagged with a tag the kid blocks), LIBRARY_EPISODES per show, a few tagged too.
LIBRARY, LIBRARY_EPISODES = 2000, 5
CERTIFICATIONS = ("G", "PG", "PG-13", "R", "NC-17", "TV-Y", "TV-Y7", "TV-G", "TV-PG", "TV-14", "TV-MA", None)
RULES = {
    "rules_mode": "rules",
    "max_movie_rating": "PG",
    "max_tv_rating": "TV-Y7",
    "block_unrated": True,
    "blocked_tags": ["scary_scenes"],
}
# The German kid: caps on the German scales (FSK; FSF for TV), otherwise the rules kid's rules.
GERMAN_SERVICES = ["netflix", "disney_plus", "ard_mediathek"]
GERMAN_RULES = {**RULES, "max_movie_rating": "12", "max_tv_rating": "12"}
# A title's rating at five levels (all ages, 6, 12, 16, 18) on each country's scale of its kind.
LEVELS = {
    "DE": {"movie": ("0", "6", "12", "16", "18"), "tv": ("0", "6", "12", "16", "18")},
    "US": {"movie": ("G", "PG", "PG-13", "R", "NC-17"), "tv": ("TV-Y", "TV-Y7", "TV-14", "TV-MA", "TV-MA")},
    "GB": {"movie": ("U", "PG", "12A", "15", "18"), "tv": ("U", "PG", "12", "15", "18")},
    "FR": {"movie": ("TP", "TP", "12", "16", "18"), "tv": ("10", "10", "12", "16", "18")},
}
# Where a title is certified, out of ten: 7 in DE and US (2 of them in GB too), 1 only in GB and 1
# only in FR (the strictest-elsewhere fallback decides), 1 nowhere (unrated).
CERTIFIED_IN: tuple[tuple[str, ...], ...] = (*[("DE", "US")] * 5, *[("DE", "US", "GB")] * 2, ("GB",), ("FR",), ())


def generate_family(url: str) -> tuple[dict, dict, dict]:
    """Device headers of the allow-list kid, of the rules kid (one family) and of the German kid."""
    from axolotly.devices.codes import register_device
    from axolotly.models import Episode, KidProfile, KidProfileTitle, StreamingServiceSelection, Title, User
    from axolotly.security.passwords import hash_pin

    engine = create_engine(url)
    with Session(engine) as db, db.begin():
        family = User(email="bench@example.com", password_hash="x", family_name="Bench")
        db.add(family)
        db.flush()
        db.add(StreamingServiceSelection(family_id=family.id, selected_services=SERVICES))
        kid = KidProfile(family_id=family.id, name="Kid", pin_hash=hash_pin("1234"), rules_mode="allow_list")
        titles = [
            Title(
                tmdb_id=1_000_000 + n,
                title=f"Show {n:03d}",
                media_type="tv",
                certification="TV-Y",
                poster_path=f"/poster{n}.jpg",
                backdrop_path=f"/backdrop{n}.jpg",
                providers=[SERVICES[n % 3]],
            )
            for n in range(SHOWS)
        ]
        db.add_all([kid, *titles])
        db.flush()
        db.add_all(
            [
                Episode(
                    tmdb_episode_id=50_000_000 + t.id * 100 + e,
                    title_id=t.id,
                    season_number=1 + e // 5,
                    episode_number=1 + e % 5,
                    name=f"Episode {e}",
                )
                for t in titles
                for e in range(EPISODES)
            ]
        )
        db.add_all([KidProfileTitle(kid_profile_id=kid.id, title_id=t.id, policy="allow") for t in titles])
        device, api_key = register_device(db, family.id)
        headers = {"X-Device-ID": device.device_id, "X-API-Key": api_key}
        rules_headers = generate_library(db, family.id, RULES, [library_title(n) for n in range(LIBRARY)])
        german_headers = generate_german_family(db)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("ANALYZE")  # the statistics autovacuum gathers soon after a bulk load
    engine.dispose()
    return headers, rules_headers, german_headers


def library_title(n: int) -> Any:
    from axolotly.models import Title

    return Title(
        tmdb_id=2_000_000 + n,
        title=f"Library {n:04d}",
        media_type="tv" if n % 2 else "movie",
        certification=CERTIFICATIONS[n % len(CERTIFICATIONS)],
        tags=["scary_scenes"] if n % 7 == 0 else ["comedy"],
        poster_path=f"/lib{n}.jpg",
        backdrop_path=f"/libback{n}.jpg",
        providers=[SERVICES[n % 3]],
    )


def german_library_title(n: int) -> Any:
    """Kind, countries and level vary independently (n, n // 2, n // 20)."""
    from axolotly.models import Title

    kind = "tv" if n % 2 else "movie"
    certifications = {country: LEVELS[country][kind][n // 20 % 5] for country in CERTIFIED_IN[n // 2 % 10]}
    return Title(
        tmdb_id=3_000_000 + n,
        title=f"Bibliothek {n:04d}",
        media_type=kind,
        certification=certifications.get("US"),  # the spec's column holds the US rating
        certifications=certifications,
        tags=["scary_scenes"] if n % 7 == 0 else ["comedy"],
        poster_path=f"/bib{n}.jpg",
        backdrop_path=f"/bibback{n}.jpg",
        providers=[SERVICES[n % 3]],
        providers_by_country={"DE": [GERMAN_SERVICES[n % 3]], "US": [SERVICES[n % 3]]},
    )


def generate_german_family(db: Session) -> dict:
    from axolotly.models import StreamingServiceSelection, User

    family = User(email="bench-de@example.com", password_hash="x", family_name="Bench DE", country="DE")
    db.add(family)
    db.flush()
    db.add(StreamingServiceSelection(family_id=family.id, selected_services=GERMAN_SERVICES))
    return generate_library(db, family.id, GERMAN_RULES, [german_library_title(n) for n in range(LIBRARY)])


def generate_library(db: Session, family_id: int, rules: dict, library: list) -> dict:
    """A `rules`-mode kid of the family with `library` added by hand, and its device's headers."""
    from axolotly.devices.codes import register_device
    from axolotly.models import Episode, FamilyTitle, KidProfile
    from axolotly.security.passwords import hash_pin

    kid = KidProfile(family_id=family_id, name="Rules", pin_hash=hash_pin("1234"), **rules)
    db.add_all([kid, *library])
    db.flush()
    db.add_all([FamilyTitle(family_id=family_id, title_id=t.id) for t in library])
    db.add_all(
        [
            Episode(
                tmdb_episode_id=60_000_000 + t.id * 10 + e,
                title_id=t.id,
                season_number=1,
                episode_number=e + 1,
                name=f"Episode {e}",
                tags=["scary_scenes"] if e == LIBRARY_EPISODES - 1 else [],
            )
            for t in library
            if t.media_type == "tv"
            for e in range(LIBRARY_EPISODES)
        ]
    )
    device, api_key = register_device(db, family_id)
    device.kid_profile_id = kid.id
    db.flush()
    return {"X-Device-ID": device.device_id, "X-API-Key": api_key}


def kid_launcher_params(conn: Any, headers: dict) -> dict:
    """launcher_params of the kid whose device sends `headers`."""
    from axolotly.launcher.query import launcher_params

    family_id, kid_id = conn.execute(
        "SELECT family_id, kid_profile_id FROM devices WHERE device_id = %s", (headers["X-Device-ID"],)
    ).fetchone()
    return launcher_params(family_id, kid_id)


def render_times(url: str, headers: dict, runs: int = 30) -> tuple[float, float]:
    """p50 and max of PostgreSQL building the kid's launcher (LAUNCHER_SQL), in ms."""
    import psycopg

    from axolotly.db.engine import libpq_conninfo
    from axolotly.launcher.query import LAUNCHER_SQL

    with psycopg.connect(libpq_conninfo(url)) as conn:
        params = kid_launcher_params(conn, headers)
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            conn.execute(LAUNCHER_SQL, params).fetchone()
            times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return times[len(times) // 2], times[-1]


def explain_times(url: str, headers: dict) -> tuple[float, float]:
    """Planning and execution time (ms) of one EXPLAIN ANALYZE of the kid's launcher statement, run
    after render_times (warm caches: the cost of a parent's change, not of a cold start); TIMING OFF,
    as per-node clocks would inflate the total of a statement that touches thousands of rows."""
    import psycopg

    from axolotly.db.engine import libpq_conninfo
    from axolotly.launcher.query import LAUNCHER_SQL

    with psycopg.connect(libpq_conninfo(url)) as conn:
        params = kid_launcher_params(conn, headers)
        [plan] = conn.execute("EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) " + LAUNCHER_SQL, params).fetchone()[0]
    return plan["Planning Time"], plan["Execution Time"]


def statements_per_call(headers: dict) -> tuple[int, int, int, int]:
    """Statements of an uncached 200 call and of a 304 call, on the app's real async pool."""
    from fastapi.testclient import TestClient

    from axolotly.launcher.reads import CountingReads
    from axolotly.launcher.service import rendered_launchers
    from axolotly.main import create_app

    rendered_launchers.max_entries = 0
    with TestClient(create_app()) as client:
        reads = client.app.state.launcher_reads = CountingReads(client.app.state.launcher_reads)
        first = client.get("/api/apps", headers=headers)  # may touch last_active
        reads.statements.clear()
        response = client.get("/api/apps", headers=headers)
        uncached = len(reads.statements)
        reads.statements.clear()
        client.get("/api/apps", headers={**headers, "If-None-Match": first.headers["ETag"]})
        not_modified = len(reads.statements)
    return uncached, not_modified, len(response.content), int(response.headers["Content-Length"])


def start_server(url: str, port: int) -> subprocess.Popen:
    # Production's other refusals (README "Security"), as a bench on this host has them: API only
    # (no cookies, no mail), /metrics on localhost.
    env = dict(
        os.environ,
        DATABASE_URL=url,
        ENV="production",
        JWT_SECRET=secrets.token_urlsafe(48),
        DB_POOL_SIZE="10",
        DB_MAX_OVERFLOW="5",
        COOKIE_SECURE="true",
        MAIL_URL="smtp://127.0.0.1:25",
        METRICS_PUBLIC="true",
    )
    server = subprocess.Popen(
        [
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
            str(WORKERS),
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        env=env,
    )
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("server did not start")


POST_SCRIPT = 'wrk.method = "POST"\n'


def load(port: int, path: str, headers: dict, seconds: float = SECONDS, method: str = "GET") -> dict:
    """Closed loop, as fast as the server answers: wrk (C, one thread) so the client takes as little
    of the 2 cores as it can. Saturated, the server, PostgreSQL and wrk share 2 cores: the p99 of
    these runs is a queueing figure; the paced run below gives latency at a given rate."""
    command = ["wrk", "--latency", "-t1", f"-c{CONNECTIONS}", f"-d{seconds:.0f}s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    with tempfile.TemporaryDirectory(prefix="axolotly-wrk-") as scripts:
        if method == "POST":
            script = Path(scripts) / "post.lua"
            script.write_text(POST_SCRIPT)
            command += ["-s", str(script)]
        output = subprocess.run(
            [*command, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True
        ).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1]),
        "p50": _milliseconds(re.search(r"50%\s+([\d.]+\w+)", output)[1]),
        "p99": _milliseconds(re.search(r"99%\s+([\d.]+\w+)", output)[1]),
        "errors": int(errors[1]) if errors else 0,
        "requests": int(re.search(r"(\d+) requests in", output)[1]),
    }


def metered(meter: CpuMeter, run: Callable[[], dict]) -> dict:
    """`run`'s figures with the CPU the server and PostgreSQL spent on each of its requests (ms)."""
    meter.start()
    figures = run()
    spent = meter.stop()
    requests = max(1, figures["requests"])
    return figures | {
        "server_ms": spent["server"] * 1000 / requests,
        "postgres_ms": spent["postgres"] * 1000 / requests,
    }


async def paced_connection(
    port: int, request: bytes, interval: float, start: float, until: float, latencies: list
) -> None:
    """Open loop: request n is due at start + n * interval; latency counts from when it was due,
    so a stall is charged to every request it delays (no coordinated omission)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    due = start
    while due < until:
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        writer.write(request)
        await writer.drain()
        await reader.readline()
        length = 0
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        await reader.readexactly(length)
        latencies.append(time.perf_counter() - due)
        due += interval
    writer.close()


async def paced(port: int, path: str, headers: dict, rate: float) -> dict:
    """`rate` requests/s spread over CONNECTIONS connections, for SECONDS."""
    lines = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1", *(f"{k}: {v}" for k, v in headers.items())]
    request = ("\r\n".join(lines) + "\r\n\r\n").encode()
    latencies: list[float] = []
    interval = CONNECTIONS / rate
    start = time.perf_counter() + 0.1
    await asyncio.gather(
        *(
            paced_connection(port, request, interval, start + n * interval / CONNECTIONS, start + SECONDS, latencies)
            for n in range(CONNECTIONS)
        )
    )
    latencies.sort()
    return {
        "rps": len(latencies) / SECONDS,
        "p50": latencies[len(latencies) // 2] * 1000,
        "p99": latencies[int(len(latencies) * 0.99)] * 1000,
        "errors": 0,
        "requests": len(latencies),
    }


def _milliseconds(figure: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(\w+)", figure).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60_000}[unit]


def rules_kid_runs(port: int, label: str, headers: dict, meter: CpuMeter) -> tuple[dict, int]:
    """A rules kid's warm-up, 200, 304 and paced runs, labelled, and how many titles it sees."""
    import httpx

    response = httpx.get(f"http://127.0.0.1:{port}/api/apps", headers=headers)
    etag, visible = response.headers["ETag"], sum(group["count"] for group in response.json())
    load(port, "/api/apps", headers, seconds=2)  # warm-up
    runs = {
        f"{label} /api/apps (200)": metered(meter, lambda: load(port, "/api/apps", headers)),
        f"{label} /api/apps (304)": metered(meter, lambda: load(port, "/api/apps", {**headers, "If-None-Match": etag})),
        f"{label} (200) paced at {PACED_RATE}/s": metered(
            meter, lambda: asyncio.run(paced(port, "/api/apps", headers, PACED_RATE))
        ),
    }
    return runs, visible


def print_runs(runs: dict) -> None:
    print(f"  {'run':38} {'req/s':>8}   {'p50':>9}   {'p99':>9}   {'errors':>6}   CPU per request: server + PostgreSQL")
    for name, run in runs.items():
        print(
            f"  {name:38} {run['rps']:8.1f}   {run['p50']:6.1f} ms   {run['p99']:6.1f} ms   {run['errors']:>6}   "
            f"{run['server_ms']:.3f} + {run['postgres_ms']:.3f} = {run['server_ms'] + run['postgres_ms']:.3f} ms"
        )


def cpu_beside_healthz(runs: dict) -> None:
    """Issue 26's target: the 304 path (and a heartbeat) at most half of /healthz's CPU per request."""
    healthz = runs["/healthz"]
    for name in ("/api/apps (304)", "/api/device/heartbeat"):
        run = runs[name]
        print(
            f"  {name} CPU per request beside /healthz's: server {run['server_ms'] / healthz['server_ms']:.0%}, "
            f"server + PostgreSQL {(run['server_ms'] + run['postgres_ms']) / (healthz['server_ms'] + healthz['postgres_ms']):.0%}"
            " (target: at most 50%)"
        )


def main() -> None:
    # The generator and the server must key device digests with the same secret.
    os.environ["DEVICE_KEY_SECRET"] = secrets.token_urlsafe(48)
    url = fresh_project_database("axolotly_bench")
    os.environ["DATABASE_URL"] = url
    get_settings.cache_clear()  # starting a stopped cluster read the settings before DATABASE_URL was set
    headers, rules_headers, german_headers = generate_family(url)
    statements, statements_304, size, gzip_size = statements_per_call(headers)
    rules_statements, rules_statements_304, rules_size, rules_gzip_size = statements_per_call(rules_headers)
    german_statements, german_statements_304, german_size, german_gzip_size = statements_per_call(german_headers)
    renders = {
        "allow-list kid": render_times(url, headers),
        "rules kid": render_times(url, rules_headers),
        "German rules kid": render_times(url, german_headers),
    }
    german_planning, german_execution = explain_times(url, german_headers)
    for kid_headers in (headers, rules_headers, german_headers):
        kid_headers["Accept-Encoding"] = "gzip"  # as OkHttp sends on Android
    port = free_port()
    server = start_server(url, port)
    try:
        import httpx

        meter = CpuMeter(server=server.pid, postgres=postmaster_pid())
        etag = httpx.get(f"http://127.0.0.1:{port}/api/apps", headers=headers).headers["ETag"]
        load(port, "/api/apps", headers, seconds=3)  # warm-up: pools filled, statements prepared
        load(port, "/api/device/heartbeat", headers, seconds=1, method="POST")
        runs = {
            "/api/apps (200)": metered(meter, lambda: load(port, "/api/apps", headers)),
            "/api/apps (304)": metered(meter, lambda: load(port, "/api/apps", {**headers, "If-None-Match": etag})),
            "/api/device/heartbeat": metered(
                meter, lambda: load(port, "/api/device/heartbeat", headers, method="POST")
            ),
            "/healthz": metered(meter, lambda: load(port, "/healthz", {})),
            f"/api/apps (200) paced at {PACED_RATE}/s": metered(
                meter, lambda: asyncio.run(paced(port, "/api/apps", headers, PACED_RATE))
            ),
        }
        rules_runs, visible = rules_kid_runs(port, "rules kid", rules_headers, meter)
        german_runs, german_visible = rules_kid_runs(port, "German rules kid", german_headers, meter)
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(
        f"\nAxolotly launcher benchmark: {SHOWS} shows x {EPISODES} episodes on {len(SERVICES)} services, "
        f"{WORKERS} workers, {CONNECTIONS} connections, {SECONDS:.0f} s per run, {os.cpu_count()} cores"
    )
    print(
        f"Rules kid: `rules` mode ({RULES['max_movie_rating']}/{RULES['max_tv_rating']}, unrated and "
        f"{', '.join(RULES['blocked_tags'])} blocked), a {LIBRARY:,}-title library ({LIBRARY_EPISODES} episodes "
        f"per show), {visible} titles visible"
    )
    print(german_description(german_visible))
    print_runs(runs | rules_runs | german_runs)
    ratio = runs["/api/apps (304)"]["rps"] / runs["/healthz"]["rps"]
    print(f"  304 path / healthz throughput: {ratio:.0%}")
    cpu_beside_healthz(runs)
    print(
        f"  SQL statements per /api/apps call: {statements} uncached, {statements_304} on the 304 path "
        f"(no write); rules kid: {rules_statements} uncached, {rules_statements_304} on the 304 path; "
        f"German rules kid: {german_statements} uncached, {german_statements_304} on the 304 path"
    )
    print(
        f"  response size: {size / 1024:.1f} KiB JSON, {gzip_size / 1024:.1f} KiB gzip (sent when accepted); "
        f"rules kid: {rules_size / 1024:.1f} KiB JSON, {rules_gzip_size / 1024:.1f} KiB gzip; "
        f"German rules kid: {german_size / 1024:.1f} KiB JSON, {german_gzip_size / 1024:.1f} KiB gzip"
    )
    for kid, (p50, slowest) in renders.items():
        print(f"  launcher statement for the {kid} (uncached render): p50 {p50:.1f} ms, max {slowest:.1f} ms")
    print(
        f"  EXPLAIN ANALYZE of the German rules kid's launcher statement: planning {german_planning:.1f} ms, "
        f"execution {german_execution:.1f} ms"
    )


def german_description(visible: int) -> str:
    shares = ", ".join(
        f"{CERTIFIED_IN.count(countries) * 10}% "
        + (f"{countries[0]} only" if len(countries) == 1 else "+".join(countries) or "unrated")
        for countries in dict.fromkeys(CERTIFIED_IN)
    )
    return (
        f"German rules kid: a family in DE on {', '.join(GERMAN_SERVICES)}, caps {GERMAN_RULES['max_movie_rating']}/"
        f"{GERMAN_RULES['max_tv_rating']} on the German scales, unrated and {', '.join(GERMAN_RULES['blocked_tags'])} "
        f"blocked; its own {LIBRARY:,}-title library certified {shares}; {visible} titles visible "
        f"(issue 25: >= 1,000 req/s, p99 < 50 ms)"
    )


if __name__ == "__main__":
    main()
