"""What `bench/day.py` (the generator) and `bench/locustfile.py` (the fleet) must agree on.

No imports of the project or of Locust: the generator runs in the project's interpreter, the
fleet under Locust's gevent, and both read the same few names from here.
"""

import hashlib
import hmac


def device_id(kid_id: int) -> str:
    """The device of kid `kid_id` (one launcher per kid in the generated fleet)."""
    return f"fleet-kid-{kid_id}"


def api_key(seed: str, kid_id: int) -> str:
    """The device's API key, derived from the run's seed: the generator stores only its digest
    (as pairing would), the simulated launcher derives the key itself."""
    return hmac.new(seed.encode(), device_id(kid_id).encode(), hashlib.sha256).hexdigest()
