"""`make bench`: /api/apps for a kid with 200 allowed shows x 10 episodes on 3 services.

Starts the real server (uvicorn, several workers, production settings) on the embedded cluster's
`axolotly_bench` database and drives it with 16 keep-alive connections for a fixed time each:
the 200 path, the 304 path (If-None-Match) and /healthz. Prints requests/s, p50/p99, SQL
statements per call and the response size.
"""

import asyncio
import os
import secrets
import socket
import statistics
import subprocess
import sys
import time

import psycopg
from sqlalchemy import create_engine, event, text
from sqlalchemy.orm import Session

CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", 16))
SECONDS = float(os.environ.get("BENCH_SECONDS", 10))
WORKERS = int(os.environ.get("BENCH_WORKERS", 2))
SHOWS, EPISODES, SERVICES = 200, 10, ["netflix", "disney_plus", "hulu"]


def bench_database() -> str:
    from axolotly.db import migrate
    from axolotly.db.cluster import project_cluster

    cluster = project_cluster()
    cluster.start()
    url = cluster.url(database="axolotly_bench")
    admin = cluster.url(database="postgres").replace("+psycopg", "")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute('DROP DATABASE IF EXISTS axolotly_bench WITH (FORCE)')
        conn.execute('CREATE DATABASE axolotly_bench')
    migrate.upgrade(url)
    return url


def generate_family(url: str) -> dict:
    from axolotly.devices.codes import register_device
    from axolotly.models import Episode, KidProfile, KidProfileTitle, StreamingServiceSelection, Title, User
    from axolotly.security.passwords import hash_pin

    engine = create_engine(url)
    with Session(engine) as db, db.begin():
        family = User(email="bench@example.com", password_hash="x", family_name="Bench")
        db.add(family)
        db.flush()
        db.add(StreamingServiceSelection(family_id=family.id, selected_services=SERVICES))
        kid = KidProfile(family_id=family.id, name="Kid", pin_hash=hash_pin("1234"))
        titles = [Title(tmdb_id=1_000_000 + n, title=f"Show {n:03d}", media_type="tv", certification="TV-Y",
                        poster_path=f"/poster{n}.jpg", backdrop_path=f"/backdrop{n}.jpg",
                        providers=[SERVICES[n % 3]]) for n in range(SHOWS)]
        db.add_all([kid, *titles])
        db.flush()
        db.add_all([Episode(tmdb_episode_id=50_000_000 + t.id * 100 + e, title_id=t.id, season_number=1 + e // 5,
                            episode_number=1 + e % 5, name=f"Episode {e}") for t in titles for e in range(EPISODES)])
        db.add_all([KidProfileTitle(kid_profile_id=kid.id, title_id=t.id, policy="allow") for t in titles])
        device, api_key = register_device(db, family.id)
        headers = {"X-Device-ID": device.device_id, "X-API-Key": api_key}
    engine.dispose()
    return headers


def statements_per_call(url: str, headers: dict) -> tuple[int, int]:
    """Statements of an uncached call (the cache would make it 1)."""
    from fastapi.testclient import TestClient

    from axolotly.db.engine import get_engine
    from axolotly.launcher.query import rendered_launchers
    from axolotly.main import create_app

    counted: list[str] = []
    event.listen(get_engine(), "before_cursor_execute", lambda *args: counted.append(args[2]))
    rendered_launchers.max_entries = 0
    with TestClient(create_app()) as client:
        client.get("/api/apps", headers=headers)
        counted.clear()
        response = client.get("/api/apps", headers=headers)
    return len(counted), len(response.content)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(url: str, port: int) -> subprocess.Popen:
    env = dict(os.environ, DATABASE_URL=url, ENV="production", JWT_SECRET=secrets.token_urlsafe(48),
               DB_POOL_SIZE="10", DB_MAX_OVERFLOW="5")
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "axolotly.main:create_app", "--factory", "--host", "127.0.0.1",
         "--port", str(port), "--workers", str(WORKERS), "--no-access-log", "--log-level", "warning"],
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


async def one_connection(port: int, request: bytes, until: float, latencies: list, statuses: dict) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    while time.perf_counter() < until:
        started = time.perf_counter()
        writer.write(request)
        await writer.drain()
        status_line = await reader.readline()
        length = 0
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        if length:
            await reader.readexactly(length)
        latencies.append(time.perf_counter() - started)
        status = status_line.split()[1].decode()
        statuses[status] = statuses.get(status, 0) + 1
    writer.close()


async def load(port: int, path: str, headers: dict) -> dict:
    lines = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1"] + [f"{k}: {v}" for k, v in headers.items()]
    request = ("\r\n".join(lines) + "\r\n\r\n").encode()
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    until = time.perf_counter() + SECONDS
    await asyncio.gather(*(one_connection(port, request, until, latencies, statuses) for _ in range(CONNECTIONS)))
    latencies.sort()
    return {
        "rps": len(latencies) / SECONDS,
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "statuses": statuses,
    }


def main() -> None:
    # The generator and the server must key device digests with the same secret.
    os.environ["DEVICE_KEY_SECRET"] = secrets.token_urlsafe(48)
    url = bench_database()
    os.environ["DATABASE_URL"] = url
    headers = generate_family(url)
    statements, size = statements_per_call(url, headers)
    port = free_port()
    server = start_server(url, port)
    try:
        import httpx

        etag = httpx.get(f"http://127.0.0.1:{port}/api/apps", headers=headers).headers["ETag"]
        runs = {
            "/api/apps (200)": asyncio.run(load(port, "/api/apps", headers)),
            "/api/apps (304)": asyncio.run(load(port, "/api/apps", {**headers, "If-None-Match": etag})),
            "/healthz": asyncio.run(load(port, "/healthz", {})),
        }
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"\nAxolotly launcher benchmark: {SHOWS} shows x {EPISODES} episodes on {len(SERVICES)} services, "
          f"{WORKERS} workers, {CONNECTIONS} connections, {SECONDS:.0f} s per run, {os.cpu_count()} cores")
    for name, run in runs.items():
        print(f"  {name:18} {run['rps']:8.1f} req/s   p50 {run['p50']:6.1f} ms   p99 {run['p99']:6.1f} ms   {run['statuses']}")
    ratio = runs["/api/apps (304)"]["rps"] / runs["/healthz"]["rps"]
    print(f"  304 path / healthz throughput: {ratio:.0%}")
    print(f"  SQL statements per /api/apps call: {statements}   response size: {size / 1024:.1f} KiB")


if __name__ == "__main__":
    main()
