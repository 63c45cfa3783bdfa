"""Device care routes of the launcher contract: heartbeat and device info (to be written)."""

from fastapi import APIRouter

router = APIRouter(tags=["launcher"])
