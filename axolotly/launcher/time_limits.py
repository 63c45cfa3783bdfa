"""`/api/time-limits`: what the server decides about a kid's screen time now, held like `/api/apps`
(issue 26): with `If-None-Match` and `Prefer: wait=N` the request is held until a parent changes
something that moves the answer (limits, bedtime, bonus, pause, episode grace, the family's zone:
"t<kid>" in live.py), the device changes kid, or the answer's own next change comes (`nextChangeAt`).

The answer is computed in a short transaction of its own on a thread (kids.py, screen_time/), so
a held request holds neither a thread nor a database connection while it waits.
"""

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.types import Receive

from axolotly.db.engine import get_session
from axolotly.families import kids
from axolotly.families import settings as family_settings
from axolotly.launcher.answers import Answer, Hold, HoldCapacity, etag_matches, held_seconds
from axolotly.launcher.auth import AuthenticatedDevice, authenticate_device_async
from axolotly.launcher.live import Changes, device_key, time_key
from axolotly.launcher.reads import LauncherReads
from axolotly.screen_time import service as screen_time
from axolotly.screen_time.schemas import TimeLimits

MIN_RECHECK_SECONDS = 1.0


def iso_utc(moment: datetime | None) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z") if moment else ""


def time_limits_now(db: Session, device: AuthenticatedDevice) -> TimeLimits:
    """Today's limits for this device's kid in the family's time zone; all null and false when unassigned."""
    zone = family_settings.load_family_settings(db, device.family_id).time_zone
    if device.kid_profile_id is None:
        return TimeLimits(
            dailyLimitMinutes=None,
            bedtimeStart=None,
            bedtimeEnd=None,
            scheduleEnabled=False,
            timeZone=zone,
            allowedNow=True,
            nextChangeAt=None,
            reason=None,
            episodeGraceMinutes=0,
        )
    kid = kids.get_kid(db, device.family_id, device.kid_profile_id)
    status = screen_time.allowed_now(db, kid)
    return TimeLimits(
        dailyLimitMinutes=status.limit_minutes,
        bedtimeStart=f"{status.bedtime.start:%H:%M}" if status.bedtime else None,
        bedtimeEnd=f"{status.bedtime.end:%H:%M}" if status.bedtime else None,
        scheduleEnabled=status.enabled,
        timeZone=zone,
        allowedNow=status.allowed_now,
        nextChangeAt=iso_utc(status.next_change_at) or None,
        reason=status.reason,
        episodeGraceMinutes=kid.episode_grace_minutes,
    )


@contextmanager
def own_transaction(app: Any) -> Iterator[Session]:
    """A short transaction, as the request's session dependency makes one (tests' override of it
    honoured: their rolled-back session), committed at the end."""
    sessions = app.dependency_overrides.get(get_session, get_session)()
    db = next(sessions)
    try:
        yield db
    except BaseException as error:
        sessions.throw(error)
        raise
    next(sessions, None)


async def time_limits_answer(
    app: Any,
    reads: LauncherReads,
    changes: Changes | None,
    capacity: HoldCapacity | None,
    *,
    device_id: str | None,
    api_key: str | None,
    if_none_match: str | None,
    prefer: str | None,
    receive: Receive | None = None,
) -> Answer:
    hold = Hold(changes, capacity, held_seconds(if_none_match, prefer), receive)
    try:
        while True:
            since = hold.mark()
            device = await authenticate_device_async(reads, device_id, api_key)
            limits = await run_in_threadpool(_compute, app, device)
            body = limits.model_dump_json().encode()
            headers = {"ETag": f'"t-{hashlib.blake2b(body, digest_size=8).hexdigest()}"', "Cache-Control": "no-cache"}
            if not (if_none_match and etag_matches(if_none_match, {headers["ETag"]})):
                return Answer(200, headers, body, "application/json")
            keys = [device_key(device.id)]
            if device.kid_profile_id is not None:
                keys.append(time_key(device.kid_profile_id))
            if not await hold.wait(keys, since, at_most=_until_next_change(limits)) and hold.remaining() <= 0:
                return Answer(304, headers)
    finally:
        hold.end()


def _compute(app: Any, device: AuthenticatedDevice) -> TimeLimits:
    with own_transaction(app) as db:
        return time_limits_now(db, device)


def _until_next_change(limits: TimeLimits) -> float | None:
    if limits.nextChangeAt is None:
        return None
    moment = datetime.fromisoformat(limits.nextChangeAt.replace("Z", "+00:00"))
    return max((moment - datetime.now(UTC)).total_seconds(), MIN_RECHECK_SECONDS)
