"""Issue 27: being written (helper D)."""

from fastapi import APIRouter

router = APIRouter()
