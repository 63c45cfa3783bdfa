"""What plays on a kid web launcher: the episode the kid opened here and when it started, on the
server's clock, so that it may finish when the day's limit or bedtime comes (the parent's episode
grace, screen_time/clock.py `with_grace`).

Kept in a signed cookie of this browser, not in a table: it belongs to this browser and this kid
as the episode does, every worker reads it alike, and nothing is left behind. The signature (an
HMAC under the installation's secret) covers the kid and the paired device, so a kid can neither
make one up nor carry one to another browser or to a sibling; an old one only shortens the grace
(its episode started earlier). Without it (no script, cookies cleared) there is no grace: time is
up at the limit, as before.
"""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime

from fastapi import Request, Response

from axolotly.config import get_settings
from axolotly.screen_time.clock import Playing
from axolotly.web.session import DEVICE, set_cookie

COOKIE = "axolotly_playing"
LIFETIME_SECONDS = 24 * 3600  # an episode's grace never lasts a day; the cookie need not either
VALUE_MAX = 200  # a longer value is none of ours: not even parsed
FIELDS = 6  # kid, title, episode, started, runs out, runtime


@dataclass(frozen=True)
class Opened:
    title_id: int
    episode: str  # the launcher's episode id, "s1e2"
    playing: Playing


def _device(request: Request) -> str:
    return request.cookies.get(DEVICE, "").partition(":")[0]


def _mac(device_id: str, fields: list[str]) -> str:
    key = get_settings().jwt_secret.encode()
    message = "playing:" + "|".join([device_id, *fields])
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()[:32]


def _seconds(moment: datetime | None) -> str:
    return str(int(moment.timestamp())) if moment is not None else ""


def remember(request: Request, response: Response, kid_id: int, opened: Opened) -> None:
    """Sets this browser's cookie: `opened` plays now for `kid_id` (it replaces an earlier one)."""
    playing = opened.playing
    fields = [
        str(kid_id),
        str(opened.title_id),
        opened.episode,
        _seconds(playing.started_at),
        _seconds(playing.runs_out_at),
        "" if playing.runtime_minutes is None else str(playing.runtime_minutes),
    ]
    value = ".".join([*fields, _mac(_device(request), fields)])
    set_cookie(response, COOKIE, value, max_age=LIFETIME_SECONDS)


def _number(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 12 else None


def _moment(text: str) -> datetime | None:
    seconds = _number(text)
    return datetime.fromtimestamp(seconds, UTC) if seconds is not None else None


def read(request: Request, kid_id: int) -> Opened | None:
    """The episode this browser opened for `kid_id`, if its cookie is ours, this device's and this kid's."""
    value = request.cookies.get(COOKIE, "")
    parts = value.split(".") if value.isascii() and len(value) <= VALUE_MAX else []
    if len(parts) != FIELDS + 1:
        return None
    *fields, mac = parts
    if not hmac.compare_digest(mac.encode(), _mac(_device(request), fields).encode()):
        return None
    kid, title_id, episode, started, runs_out, runtime = fields
    started_at = _moment(started)
    if _number(kid) != kid_id or _number(title_id) is None or started_at is None:
        return None
    return Opened(int(title_id), episode, Playing(started_at, _moment(runs_out), _number(runtime)))


def forget(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/")
