"""A family's data as a zip: the parent's own export, and an administrator's for a data request.

The route checks, counts and records the export in the request's transaction, which commits when
it returns (accounts/deps.py DbSession), before any byte of the zip is sent; the body is then read
from a snapshot of its own (exports/family_export.py) into a temporary file, which is then sent
(zipstream.py spooled: a slow download holds no database connection or transaction).
"""

from typing import Any

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from axolotly.accounts.deps import CurrentAdmin, DbSession
from axolotly.exports import family_export
from axolotly.exports.zipstream import zip_response
from axolotly.families.deps import CurrentFamily
from axolotly.types import RowId

router = APIRouter()

ZIP_ANSWER: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "A zip: README.txt, family.json, watch-history.csv, activity.csv (streamed)",
        "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
    }
}


@router.get("/api/parent/me/export", tags=["account"], response_class=StreamingResponse, responses=ZIP_ANSWER)
def export_my_family(family: CurrentFamily, db: DbSession) -> StreamingResponse:
    """Everything Axolotly holds about the caller's family (owner or co-parent), as a zip to keep.
    Recorded in the family's activity list; a few exports per family and hour (429 beyond)."""
    name = family_export.start_family_export(db, family)
    return zip_response(family_export.family_body(db, family.id), name)


@router.get(
    "/api/admin/families/{family_id}/export", tags=["admin"], response_class=StreamingResponse, responses=ZIP_ANSWER
)
def export_a_family(family_id: RowId, admin: CurrentAdmin, db: DbSession) -> StreamingResponse:
    """A family's data for a data request (the family is its owner's user id; 404 for any other
    id). The export is a line of the family's activity list."""
    name = family_export.start_admin_export(db, admin, family_id)
    return zip_response(family_export.family_body(db, family_id), name)
