"""The fleet of `make bench-day`: one Locust user per simulated launcher, a few parents.

`bench/day.py` generates the families, starts the server and runs this file headless; it passes
the plan (which kids' devices to simulate, which parents log in, the timings) in the JSON file
named by FLEET_PLAN, and reads back from FLEET_RESULTS what Locust's own statistics cannot hold:
the time from a parent's change to the kid's device seeing it.

- Launcher: GET /api/apps every POLL_SECONDS with `If-None-Match` (the ETag of its last 200) and
  `Accept-Encoding: gzip`, as the Android launcher does; POST /api/device/heartbeat every
  HEARTBEAT_SECONDS. A real device's idle connection outlives no server keep-alive (uvicorn: 5 s),
  so with polls further apart than that each poll opens a connection of its own (`Connection: close`):
  the server pays the TCP set-up it would pay in the field, and 100K launchers do not need 100K
  open sockets in this one process.
- Parent: once the fleet is up, logs in (a 503 with Retry-After, passwords being hashed one at a
  time on the server, is a turn to come back for, as a browser would: counted, then retried),
  lists the family's kids and their policies, then every
  PARENT_EDIT_SECONDS flips one title (allow <-> deny) for one kid, until one poll interval before
  the end (a later change could not be polled in time to be timed). The 2xx means stored (the
  transaction committed before the answer), so the change is noted with the time of that answer.
- The change reaches the kid's device on its next poll: a poll that *started* after the 2xx and
  still got a 304 is a stale poll (must be 0); the first 200 with a new ETag is the change seen.
"""

import itertools
import json
import os
import random
import time
from dataclasses import dataclass

import gevent
from gevent.event import Event
from locust import FastHttpUser, events, task

from fleet import api_key, device_id  # Locust puts this file's folder on sys.path

with open(os.environ["FLEET_PLAN"], encoding="utf-8") as plan_file:
    PLAN = json.load(plan_file)
POLL_SECONDS = float(PLAN["poll_seconds"])
HEARTBEAT_SECONDS = float(PLAN["heartbeat_seconds"])
PARENT_EDIT_SECONDS = float(PLAN["parent_edit_seconds"])
KEEP_ALIVE_SECONDS = 5.0  # uvicorn's default timeout_keep_alive (axolotly serve keeps it)
APPS, HEARTBEAT = "/api/apps", "/api/device/heartbeat"

_kids = itertools.cycle(PLAN["kids"])
_parents = itertools.cycle(enumerate(PLAN["parents"]))
fleet_up = Event()  # set when every user has been spawned (and Locust reset its statistics)


def every(seconds: float):
    """A task every `seconds` from the start of the last one. (Locust's constant_pacing runs the
    second task at once after a slow on_start: a parent's first two edits would come together.)"""

    def wait_time(user) -> float:
        return max(0.0, seconds - (time.monotonic() - user.task_started))

    return wait_time


@dataclass
class Change:
    stored_at: float  # monotonic time of the parent's 2xx
    polls_after: int = 0  # polls of the device that started after it


# Shared by all users: one Locust process, gevent greenlets, no locking needed between yields.
pending: dict[str, Change] = {}
outcome = {
    "changes": 0,
    "seen_seconds": [],
    "polls_to_see": [],
    "stale_polls": 0,
    "superseded": 0,
    "login_ms": [],
    "login_busy": 0,
    "apps_status": {},
    "requests": 0,
    "window": {},
    "window_seconds": 0.0,
}


@events.request.add_listener
def _on_request(name: str, **_kwargs) -> None:
    outcome["requests"] += 1  # the whole run, ramp included (Locust's statistics restart after it)
    if fleet_up.is_set():
        # Requests/s of our own: Locust's divides by a span that runs on while stopping users.
        window = outcome["window"]
        window[name] = window.get(name, 0) + 1
        outcome["window_seconds"] = time.monotonic() - edit_window["fleet_up_at"]


# Changes are made only while each can still be polled before the end (it is then timed or stale).
edit_window = {"until": float("inf")}


@events.spawning_complete.add_listener
def _on_spawned(user_count: int, **_kwargs) -> None:
    edit_window["fleet_up_at"] = time.monotonic()
    edit_window["until"] = time.monotonic() + max(0.0, float(PLAN["duration"]) - POLL_SECONDS - 1)
    fleet_up.set()


@events.test_stop.add_listener
def _on_stop(**_kwargs) -> None:
    outcome["unseen_at_end"] = len(pending)
    with open(os.environ["FLEET_RESULTS"], "w", encoding="utf-8") as results:
        json.dump(outcome, results)


