"""`make bench-day`: a day of a real fleet, in minutes.

1. Builds `axolotly_fleet` in the embedded cluster from the migrations (the demo database stays),
   loads the offline catalog, and generates FAMILIES families in set-based INSERT ... SELECT
   batches: 1-2 kids each (allow-list mode, 12 policies from the offline catalog: 9 allowed, 3
   denied; the policies put them in the family library), 3 selected services, and one paired launcher per kid.
   Device keys are derived from a per-run seed (bench/fleet.py); only their digests are stored, as
   pairing stores them, and the launchers derive their keys from the same seed.
2. Starts the app as an operator would: `axolotly serve --workers WORKERS`, production settings.
3. Counts what one request of each kind costs PostgreSQL (sequential calls, nothing else running).
4. Runs Locust headless (bench/locustfile.py): DEVICES launchers polling /api/apps with
   If-None-Match every POLL_SECONDS and posting heartbeats, PARENTS parents flipping titles
   meanwhile, for DURATION seconds after the fleet is up (statistics reset then).
5. Prints requests/s, p50/p99 and errors per endpoint, SQL per request, CPU per request, and the
   time from a parent's change to the kid's device seeing it.

Parameters (environment, or make variables): FAMILIES (default 2,000), DEVICES (default: 1,000,
at most one per kid; several sizes, "5000 10000 20000", run one after the other against the same
server and end with the largest that kept the launchers' p99 under 100 ms), POLL_SECONDS (10),
HEARTBEAT_SECONDS (60), DURATION (30), PARENTS (default "1 30": each fleet size runs once per count,
every parent logging in, at the production bcrypt cost, during the measured time, then editing;
the end compares the launchers' p99 with 1 and with 30 logging in: issue 26 wants it unchanged),
PARENT_EDIT_SECONDS (2 x POLL_SECONDS), WORKERS (2); REUSE=1 keeps the families already generated
in axolotly_fleet when FAMILIES matches (runs of several fleet sizes over the same 100K families).
The load generator runs on the same machine as the server and PostgreSQL: its CPU is reported.
"""

import csv
import json
import os
import resource
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psycopg

from axolotly.db.cluster import free_port
from fleet import api_key, device_id
from proc import cpu_seconds, postmaster_pid

HERE = Path(__file__).resolve().parent
DATABASE = "axolotly_fleet"


def _env_int(name: str, default: int) -> int:
    return int(float(os.environ.get(name) or default))


FAMILIES = _env_int("FAMILIES", 2_000)
POLL_SECONDS = float(os.environ.get("POLL_SECONDS") or 10)
HEARTBEAT_SECONDS = float(os.environ.get("HEARTBEAT_SECONDS") or 60)
DURATION = _env_int("DURATION", 30)
# Twice the poll interval by default: a kid's device mostly polls between two edits of its family.
PARENT_EDIT_SECONDS = float(os.environ.get("PARENT_EDIT_SECONDS") or 2 * POLL_SECONDS)
WORKERS = _env_int("WORKERS", 2)
BATCH = 10_000
SERVICES = '["disney_plus", "netflix", "pbs_kids"]'
POLICIES, ALLOWED = 12, 9  # per kid, of the offline catalog's 24 titles
CALIBRATION_CALLS = 40

FAMILIES_SQL = """
WITH fam AS (
    INSERT INTO users (email, password_hash, family_name)
    SELECT 'parent' || n || '@fleet.example', %(password_hash)s, 'Fleet family ' || n
    FROM generate_series(%(lo)s::int, %(hi)s::int) n
    RETURNING id
), kids AS (
    INSERT INTO kid_profiles (family_id, name, pin_hash, age)
    SELECT fam.id, (ARRAY['Mia', 'Leo'])[k], %(pin_hash)s, 3 + mod(fam.id * 7 + k, 10)
    FROM fam CROSS JOIN generate_series(1, 2) k
    WHERE k = 1 OR mod(fam.id, 2) = 0
    RETURNING id, family_id
), choices AS (
    -- 12 distinct titles per kid (j < 24), a different rotation for each kid.
    SELECT kids.id AS kid_id, kids.family_id,
           (%(title_ids)s::int[])[1 + mod(kids.id * 5 + j, cardinality(%(title_ids)s::int[]))] AS title_id,
           CASE WHEN j < %(allowed)s THEN 'allow' ELSE 'deny' END AS policy
    FROM kids CROSS JOIN generate_series(0, %(policies)s - 1) j
), policies AS (
    INSERT INTO kid_profiles_titles (kid_profile_id, title_id, policy)
    SELECT kid_id, title_id, policy FROM choices
), selections AS (
    INSERT INTO streaming_service_selection (family_id, selected_services)
    SELECT fam.id, %(services)s::jsonb FROM fam
)
SELECT count(*) FROM fam
"""


