"""Launcher releases: what admins publish, and which one the manifest offers to a device.

Rollout rule (the manifest):
- A device's bucket is `sha256(X-Device-ID)`'s first 8 bytes, big-endian, mod 100: stable across
  calls, processes and restarts (Python's `hash()` is salted per process), spread evenly, and a
  function of the id string alone, so no other device, family or database row can move it.
- Among the channel's active releases newer than the device's `current_version_code`, the newest
  one the device is eligible for is offered. Eligible: its bucket is below the release's
  `rollout_percentage`, or the device is below the release's `min_version_code` (too old to keep
  running: it updates whatever the rollout says, even at 0 %).
- A caller without a device id is in the last bucket (99): only a full (100 %) rollout reaches
  it. A staged rollout exists to limit exposure, so anonymous callers never join an early cohort.
- Nothing offered: the newest active release is still described, with `update_available: false`.
"""

import hashlib
from collections.abc import Sequence

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from axolotly.errors import Conflict, Invalid, NotFound
from axolotly.i18n import N_
from axolotly.models import OtaRelease
from axolotly.ota.schemas import Channel, Manifest, ReleaseCreate

BUCKETS = 100
ANONYMOUS_BUCKET = BUCKETS - 1


def bucket(device_id: str | None) -> int:
    if not device_id:
        return ANONYMOUS_BUCKET
    digest = hashlib.sha256(device_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % BUCKETS


def is_offered(release: OtaRelease, current_version_code: int, device_bucket: int) -> bool:
    if release.version_code <= current_version_code:
        return False
    return current_version_code < release.min_version_code or device_bucket < release.rollout_percentage


def _active(channel: str) -> Select[tuple[OtaRelease]]:
    return (
        select(OtaRelease)
        .where(OtaRelease.active, OtaRelease.channel == channel)
        .order_by(OtaRelease.version_code.desc())
    )


def active_releases(db: Session, channel: str) -> list[OtaRelease]:
    return list(db.scalars(_active(channel)))


def offered_release(
    releases: Sequence[OtaRelease], current_version_code: int, device_id: str | None
) -> OtaRelease | None:
    """The newest of `releases` (newest first) this device should install now, if any."""
    device_bucket = bucket(device_id)
    return next((release for release in releases if is_offered(release, current_version_code, device_bucket)), None)


def offers_update(releases: Sequence[OtaRelease], current_version_code: int, device_id: str | None) -> bool:
    return offered_release(releases, current_version_code, device_id) is not None


def manifest(db: Session, channel: Channel, current_version_code: int, device_id: str | None) -> Manifest:
    newer = db.scalars(_active(channel).where(OtaRelease.version_code > current_version_code)).all()
    offered = offered_release(newer, current_version_code, device_id)
    shown = offered or (newer[0] if newer else db.scalars(_active(channel).limit(1)).first())
    if shown is None:
        return Manifest(update_available=False, channel=channel)
    return Manifest(
        update_available=offered is not None,
        channel=channel,
        latest_version=shown.version_name,
        version_code=shown.version_code,
        apk_url=shown.apk_url,
        sha256=shown.sha256,
        min_version_code=shown.min_version_code,
        release_notes=shown.release_notes,
        rollout_percentage=shown.rollout_percentage,
    )


# -- admin --------------------------------------------------------------------------------------


def list_releases(db: Session, channel: str | None, limit: int, offset: int) -> list[OtaRelease]:
    statement = select(OtaRelease).order_by(OtaRelease.channel, OtaRelease.version_code.desc())
    if channel is not None:
        statement = statement.where(OtaRelease.channel == channel)
    return list(db.scalars(statement.limit(limit).offset(offset)))


def get_release(db: Session, release_id: int) -> OtaRelease:
    release = db.get(OtaRelease, release_id)
    if release is None:
        raise NotFound(N_("Release not found"))
    return release


def publish(db: Session, body: ReleaseCreate) -> OtaRelease:
    taken = select(OtaRelease.id).where(
        OtaRelease.channel == body.channel, OtaRelease.version_code == body.version_code
    )
    if db.scalar(taken) is not None:
        raise Conflict(
            N_("The %(channel)s channel already has version code %(code)s"),
            channel=body.channel,
            code=body.version_code,
        )
    release = OtaRelease(**body.model_dump())
    db.add(release)
    db.flush()
    return release


def update_release(db: Session, release_id: int, changes: dict) -> OtaRelease:
    """Activate, deactivate, re-stage; `changes` holds only the fields to change."""
    release = get_release(db, release_id)
    if changes.get("min_version_code", release.min_version_code) > release.version_code:
        raise Invalid(
            N_("min_version_code cannot be above this release's version code (%(code)s)"), code=release.version_code
        )
    for field, value in changes.items():
        setattr(release, field, value)
    db.flush()
    return release
