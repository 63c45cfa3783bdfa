"""bcrypt for passwords and PINs, in a bounded pool.

bcrypt only reads 72 bytes (bcrypt 5 raises beyond that), so longer secrets are refused at the
edge with a clear message rather than silently truncated.

A hash or a check at the production cost is ~0.25 s of a core, by far the heaviest thing a request
does, and it runs on the same machine as the event loops that answer launchers. Unbounded, thirty
parents logging in at once took both cores and the launchers' p99 went from 110 ms to 3.6 s
(issue 26). So every hash and check here:
- runs on this process's one hashing thread: log-ins in one worker take turns (a queue of one);
- holds `<AXOLOTLY_HOME>/bcrypt.lock` (flock) while it hashes: one hash at a time on the whole
  machine, however many workers share it, i.e. at most one core's worth;
- runs at the lowest CPU priority (nice 19, that thread only): the CPU goes to launchers first.
A caller whose answer would take longer than PASSWORD_HASH_WAIT_SECONDS gets PasswordCheckBusy (503
with Retry-After) at once, or when that wait is over, instead of holding a server thread longer.
bcrypt releases the GIL, so the event loop runs on while a hash is computed.
"""

import fcntl
import logging
import math
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import bcrypt

from axolotly.config import get_settings
from axolotly.errors import PasswordCheckBusy
from axolotly.i18n import N_

BCRYPT_MAX_BYTES = 72
_DUMMY_SECRET = b"axolotly-dummy-password"
LOCK_FILE = "bcrypt.lock"
LOWEST_PRIORITY = 19
# How often a hashing thread looks again at a lock another process holds (a hash takes ~250 ms).
LOCK_POLL_SECONDS = 0.01
BUSY = N_("Too many sign-ins at this moment; try again in a few seconds")

Result = TypeVar("Result")
logger = logging.getLogger(__name__)


@lru_cache
def _dummy_hash(rounds: int) -> bytes:
    """Checked when an email is unknown, so that log-in takes the same time either way."""
    return bcrypt.hashpw(_DUMMY_SECRET, bcrypt.gensalt(rounds))


def hash_secret(secret: str, rounds: int | None = None) -> str:
    encoded = secret.encode()
    if len(encoded) > BCRYPT_MAX_BYTES:
        raise ValueError(f"secret longer than {BCRYPT_MAX_BYTES} bytes")
    cost = rounds or get_settings().bcrypt_rounds
    return hashing_pool().run(lambda: bcrypt.hashpw(encoded, bcrypt.gensalt(cost)).decode())


def verify_secret(secret: str, hashed: str | None) -> bool:
    encoded = secret.encode()
    if hashed is None or len(encoded) > BCRYPT_MAX_BYTES:
        rounds = get_settings().bcrypt_rounds
        hashing_pool().run(lambda: bcrypt.checkpw(_DUMMY_SECRET, _dummy_hash(rounds)))
        return False
    stored = hashed.encode()
    return hashing_pool().run(lambda: bcrypt.checkpw(encoded, stored))


def hash_pin(pin: str) -> str:
    # PINs have 10,000 values; the lockout protects them, not the cost. Cheaper keeps PIN entry snappy.
    return hash_secret(pin, max(4, get_settings().bcrypt_rounds - 2))


def _lowest_priority() -> None:
    """Runs in the hashing thread as it starts: on Linux, setpriority on a thread id sets that
    thread's nice value alone (the event loop and the request threads keep theirs)."""
    if sys.platform == "linux":
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), LOWEST_PRIORITY)
        except OSError as error:  # a sandbox may refuse it: hashing still works, only less politely
            logger.warning("could not lower the hashing thread's priority: %s", error)


class HashingPool:
    """One hashing thread per process, one hash at a time per machine (see the module's docstring)."""

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bcrypt", initializer=_lowest_priority)
        self._guard = threading.Lock()
        self._queued = 0  # submitted and not yet done (the one being hashed included)
        self._typical_seconds = 0.0  # a hash's recent duration, turn-taking across processes included

    @property
    def queued(self) -> int:
        return self._queued

    def run(self, work: Callable[[], Result]) -> Result:
        wait = get_settings().password_hash_wait_seconds
        deadline = time.monotonic() + wait
        with self._guard:
            # Everyone queued here goes first: a caller that would wait past the limit is told now,
            # rather than holding a server thread (and the request) only to hear the same later.
            if (self._queued + 1) * self._typical_seconds > wait and self._queued:
                raise busy(wait)
            self._queued += 1
        future = self._executor.submit(self._turn, work, deadline)
        future.add_done_callback(self._done)
        try:
            return future.result(timeout=max(0.0, deadline - time.monotonic()))
        except (FutureTimeout, CancelledError, _TurnMissed):
            future.cancel()  # not started yet: it never will be; started: it ends on its own
            raise busy(wait) from None

    def _turn(self, work: Callable[[], Result], deadline: float) -> Result:
        started = time.monotonic()
        with machine_wide_turn(deadline):
            result = work()
        elapsed = time.monotonic() - started
        self._typical_seconds = elapsed if not self._typical_seconds else 0.7 * self._typical_seconds + 0.3 * elapsed
        return result

    def _done(self, _future: "Future[Any]") -> None:
        with self._guard:
            self._queued -= 1


class _TurnMissed(Exception):
    """The caller's deadline passed before the machine-wide lock came free (the caller has gone)."""


@contextmanager
def machine_wide_turn(deadline: float) -> Iterator[None]:
    """Holds `<AXOLOTLY_HOME>/bcrypt.lock` for the block; polls for it until `deadline`.

    flock, not fcntl's record locks: those are per process, so two threads of one process (tests,
    scripts) would both get them. A home that cannot hold the file costs the machine-wide bound
    only (logged): hashing goes on, bounded per process.
    """
    if time.monotonic() >= deadline:
        raise _TurnMissed  # the caller has gone already
    path = Path(get_settings().axolotly_home) / LOCK_FILE
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as error:
        logger.warning("hashing without the machine-wide lock (%s): %s", path, error)
        yield
        return
    try:
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise _TurnMissed from None
                time.sleep(LOCK_POLL_SECONDS)
        yield
    finally:
        os.close(descriptor)  # closing the only descriptor releases the flock


def busy(wait: float) -> PasswordCheckBusy:
    return PasswordCheckBusy(BUSY, retry_after_seconds=math.ceil(wait))


_pool: HashingPool | None = None
_pool_guard = threading.Lock()


def hashing_pool() -> HashingPool:
    global _pool
    if _pool is None:
        with _pool_guard:
            if _pool is None:
                _pool = HashingPool()
    return _pool


def _forget_pool_in_child() -> None:
    """A forked child has no hashing thread (threads do not survive fork): it makes its own."""
    global _pool, _pool_guard
    _pool, _pool_guard = None, threading.Lock()


os.register_at_fork(after_in_child=_forget_pool_in_child)