def conninfo(url: str) -> str:
    from axolotly.db.engine import libpq_conninfo

    return libpq_conninfo(url)


def fleet_database(database: str = DATABASE, families: int = FAMILIES) -> tuple[str, dict | None]:
    """The database URL, and the secrets of the fleet already in it when REUSE=1 finds one of the
    same size (generating 100K families again takes minutes); otherwise a new, empty database."""
    from sqlalchemy.engine import make_url

    from axolotly.db import migrate
    from axolotly.db.cluster import project_cluster

    server = project_cluster().start()
    url = make_url(server).set(database=database).render_as_string(hide_password=False)
    if os.environ.get("REUSE") == "1":
        try:
            with psycopg.connect(conninfo(url)) as conn:
                row = conn.execute("SELECT families, secrets FROM fleet_run").fetchone()
            if row and row[0] == families:
                with psycopg.connect(conninfo(url), autocommit=True) as conn:
                    conn.execute("DELETE FROM rate_limits")  # a new day: no throttle left from the last run
                return url, row[1]
        except psycopg.Error:
            pass  # no such database or no fleet in it: generate one
    url = migrate.recreate_database(server, database)
    migrate.upgrade(url)
    return url, None


def remember(url: str, fleet_secrets: dict, families: int = FAMILIES) -> None:
    """The run's secrets, kept in the bench database itself (for REUSE=1; bench-only values)."""
    with psycopg.connect(conninfo(url), autocommit=True) as conn:
        conn.execute("CREATE TABLE fleet_run (families int NOT NULL, secrets jsonb NOT NULL)")
        conn.execute("INSERT INTO fleet_run VALUES (%s, %s::jsonb)", (families, json.dumps(fleet_secrets)))


def load_catalog(url: str) -> list[int]:
    """The offline catalog (titles and episodes, as `seed-demo` loads it): allowing a show never
    waits for episodes to be fetched."""
    from sqlalchemy import create_engine, select
    from sqlalchemy.orm import Session

    from axolotly.models import Title
    from axolotly.seed.demo import load_offline_catalog

    engine = create_engine(url)
    with Session(engine) as db, db.begin():
        load_offline_catalog(db)
        title_ids = list(db.execute(select(Title.id).order_by(Title.id)).scalars())
    engine.dispose()
    return title_ids


def generate(url: str, title_ids: list[int], password: str, key_seed: str, families: int = FAMILIES) -> None:
    from axolotly.security import api_keys
    from axolotly.security.passwords import hash_pin, hash_secret

    # One hash for every parent (and one for every PIN): bcrypt at the production cost once, not 100K times.
    params = {
        "password_hash": hash_secret(password),
        "pin_hash": hash_pin("1234"),
        "title_ids": title_ids,
        "policies": POLICIES,
        "allowed": ALLOWED,
        "services": SERVICES,
    }
    started = time.monotonic()
    with psycopg.connect(conninfo(url), autocommit=True) as conn:
        # Triggers off during the load, as pg_restore does: launcher-version bumps would only add dead rows.
        conn.execute("SET session_replication_role = replica")
        for lo in range(1, families + 1, BATCH):
            hi = min(lo + BATCH - 1, families)
            conn.execute(FAMILIES_SQL, {**params, "lo": lo, "hi": hi})
            print(
                f"\r  families {hi:>9,} / {families:,}  ({hi / (time.monotonic() - started):,.0f}/s)",
                end="",
                flush=True,
            )
        print()
        kids = conn.execute("SELECT id, family_id FROM kid_profiles ORDER BY id").fetchall()
        with conn.cursor().copy(
            "COPY devices (device_id, family_id, kid_profile_id, friendly_name, api_key_digest) FROM STDIN"
        ) as copy:
            for kid_id, family_id in kids:
                copy.write_row(
                    (device_id(kid_id), family_id, kid_id, "Tablet", api_keys.digest(api_key(key_seed, kid_id)))
                )
        print(f"  {len(kids):,} kids, one paired launcher each; VACUUM ANALYZE ...", flush=True)
        conn.execute("VACUUM ANALYZE")
    print(f"  generated in {time.monotonic() - started:.0f} s")


