"""OTA releases of the launcher: the public manifest and the admin API."""

from typing import Annotated

from fastapi import APIRouter, Header, Query, status

from axolotly.accounts.deps import CurrentAdmin, DbSession
from axolotly.ota import service
from axolotly.ota.schemas import Channel, Manifest, ReleaseCreate, ReleaseOut, ReleaseUpdate
from axolotly.types import PageOffset, RowId, SmallCount

router = APIRouter(tags=["ota"])


@router.get("/api/ota/manifest", response_model=Manifest, response_model_exclude_none=True)
def manifest(
    db: DbSession,
    current_version_code: Annotated[SmallCount, Query()],
    channel: Annotated[Channel, Query()] = "production",
    x_device_id: Annotated[str | None, Header(max_length=255)] = None,
):
    """The update this launcher should install, if any. Device headers are optional and not
    checked: the APK is public, and X-Device-ID only picks the rollout bucket (ota/service.py)."""
    return service.manifest(db, channel, current_version_code, x_device_id)


@router.get("/api/admin/ota/releases", response_model=list[ReleaseOut])
def list_releases(
    admin: CurrentAdmin,
    db: DbSession,
    channel: Channel | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 100,
    offset: Annotated[PageOffset, Query()] = 0,
):
    return service.list_releases(db, channel, limit, offset)


@router.post("/api/admin/ota/releases", response_model=ReleaseOut, status_code=status.HTTP_201_CREATED)
def publish_release(body: ReleaseCreate, admin: CurrentAdmin, db: DbSession):
    return service.publish(db, body)


@router.get("/api/admin/ota/releases/{release_id}", response_model=ReleaseOut)
def get_release(release_id: RowId, admin: CurrentAdmin, db: DbSession):
    return service.get_release(db, release_id)


@router.patch("/api/admin/ota/releases/{release_id}", response_model=ReleaseOut)
def update_release(release_id: RowId, body: ReleaseUpdate, admin: CurrentAdmin, db: DbSession):
    """Activate or deactivate, change the rollout percentage, the minimum version or the notes."""
    return service.update_release(db, release_id, body.model_dump(exclude_none=True))
