"""Passwords and PINs are hashed one at a time per machine, on a low-priority thread, and a caller
whose turn would come too late hears 503 with Retry-After instead of waiting (issue 26 §4)."""

import fcntl
import json
import os
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import bcrypt
import pytest

from axolotly.config import get_settings
from axolotly.errors import PasswordCheckBusy
from axolotly.security import passwords
from tests.support.api import PASSWORD, sign_up


@pytest.fixture
def pool(monkeypatch, tmp_path):
    """A fresh hashing pool whose machine-wide lock lives in this test's own home."""
    monkeypatch.setenv("AXOLOTLY_HOME", str(tmp_path))
    monkeypatch.setenv("PASSWORD_HASH_WAIT_SECONDS", "0.5")
    get_settings.cache_clear()
    fresh = passwords.HashingPool()
    monkeypatch.setattr(passwords, "_pool", fresh)
    yield fresh
    get_settings.cache_clear()


class Overlap:
    """Wraps bcrypt.hashpw: counts hashes running at once, each taking at least `seconds`."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.running = 0
        self.most = 0
        self.priorities: list[int] = []
        self.guard = threading.Lock()
        self.real = bcrypt.hashpw

    def __call__(self, secret: bytes, salt: bytes) -> bytes:
        with self.guard:
            self.running += 1
            self.most = max(self.most, self.running)
        self.priorities.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
        try:
            time.sleep(self.seconds)
            return self.real(secret, salt)
        finally:
            with self.guard:
                self.running -= 1


@contextmanager
def lock_held_elsewhere(home: Path):
    """Another process's hash in progress: the machine-wide lock is taken (an open file description
    of its own, as another process would have)."""
    descriptor = os.open(home / passwords.LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(descriptor, fcntl.LOCK_EX)
    try:
        yield
    finally:
        os.close(descriptor)


def test_many_callers_at_once_hash_one_at_a_time(pool, monkeypatch):
    overlap = Overlap(seconds=0.02)
    monkeypatch.setattr(passwords.bcrypt, "hashpw", overlap)
    hashes: list[str] = []
    callers = [threading.Thread(target=lambda: hashes.append(passwords.hash_secret("secret"))) for _ in range(8)]
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join()
    assert len(hashes) == 8 and all(passwords.verify_secret("secret", h) for h in hashes)
    assert overlap.most == 1
    assert pool.queued == 0


def test_the_hashing_thread_runs_at_the_lowest_priority_and_the_caller_keeps_its_own(pool, monkeypatch):
    overlap = Overlap(seconds=0)
    monkeypatch.setattr(passwords.bcrypt, "hashpw", overlap)
    mine = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    passwords.hash_pin("1234")
    assert overlap.priorities == [19]
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == mine


HASHING_PROCESS = """
import json, sys, time
import bcrypt
from axolotly.security import passwords

real, spans = bcrypt.hashpw, []

def timed(secret, salt):
    started = time.monotonic()
    time.sleep(0.03)
    result = real(secret, salt)
    spans.append((started, time.monotonic()))
    return result

passwords.bcrypt.hashpw = timed
time.sleep(max(0.0, float(sys.argv[1]) - time.monotonic()))  # both processes start together
for _ in range(4):
    passwords.hash_secret("secret")
print(json.dumps(spans))
"""


def test_two_processes_never_hash_at_the_same_time(pool, tmp_path):
    """Two server workers are two processes: the machine-wide lock keeps their hashes apart too.
    (CLOCK_MONOTONIC is one clock for every process on Linux, so their spans compare.)"""
    start_at = time.monotonic() + 1.5  # after both have imported the project
    env = {**os.environ, "AXOLOTLY_HOME": str(tmp_path), "PASSWORD_HASH_WAIT_SECONDS": "10"}
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", HASHING_PROCESS, str(start_at)], env=env, stdout=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outputs = [worker.communicate(timeout=30)[0] for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0]
    spans = sorted(span for output in outputs for span in json.loads(output))
    assert len(spans) == 8
    assert all(earlier[1] <= later[0] for earlier, later in zip(spans, spans[1:], strict=False)), spans


def test_a_caller_whose_turn_does_not_come_in_time_gets_503_with_retry_after(pool, tmp_path):
    with lock_held_elsewhere(tmp_path):
        started = time.monotonic()
        with pytest.raises(PasswordCheckBusy) as busy:
            passwords.verify_secret("secret", None)
        waited = time.monotonic() - started
    assert busy.value.status_code == 503
    assert busy.value.headers == {"Retry-After": "1"}
    assert 0.5 <= waited < 3
    # The pool is not stuck: the next caller is served once the lock is free.
    assert passwords.verify_secret("secret", passwords.hash_secret("secret"))
    assert pool.queued == 0


def test_callers_who_would_wait_too_long_are_told_at_once(pool, monkeypatch):
    """With hashes of 0.2 s and a 0.5 s wait, a queue of three is already too long: a fourth caller
    hears 503 at once instead of holding a server thread for nothing."""
    monkeypatch.setattr(passwords.bcrypt, "hashpw", Overlap(seconds=0.2))
    passwords.hash_secret("secret")  # the pool learns how long a hash takes
    answers: list[str] = []

    def caller() -> None:
        try:
            passwords.hash_secret("secret")
            answers.append("hashed")
        except PasswordCheckBusy:
            answers.append("busy")

    started = time.monotonic()
    callers = [threading.Thread(target=caller) for _ in range(8)]
    for thread in callers:
        thread.start()
    for thread in callers:
        thread.join()
    assert "hashed" in answers and "busy" in answers
    assert time.monotonic() - started < 3  # none waited past its limit (0.5 s and one hash)
    assert pool.queued == 0


def test_a_log_in_while_hashing_is_busy_is_503_with_retry_after(client, pool, tmp_path):
    parent = sign_up(client, email="busy-hashing@example.com")
    with lock_held_elsewhere(tmp_path):
        response = client.post(
            "/api/parent/auth/login", json={"email": "busy-hashing@example.com", "password": PASSWORD}
        )
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "1"
    assert "try again" in response.json()["detail"]
    assert (
        client.post("/api/parent/auth/login", json={"email": parent["email"], "password": PASSWORD}).status_code == 200
    )