def fleet_plan(url: str, password: str, key_seed: str, devices: int, parents: int) -> dict:
    """The simulated devices (the first `devices` kids') and `parents` parents (of families all of
    whose kids' devices are simulated, spread over them)."""
    with psycopg.connect(conninfo(url)) as conn:
        kids = [row[0] for row in conn.execute("SELECT id FROM kid_profiles ORDER BY id LIMIT %s", (devices,))]
        emails = [
            row[0]
            for row in conn.execute(
                """
            SELECT u.email FROM users u JOIN kid_profiles k ON k.family_id = u.id
            GROUP BY u.id HAVING max(k.id) <= %s ORDER BY u.id""",
                (kids[-1],),
            )
        ]
    step = max(1, len(emails) // parents)
    return {
        "kids": kids,
        "parents": emails[::step][:parents],
        "password": password,
        "key_seed": key_seed,
        "poll_seconds": POLL_SECONDS,
        "heartbeat_seconds": HEARTBEAT_SECONDS,
        "parent_edit_seconds": PARENT_EDIT_SECONDS,
        "duration": DURATION,
    }


class SqlCounter:
    """What the server's requests ran in the fleet database, read from PostgreSQL itself.

    Statements (pg_stat_statements calls; BEGIN/COMMIT not counted) when the cluster preloads it;
    otherwise transactions (pg_stat_database commits + rollbacks), which idle backends report up to
    10 s late (PostgreSQL 15 batches statistics): each reading then waits 11 s. The launcher's
    reads are autocommit, one statement per transaction; an ORM request is one transaction of
    several statements, so there transactions undercount statements: the label says which it is.
    """

    def __init__(self, url: str):
        self.url = url
        with psycopg.connect(conninfo(url), autocommit=True) as conn:
            preload = conn.execute("SHOW shared_preload_libraries").fetchone()[0]
            self.statements = "pg_stat_statements" in preload
            if self.statements:
                conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        self.label = (
            "SQL statements (pg_stat_statements, BEGIN/COMMIT not counted)"
            if self.statements
            else "SQL transactions (pg_stat_database; pg_stat_statements not preloaded)"
        )

    def read(self) -> int:
        if self.statements:
            with psycopg.connect(conninfo(self.url), autocommit=True) as conn:
                return int(
                    conn.execute("""
                    SELECT coalesce(sum(calls), 0) FROM pg_stat_statements
                    WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
                      AND query !~* '^\\s*(begin|commit|rollback)\\M' AND query !~* 'pg_stat_statements'
                """).fetchone()[0]
                )
        time.sleep(11)
        # Read from another database, so this connection's own transactions are not counted.
        from sqlalchemy.engine import make_url

        admin = make_url(self.url).set(database="postgres").render_as_string(hide_password=False)
        with psycopg.connect(conninfo(admin), autocommit=True) as conn:
            return int(
                conn.execute(
                    "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = %s", (DATABASE,)
                ).fetchone()[0]
            )


# What production wants besides its secret (README "Security"), as a bench on this host has it:
# the fleet talks to the API only (no cookies, no mail), and /metrics stays on localhost.
PRODUCTION_ON_LOCALHOST = {"COOKIE_SECURE": "true", "MAIL_URL": "smtp://127.0.0.1:25", "METRICS_PUBLIC": "true"}


def start_server(
    url: str, port: int, device_key_secret: str, log, jwt_secret: str | None = None, workers: int = WORKERS
) -> subprocess.Popen:
    # Pools per worker: ORM pool + overflow, the launcher's async pool (DB_POOL_SIZE) and 4 for the
    # throttles: 10 + 5 + 10 + 4 here, as docs/benchmarks.md's fleet figures were measured (the
    # embedded cluster allows 300 connections since, enough for the defaults too).
    # As behind a reverse proxy on this host: parents log in from addresses of their own
    # (X-Forwarded-For), not all from 127.0.0.1, whose log-in throttle would refuse them.
    env = {
        "DB_POOL_SIZE": "10",
        "DB_MAX_OVERFLOW": "5",
        **os.environ,
        "DATABASE_URL": url,
        "ENV": "production",
        "JWT_SECRET": jwt_secret or secrets.token_urlsafe(48),
        "DEVICE_KEY_SECRET": device_key_secret,
        "TRUSTED_PROXIES": "127.0.0.1",
        **PRODUCTION_ON_LOCALHOST,
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "axolotly",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    stop_server(server)
    raise SystemExit("the server did not start")


def stop_server(server: subprocess.Popen) -> None:
    """SIGTERM (graceful), then, past 30 s (thousands of stuck connections), SIGKILL to the server's
    whole process group: its workers included."""
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def calibrate(base: str, plan: dict, counter: SqlCounter) -> dict[str, float]:
    """SQL per request of each kind, one kind at a time, with nothing else running."""
    kids = plan["kids"][-CALIBRATION_CALLS:]
    devices = [
        {"X-Device-ID": device_id(k), "X-API-Key": api_key(plan["key_seed"], k), "Accept-Encoding": "gzip"}
        for k in kids
    ]
    costs: dict[str, float] = {}
    etags: list[str] = []
    with httpx.Client(base_url=base, timeout=30) as client:
        last = [counter.read()]

        def measure(name: str, calls) -> None:
            count = calls()
            last.append(counter.read())  # the reading after one kind is the one before the next
            costs[name] = (last[-1] - last[-2]) / count

        def first_polls() -> int:
            for headers in devices:
                etags.append(client.get("/api/apps", headers=headers).raise_for_status().headers["ETag"])
            return len(devices)

        def polls_304() -> int:
            for headers, etag in zip(devices, etags, strict=True):
                assert client.get("/api/apps", headers={**headers, "If-None-Match": etag}).status_code == 304
            return len(devices)

        def heartbeats() -> int:
            for headers in devices:
                client.post("/api/device/heartbeat", headers=headers).raise_for_status()
            return len(devices)

        auth: dict[str, str] = {}

        def login() -> int:
            token = client.post(
                "/api/parent/auth/login",
                headers={"X-Forwarded-For": "10.255.255.254"},
                json={"email": plan["parents"][0], "password": plan["password"]},
            )
            auth["Authorization"] = f"Bearer {token.raise_for_status().json()['access_token']}"
            return 1

        target: dict[str, object] = {}

        def policy_flips() -> int:
            policy = target["policy"]
            for _ in range(CALIBRATION_CALLS // 2):
                policy = "deny" if policy == "allow" else "allow"
                client.put(
                    f"/api/parent/kids/{target['kid']}/policies/{target['title']}",
                    headers=auth,
                    json={"policy": policy},
                ).raise_for_status()
            return CALIBRATION_CALLS // 2

        measure("/api/apps (a device's first poll: 200, render)", first_polls)
        measure("/api/apps (304)", polls_304)
        measure("/api/device/heartbeat", heartbeats)
        measure("/api/parent/auth/login", login)

        def parent_reads() -> int:
            kid = client.get("/api/parent/kids", headers=auth).raise_for_status().json()[0]["id"]
            policy = client.get(f"/api/parent/kids/{kid}/policies", headers=auth).raise_for_status().json()[0]
            target.update(kid=kid, title=policy["title"]["id"], policy=policy["policy"])
            return 2

        measure("/api/parent/kids, /api/parent/kids/[kid]/policies", parent_reads)
        measure("/api/parent/kids/[kid]/policies/[title]", policy_flips)
    return costs


def run_locust(base: str, plan: dict, workdir: Path) -> tuple[dict, dict, str]:
    """Locust's per-endpoint statistics (after the fleet is up), the fleet's own results, its log."""
    plan_path, results_path = workdir / "plan.json", workdir / "results.json"
    for stale in workdir.glob("fleet_*.csv"):  # a previous size's
        stale.unlink()
    results_path.unlink(missing_ok=True)
    plan_path.write_text(json.dumps(plan))
    users = len(plan["kids"]) + len(plan["parents"])
    spawn_rate = max(1.0, len(plan["kids"]) / POLL_SECONDS)  # polls spread evenly over one interval
    ramp = users / spawn_rate
    env = dict(os.environ, FLEET_PLAN=str(plan_path), FLEET_RESULTS=str(results_path))
    command = [
        str(Path(sys.executable).with_name("locust")),
        "-f",
        str(HERE / "locustfile.py"),
        "--headless",
        "--host",
        base,
        "-u",
        str(users),
        "-r",
        f"{spawn_rate:.2f}",
        "-t",
        f"{ramp + DURATION:.0f}s",
        "--reset-stats",
        "--csv",
        str(workdir / "fleet"),
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--stop-timeout",
        "10",
    ]
    completed = subprocess.run(command, env=env, capture_output=True, text=True)
    log = completed.stdout + completed.stderr
    stats_path = workdir / "fleet_stats.csv"
    # Locust exits 1 when some requests failed: those are counted and shown, not fatal.
    if completed.returncode not in (0, 1) or not stats_path.exists() or not results_path.exists():
        print(log)
        raise SystemExit(f"locust did not finish (exit {completed.returncode})")
    with stats_path.open(newline="") as stats_file:
        stats = {row["Name"]: row for row in csv.DictReader(stats_file)}
    results = json.loads(results_path.read_text())
    with (workdir / "fleet_failures.csv").open(newline="") as failures_file:
        results["failures"] = [
            f"{row['Occurrences']} x {row['Method']} {row['Name']}: {row['Error']}"
            for row in csv.DictReader(failures_file)
        ]
    return stats, results, log


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] if ordered else float("nan")


def _children_cpu() -> float:
    """CPU time of the finished children (Locust, once it exited)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


LAUNCHER_ENDPOINTS = ("/api/apps", "/api/device/heartbeat")
P99_BUDGET_MS = 100


def report_costs(costs: dict, label: str) -> None:
    print(f"\n{label} per request, each kind alone:")
    for name, cost in costs.items():
        print(f"  {name:52} {cost:5.2f}")


def report_run(
    stats: dict,
    results: dict,
    label: str,
    run_sql: float,
    plan: dict,
    cpu: dict[str, float],
    seconds: float,
    locust_log: str,
) -> dict:
    """Prints one fleet run; returns its summary row."""
    aggregated = stats.pop("Aggregated", None)
    launchers = len(plan["kids"])
    print(
        f"\nAxolotly: a day of a fleet, {FAMILIES:,} families, {launchers:,} launchers polling every "
        f"{POLL_SECONDS:g} s (heartbeat every {HEARTBEAT_SECONDS:g} s), {len(plan['parents'])} parent(s) editing "
        f"every {PARENT_EDIT_SECONDS:g} s; {WORKERS} server workers; {DURATION} s measured after the ramp; "
        f"{os.cpu_count()} cores shared by server, PostgreSQL, Locust and whatever else runs on the machine"
    )
    print(f"  {'endpoint':44} {'requests':>9} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} {'errors':>6}")
    window = max(results["window_seconds"], 1e-9)
    rates = {name: count / window for name, count in results["window"].items()}
    rates["all"] = sum(results["window"].values()) / window
    rows = sorted(stats.items()) + ([("all", aggregated)] if aggregated else [])
    for name, row in rows:
        print(
            f"  {name:44} {int(row['Request Count']):>9,} {rates.get(name, 0.0):>8.1f} {row['50%']:>7} "
            f"{row['99%']:>7} {float(row['Max Response Time']):>7.0f} {int(row['Failure Count']):>6}"
        )
    for failure in results["failures"]:
        print(f"    error: {failure}")
    print(
        "  /api/apps answers over the whole run (ramp included): "
        + ", ".join(f"{count:,} x {status}" for status, count in sorted(results["apps_status"].items()))
    )
    if results["login_ms"]:
        print(
            f"  parent log-in (bcrypt at the production cost, one hash at a time on the machine): "
            f"p50 {percentile(results['login_ms'], 0.5):.0f} ms, max {max(results['login_ms']):.0f} ms over "
            f"{len(results['login_ms'])} log-ins; told to come back (503 + Retry-After, then retried): "
            f"{results['login_busy']}"
        )
    print(f"  {label} per request over the run (ramp included), all kinds together: {run_sql:.2f}")
    seen = results["seen_seconds"]
    print(
        f"  parent's change -> the kid's launcher sees it: {len(seen)} of {results['changes']} changes seen, "
        f"p50 {percentile(seen, 0.5):.2f} s, p99 {percentile(seen, 0.99):.2f} s, max {max(seen, default=float('nan')):.2f} s "
        f"(poll every {POLL_SECONDS:g} s); polls needed after the change: max {max(results['polls_to_see'], default=0)} "
        f"(must be <= 1), stale polls {results['stale_polls']} (must be 0); "
        f"{results['unseen_at_end']} not yet polled at the end, {results['superseded']} superseded"
    )
    shares = ", ".join(f"{name} {used / seconds:.0%}" for name, used in cpu.items())
    print(
        f"  CPU over the run, ramp included, in shares of one core: {shares}; the machine's load average "
        f"at the end: {os.getloadavg()[0]:.1f} (this run included; the rest is other work on the same 2 cores)"
    )
    serving = (cpu["server"] + cpu["PostgreSQL"]) / max(1, results["requests"])
    print(
        f"  server + PostgreSQL CPU per request: {serving * 1000:.2f} ms; 2 cores would be spent at "
        f"~{2 / serving:,.0f} req/s with nothing else on the machine (a projection, not a measurement)"
    )
    warnings = [line for line in locust_log.splitlines() if "CPU usage" in line]
    if warnings:
        print(f"  Locust warned: {warnings[0].strip()} (the client was short of CPU: figures are pessimistic)")
    launcher_rows = [stats[name] for name in LAUNCHER_ENDPOINTS if name in stats]
    return {
        "launchers": launchers,
        "parents": len(plan["parents"]),
        "rps": rates["all"],
        "p99": max((float(row["99%"]) for row in launcher_rows), default=float("nan")),
        "errors": int(aggregated["Failure Count"]) if aggregated else 0,
        "stale": results["stale_polls"],
        "seen_max": max(seen, default=float("nan")),
    }


def report_sizes(rows: list[dict]) -> None:
    print(f"\nFleet runs (polls every {POLL_SECONDS:g} s, heartbeats every {HEARTBEAT_SECONDS:g} s):")
    print(
        f"  {'launchers':>10} {'parents':>8} {'req/s':>8} {'launcher p99 ms':>16} {'errors':>7} {'stale polls':>12} "
        f"{'change seen within':>19}"
    )
    for row in rows:
        print(
            f"  {row['launchers']:>10,} {row['parents']:>8} {row['rps']:>8.1f} {row['p99']:>16.0f} {row['errors']:>7} "
            f"{row['stale']:>12} {row['seen_max']:>17.1f} s"
        )
    good = [row["launchers"] for row in rows if row["p99"] < P99_BUDGET_MS and row["errors"] == 0]
    print(
        f"  largest fleet with launcher p99 < {P99_BUDGET_MS} ms and no errors: "
        f"{f'{max(good):,} launchers' if good else 'none of these sizes'} (on this machine, at this moment)"
    )
    for launchers in dict.fromkeys(row["launchers"] for row in rows):
        runs = [(row["parents"], row["p99"]) for row in rows if row["launchers"] == launchers]
        if len({parents for parents, _ in runs}) > 1:
            print(
                f"  {launchers:,} launchers, their p99 with parents logging in during the measured time, run by run: "
                + ", ".join(f"{parents} logging in: {p99:.0f} ms" for parents, p99 in runs)
            )


def _check_timing() -> None:
    if DURATION < 2 * POLL_SECONDS:
        print(
            f"Note: DURATION ({DURATION} s) < 2 x POLL_SECONDS: parents edit only in the first half of the "
            "measured time (each change needs a poll after it), so few or no changes get timed."
        )


def _numbers(name: str, default: str) -> list[int]:
    return [int(float(size)) for size in (os.environ.get(name) or default).replace(",", " ").split()]


def main() -> None:
    url, fleet_secrets = fleet_database()
    if fleet_secrets is None:
        fleet_secrets = {name: secrets.token_urlsafe(32) for name in ("device_key_secret", "key_seed", "password")}
    device_key_secret, key_seed, password = (
        fleet_secrets[name] for name in ("device_key_secret", "key_seed", "password")
    )
    # The generator and the server must key device digests with the same secret.
    os.environ["DEVICE_KEY_SECRET"] = device_key_secret
    if "generated" in fleet_secrets:
        print(f"Reusing the {FAMILIES:,} families of {DATABASE} (REUSE=1)", flush=True)
    else:
        print(f"Generating {FAMILIES:,} families in {DATABASE} ...", flush=True)
        generate(url, load_catalog(url), password, key_seed)
        remember(url, {**fleet_secrets, "generated": True})
    _check_timing()
    plans = [
        fleet_plan(url, password, key_seed, size, parents)
        for size in _numbers("DEVICES", "1000")
        for parents in _numbers("PARENTS", "1 30")
    ]
    counter = SqlCounter(url)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    rows = []
    with tempfile.TemporaryDirectory(prefix="axolotly-fleet-") as workdir:
        with open(Path(workdir) / "server.log", "w") as server_log:
            server = start_server(url, port, device_key_secret, server_log)
            try:
                print(f"Counting SQL per request ({counter.label}) ...", flush=True)
                report_costs(calibrate(base, plans[-1], counter), counter.label)
                for plan in plans:
                    rows.append(run_fleet(base, plan, Path(workdir), counter, server.pid))
            finally:
                stop_server(server)
        if len(rows) > 1:
            report_sizes(rows)
        server_errors = [
            line
            for line in (Path(workdir) / "server.log").read_text().splitlines()
            if "Traceback" in line or "ERROR" in line or "Error" in line
        ]
        if server_errors:
            print(f"  the server logged {len(server_errors)} error lines, the first: {server_errors[0][:200]}")


def run_fleet(base: str, plan: dict, workdir: Path, counter: SqlCounter, server_pid: int) -> dict:
    print(
        f"\nRunning the fleet: {len(plan['kids']):,} launchers, {len(plan['parents'])} parent(s), "
        f"{len(plan['kids']) / POLL_SECONDS:,.0f} polls/s expected ...",
        flush=True,
    )
    postgres = postmaster_pid()
    before_sql = counter.read()
    before_cpu = {"server": cpu_seconds(server_pid), "PostgreSQL": cpu_seconds(postgres), "Locust": _children_cpu()}
    started = time.monotonic()
    stats, results, log = run_locust(base, plan, workdir)
    seconds = time.monotonic() - started
    cpu = {
        "server": cpu_seconds(server_pid) - before_cpu["server"],
        "PostgreSQL": cpu_seconds(postgres) - before_cpu["PostgreSQL"],
        "Locust": _children_cpu() - before_cpu["Locust"],
    }
    run_sql = (counter.read() - before_sql) / max(1, results["requests"])
    return report_run(stats, results, counter.label, run_sql, plan, cpu, seconds, log)


if __name__ == "__main__":
    main()
