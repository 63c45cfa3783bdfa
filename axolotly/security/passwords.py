"""bcrypt for passwords and PINs.

bcrypt only reads 72 bytes (bcrypt 5 raises beyond that), so longer secrets are refused at the
edge with a clear message rather than silently truncated.
"""

from functools import lru_cache

import bcrypt

from axolotly.config import get_settings

BCRYPT_MAX_BYTES = 72
_DUMMY_SECRET = b"axolotly-dummy-password"


@lru_cache
def _dummy_hash(rounds: int) -> bytes:
    """Checked when an email is unknown, so that log-in takes the same time either way."""
    return bcrypt.hashpw(_DUMMY_SECRET, bcrypt.gensalt(rounds))


def hash_secret(secret: str, rounds: int | None = None) -> str:
    encoded = secret.encode()
    if len(encoded) > BCRYPT_MAX_BYTES:
        raise ValueError(f"secret longer than {BCRYPT_MAX_BYTES} bytes")
    return bcrypt.hashpw(encoded, bcrypt.gensalt(rounds or get_settings().bcrypt_rounds)).decode()


def verify_secret(secret: str, hashed: str | None) -> bool:
    encoded = secret.encode()
    if hashed is None or len(encoded) > BCRYPT_MAX_BYTES:
        bcrypt.checkpw(_DUMMY_SECRET, _dummy_hash(get_settings().bcrypt_rounds))
        return False
    return bcrypt.checkpw(encoded, hashed.encode())


def hash_pin(pin: str) -> str:
    # PINs have 10,000 values; the lockout protects them, not the cost. Cheaper keeps PIN entry snappy.
    return hash_secret(pin, max(4, get_settings().bcrypt_rounds - 2))
