"""A top-up removes what the older backend deleted since the first run: kids and devices."""

from sqlalchemy.orm import Session

from axolotly.importer.report import ImportReport
from axolotly.importer.source import FamilyRows
from axolotly.importer.writes import source_of

# Kids and devices this importer created (its mapping says so) whose older row is gone since: removed,
# with their mapping. Rows a parent added in Axolotly have no mapping and are never touched.
REMOVED = """
WITH gone AS (
    DELETE FROM import_id_map m USING {table} t
    WHERE m.source = %(source)s AND m.kind = %(kind)s AND t.id = m.new_id
      AND t.family_id = ANY(%(families)s) AND m.old_id <> ALL(%(present)s)
    RETURNING m.new_id
)
DELETE FROM {table} t USING gone WHERE t.id = gone.new_id
"""


def remove_deleted(db: Session, families: list[FamilyRows], earlier: list[int], report: ImportReport) -> None:
    """In the families an earlier run imported (`earlier`: their Axolotly ids)."""
    if not earlier:
        return
    for kind, table, label, present in (
        ("device", "devices", "devices", [d["id"] for f in families for d in f.devices]),
        ("kid", "kid_profiles", "kids", [k["id"] for f in families for k in f.kids]),
    ):
        sql = REMOVED.format(table=table)
        params = {"source": source_of(db), "kind": kind, "families": earlier, "present": present}
        removed = db.connection().exec_driver_sql(sql, params).rowcount
        report.kinds[label].skipped["removed: deleted in the older backend"] += removed
