"""Device API keys: 32 random bytes, shown once, stored as HMAC-SHA256 with a server secret."""

import hashlib
import hmac
import secrets
import uuid

from axolotly.config import get_settings


def new_device_id() -> str:
    return str(uuid.uuid4())


def new_api_key() -> str:
    return secrets.token_urlsafe(32)


def digest(api_key: str) -> bytes:
    """The 32 bytes stored in devices.api_key_digest (bytea: half the size of its hex)."""
    return hmac.new(get_settings().device_hmac_secret, api_key.encode(), hashlib.sha256).digest()


def matches(api_key: str, stored_digest: bytes | None) -> bool:
    """Constant-time; the stored digest itself is not a key (its own HMAC differs)."""
    if not stored_digest:
        return False
    return hmac.compare_digest(digest(api_key), stored_digest)


def legacy_digest(api_key: str) -> bytes:
    """The older backend's stored form of a key: unsalted SHA-256 (kept only until first use)."""
    return hashlib.sha256(api_key.encode()).digest()


def matches_legacy(api_key: str, stored_sha256: bytes | None) -> bool:
    """Constant-time, like `matches`; the stored digest itself is not a key."""
    if not stored_sha256:
        return False
    return hmac.compare_digest(legacy_digest(api_key), stored_sha256)
