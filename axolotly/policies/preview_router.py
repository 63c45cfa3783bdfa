"""Issue 27: being written (helper A)."""

from fastapi import APIRouter

router = APIRouter()