class Launcher(FastHttpUser):
    weight = 1
    wait_time = every(POLL_SECONDS)

    def on_start(self) -> None:
        kid = next(_kids)
        self.device = device_id(kid)
        self.headers = {
            "X-Device-ID": self.device,
            "X-API-Key": api_key(PLAN["key_seed"], kid),
            "Accept-Encoding": "gzip",
        }
        if POLL_SECONDS > KEEP_ALIVE_SECONDS:
            self.headers["Connection"] = "close"
        self.etag: str | None = None
        self.next_heartbeat = time.monotonic() + random.uniform(0, HEARTBEAT_SECONDS)
        # Locust starts users in batches once a second; real devices are not in step with each other.
        gevent.sleep(random.uniform(0, 1))

    @task
    def poll(self) -> None:
        self.task_started = time.monotonic()
        headers = dict(self.headers, **({"If-None-Match": self.etag} if self.etag else {}))
        started = time.monotonic()
        with self.client.get(APPS, headers=headers, name=APPS, catch_response=True) as response:
            status = response.status_code
            if status == 200 or status == 304:
                response.success()
            else:
                response.failure(f"status {status}")
        done = time.monotonic()
        outcome["apps_status"][str(status)] = outcome["apps_status"].get(str(status), 0) + 1
        new_etag = response.headers.get("ETag") if status == 200 else None
        self._note_change(status, new_etag, started, done)
        if new_etag:
            self.etag = new_etag
        if done >= self.next_heartbeat:
            # On its own cadence (not "a minute after this poll", which drifts to every other poll).
            self.next_heartbeat += HEARTBEAT_SECONDS
            with self.client.post(HEARTBEAT, headers=self.headers, name=HEARTBEAT, catch_response=True) as beat:
                if beat.status_code != 200:
                    beat.failure(f"status {beat.status_code}")

    def _note_change(self, status: int, new_etag: str | None, started: float, done: float) -> None:
        change = pending.get(self.device)
        if change is None:
            return
        if new_etag and new_etag != self.etag:
            # A poll already under way when the parent's 2xx came may carry the change: seen at once.
            outcome["seen_seconds"].append(max(0.0, done - change.stored_at))
            outcome["polls_to_see"].append(change.polls_after + (started >= change.stored_at))
            del pending[self.device]
        elif status == 304 and started >= change.stored_at:
            change.polls_after += 1
            outcome["stale_polls"] += 1


class Parent(FastHttpUser):
    fixed_count = len(PLAN["parents"])
    wait_time = every(PARENT_EDIT_SECONDS)

    def on_start(self) -> None:
        self.kids: dict[int, dict[int, str]] = {}  # kid id -> title id -> policy; empty: no edits
        fleet_up.wait()
        # Parents open the app at different moments, not all in the same second.
        gevent.sleep(random.uniform(0, min(PARENT_EDIT_SECONDS, max(0.0, edit_window["until"] - time.monotonic()) / 2)))
        number, email = next(_parents)
        # Each parent from an address of its own (the server trusts this host as its proxy).
        address = {"X-Forwarded-For": f"10.{number >> 16 & 255}.{number >> 8 & 255}.{number & 255}"}
        started = time.perf_counter()
        login = self._log_in(address, email)
        if login is None:
            return
        outcome["login_ms"].append((time.perf_counter() - started) * 1000)
        self.auth = {"Authorization": f"Bearer {login['access_token']}", **address}
        kids = self._call("get", "/api/parent/kids", headers=self.auth) or []
        for kid in kids:
            rows = self._call(
                "get",
                f"/api/parent/kids/{kid['id']}/policies",
                headers=self.auth,
                name="/api/parent/kids/[kid]/policies",
            )
            if rows is None:
                self.kids = {}
                return
            self.kids[kid["id"]] = {row["title"]["id"]: row["policy"] for row in rows}

    def _log_in(self, address: dict, email: str, attempts: int = 5):
        """The log-in's JSON; a 503 with Retry-After waits that long and tries again."""
        body = {"email": email, "password": PLAN["password"]}
        for attempt in range(attempts):
            with self.client.post(
                "/api/parent/auth/login", headers=address, json=body, catch_response=True
            ) as response:
                if response.status_code == 200:
                    return response.json()
                retry_after = response.headers.get("Retry-After")
                if response.status_code != 503 or retry_after is None or attempt == attempts - 1:
                    response.failure(f"status {response.status_code}")
                    return None
                response.success()  # the server said when to come back: not an error
            outcome["login_busy"] += 1
            gevent.sleep(float(retry_after))
        return None

    def _call(self, method: str, path: str, name: str | None = None, **kwargs):
        """The JSON of a 200, or None (counted as a failure: an overloaded server times out)."""
        with self.client.request(method.upper(), path, name=name or path, catch_response=True, **kwargs) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
                return None
            return response.json()

    @task
    def flip_a_title(self) -> None:
        self.task_started = time.monotonic()
        if not self.kids or self.task_started > edit_window["until"]:
            return
        kid_id = random.choice(list(self.kids))
        title_id, policy = random.choice(list(self.kids[kid_id].items()))
        flipped = "deny" if policy == "allow" else "allow"
        with self.client.put(
            f"/api/parent/kids/{kid_id}/policies/{title_id}",
            headers=self.auth,
            json={"policy": flipped},
            name="/api/parent/kids/[kid]/policies/[title]",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
                return
        self.kids[kid_id][title_id] = flipped
        device = device_id(kid_id)
        if device in pending:  # changed again before the device polled: only the newest is timed
            outcome["superseded"] += 1
        pending[device] = Change(stored_at=time.monotonic())
        outcome["changes"] += 1
