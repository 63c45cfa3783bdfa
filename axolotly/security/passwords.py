"""bcrypt for passwords and PINs.

bcrypt only reads 72 bytes (bcrypt 5 raises beyond that), so longer secrets are refused at the
edge with a clear message rather than silently truncated.
"""

import bcrypt

BCRYPT_MAX_BYTES = 72
PASSWORD_ROUNDS = 12
PIN_ROUNDS = 10
# Compared against when an email is unknown, so that login takes the same time either way.
_DUMMY_HASH = bcrypt.hashpw(b"axolotly-dummy-password", bcrypt.gensalt(PASSWORD_ROUNDS))


def hash_secret(secret: str, rounds: int = PASSWORD_ROUNDS) -> str:
    encoded = secret.encode()
    if len(encoded) > BCRYPT_MAX_BYTES:
        raise ValueError(f"secret longer than {BCRYPT_MAX_BYTES} bytes")
    return bcrypt.hashpw(encoded, bcrypt.gensalt(rounds)).decode()


def verify_secret(secret: str, hashed: str | None) -> bool:
    encoded = secret.encode()
    if hashed is None or len(encoded) > BCRYPT_MAX_BYTES:
        bcrypt.checkpw(b"axolotly-dummy-password", _DUMMY_HASH)
        return False
    return bcrypt.checkpw(encoded, hashed.encode())


def hash_pin(pin: str) -> str:
    return hash_secret(pin, PIN_ROUNDS)
