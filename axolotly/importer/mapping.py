"""The older backend's values in Axolotly's shapes: pure functions, no I/O."""

import json
import re
from datetime import date, time
from typing import Any

from axolotly.catalog.providers import resolve_provider

_HEX_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def service_id(provider_name: Any) -> str | None:
    """Its launcher's service id (lower case, spaces as `_`), as a provider-registry id."""
    if not isinstance(provider_name, str):
        return None
    provider = resolve_provider(provider_name.strip().lower().replace(" ", "_"))
    return provider.id if provider else None


def service_ids(names: Any) -> list[str]:
    """Registry ids in first-seen order; services the registry does not know are dropped."""
    seen: dict[str, None] = {}
    for name in names if isinstance(names, list) else []:
        known = service_id(name)
        if known:
            seen.setdefault(known, None)
    return list(seen)


def day(text: Any) -> date | None:
    if not isinstance(text, str) or not _DAY.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def clock(text: Any) -> time | None:
    match = _CLOCK.match(text.strip()) if isinstance(text, str) else None
    return time(int(match.group(1)), int(match.group(2))) if match else None


def genres(value: Any) -> str:
    """TMDB genre objects; a bare name becomes `{"name": ...}`."""
    items = value if isinstance(value, list) else []
    shaped = [item if isinstance(item, dict) else {"name": str(item)} for item in items if item is not None]
    return json.dumps(shaped)


def vote(value: Any) -> str | None:
    return None if value is None else f"{float(value):.1f}"


def role(is_admin: bool) -> str:
    return "admin" if is_admin else "parent"


def device_key_digests(stored: str, hmac_digest: Any) -> tuple[bytes | None, bytes | None]:
    """(api_key_digest, legacy_key_sha256) for the older backend's `devices.api_key`.

    64 lowercase hex characters are its SHA-256 of the key: kept as the legacy digest until the
    device's first call. Anything else is a key stored as it is (its launcher accepted a plaintext
    match): Axolotly's HMAC of it is written at once and the key itself is not kept. A hex digest is
    never also taken as a key: a stored value is not a credential.
    """
    if _HEX_SHA256.match(stored):
        return None, bytes.fromhex(stored)
    return hmac_digest(stored), None


def screen_time(limit: dict[str, Any] | None) -> dict[str, Any]:
    """The family's time limit, as each of its kids' screen time (the same on school days and
    weekends: the older backend had one limit and one bedtime for every day)."""
    minutes = limit.get("daily_limit_minutes") if limit else None
    minutes = None if minutes is None else max(0, min(1440, int(minutes)))
    start = clock(limit.get("bedtime_start")) if limit and limit.get("schedule_enabled") else None
    end = clock(limit.get("bedtime_end")) if limit and limit.get("schedule_enabled") else None
    if start is None or end is None or start == end:
        start = end = None
    return {
        "screen_time_enabled": minutes is not None or start is not None,
        "limit_minutes": minutes,
        "bedtime_start": start,
        "bedtime_end": end,
    }


def age(value: Any) -> int | None:
    """Its `age` is required but unchecked; Axolotly keeps 0-17 (older kids: 17)."""
    return None if value is None else max(0, min(17, int(value)))
