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


def digest(api_key: str) -> str:
    return hmac.new(get_settings().device_hmac_secret, api_key.encode(), hashlib.sha256).hexdigest()


def matches(api_key: str, stored_digest: str | None) -> bool:
    """Constant-time; the stored digest itself is not a key (its own HMAC differs)."""
    if not stored_digest:
        return False
    return hmac.compare_digest(digest(api_key), stored_digest)
