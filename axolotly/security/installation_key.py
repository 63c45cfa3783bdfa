"""The installation's own signing secret, used when JWT_SECRET is not set (development, tests).

Nothing may sign with a value written in the repository, so a missing secret is made once per
installation: random, in `<AXOLOTLY_HOME>/secret-key`, mode 0600. Every later start reads it back,
so sessions, reset links and device-key digests (DEVICE_KEY_SECRET falls back to it) survive
restarts, and no two installations share a key.

Processes starting together (the server and the worker, uvicorn's workers) must agree on one key:
each writes its candidate to a private temporary file and hard-links it into place. A link never
replaces an existing file, so exactly one candidate wins, complete, and the others read it.
"""

import contextlib
import os
import secrets
from pathlib import Path

FILE_NAME = "secret-key"
MIN_LENGTH = 32


class InstallationKeyError(ValueError):
    """The key file exists but cannot serve (unreadable, or too short to be one of ours)."""


def installation_key(home: Path) -> str:
    """The key kept under `home`, made on first use."""
    path = home / FILE_NAME
    if not path.exists():
        _create(path)
    return _read(path)


def _create(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    candidate = path.with_name(f".{FILE_NAME}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_urlsafe(48) + "\n")
            file.flush()
            os.fsync(file.fileno())
        with contextlib.suppress(FileExistsError):  # another process won the race: its key is the installation's
            os.link(candidate, path)
    finally:
        candidate.unlink(missing_ok=True)


def _read(path: Path) -> str:
    try:
        if path.stat().st_mode & 0o077:  # a copy or a restore may have widened it: signing keys stay private
            raise InstallationKeyError(
                f"the installation key {path} can be read by other users; make it private (chmod 600 {path})"
            )
        key = path.read_text().strip()
    except (OSError, UnicodeDecodeError) as error:
        raise InstallationKeyError(
            f"cannot read the installation key {path}: {error}; fix its permissions or set JWT_SECRET"
        ) from None
    if len(key) < MIN_LENGTH:
        raise InstallationKeyError(
            f"the installation key {path} holds fewer than {MIN_LENGTH} characters; "
            "delete it to make a new one (signed-in sessions end), or set JWT_SECRET"
        )
    return key
