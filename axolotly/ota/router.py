"""OTA releases of the launcher: the public manifest and the admin API (to be written)."""

from fastapi import APIRouter

router = APIRouter(tags=["ota"])
