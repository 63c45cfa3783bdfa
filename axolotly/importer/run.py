"""The import, start to end: the catalog once, then the families in batches.

Transactions: each batch of families is one transaction (committed by `end_batch`), and inside it
one SAVEPOINT for the whole batch. When the batch's statements fail (a row the database refuses),
the savepoint is rolled back and each family of the batch is written again in a savepoint of its
own, so a family is all or nothing and one bad family never stops the others, at the cost of one
commit per batch rather than per family (100,000 commits would dominate the run). Families that
cannot come over (an email, a device or a title that conflicts) are found before anything of the
batch is written and skipped whole. A dry run does all of it inside one savepoint it rolls back.

The mapping table is keyed by the older database's identity (source.py): a run against a database
the map has never seen, while the map holds another one's ids, is refused unless the operator says
it is a new source (`--new-source`): another installation's user 5 is not this one's.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from axolotly.db.engine import get_engine
from axolotly.families.settings import valid_time_zone
from axolotly.importer import families as family_writes
from axolotly.importer.catalog import CatalogMap, import_episodes, import_titles
from axolotly.importer.check import check_families
from axolotly.importer.report import ImportReport
from axolotly.importer.shared import import_shared
from axolotly.importer.source import FamilyRows, OriginalSource, open_source
from axolotly.security import api_keys

BATCH_FAMILIES = 1000


class SourceRefused(Exception):
    """The mapping table holds another older database's ids, and this one is not said to be new."""


def _attempt(db: Session, families: list[FamilyRows], catalog: CatalogMap, check: bool, time_zone: str) -> ImportReport:
    """Writes `families` in one savepoint (released, or rolled back on an error that is raised)."""
    attempt = ImportReport(time_zone=time_zone)
    ids = family_writes.mapped(db, families)
    with db.begin_nested():
        users, kids = family_writes.write(db, families, ids, catalog, attempt, api_keys.digest, time_zone)
        if check:
            attempt.families.update(check_families(db, families, users, kids, catalog))
    return attempt


def _import_batch(
    db: Session,
    families: list[FamilyRows],
    catalog: CatalogMap,
    report: ImportReport,
    check: bool,
    collisions: dict[int, str],
) -> None:
    report.kinds["families"].read += len(families)
    ids = family_writes.mapped(db, families)
    refused = family_writes.conflicts(db, families, ids, catalog, collisions)
    for old_id, reason in refused.items():
        report.skip_family(old_id, reason)
    clear = [family for family in families if family.user["id"] not in refused]
    if not clear:
        return
    try:
        report.merge(_attempt(db, clear, catalog, check, report.time_zone))
        return
    except DBAPIError:
        pass  # the batch's savepoint is rolled back: each family on its own, to keep the good ones
    for family in clear:
        try:
            report.merge(_attempt(db, [family], catalog, check, report.time_zone))
        except DBAPIError as error:
            reason = str(error.orig or error).splitlines()[0]
            report.skip_family(family.user["id"], f"refused by the database: {reason}")


def import_original(
    db: Session,
    source: OriginalSource,
    *,
    dry_run: bool = False,
    end_batch: Callable[[], None] = lambda: None,
    batch_families: int = BATCH_FAMILIES,
    check: bool = True,
    time_zone: str = "UTC",
    new_source: bool = False,
) -> ImportReport:
    """Raises Invalid for an unknown `time_zone`, SourceRefused for an older database the mapping
    table does not know while it holds another's (unless `new_source`)."""
    report = ImportReport(dry_run=dry_run, time_zone=valid_time_zone(time_zone))
    db.info["import_source"] = identity = source.identity()
    _check_source(db, identity, new_source)
    everything = db.begin_nested() if dry_run else None
    commit = (lambda: None) if dry_run else end_batch
    catalog = import_titles(db, source.titles(), report)
    import_episodes(db, source.episodes(), catalog, report)
    import_shared(db, source.shared(), catalog, report)
    commit()
    family_ids = source.family_ids()
    collisions = source.email_collisions()
    for start in range(0, len(family_ids), batch_families):
        batch = source.families(family_ids[start : start + batch_families])
        _import_batch(db, batch, catalog, report, check, collisions)
        commit()
    if everything is not None:
        everything.rollback()
    return report


def _check_source(db: Session, identity: str, new_source: bool) -> None:
    sql = (
        "SELECT (SELECT source FROM import_id_map WHERE source <> %(source)s LIMIT 1) AS other,"
        " EXISTS (SELECT 1 FROM import_id_map WHERE source = %(source)s) AS ours"
    )
    row = db.connection().exec_driver_sql(sql, {"source": identity}).one()
    if row.other is not None and not row.ours and not new_source:
        raise SourceRefused(
            f"the import mapping holds the ids of another older database ({row.other}), not of this one"
            f" ({identity}); if this really is another installation to bring over, run again with --new-source"
        )


@contextmanager
def _target() -> Iterator[Session]:
    with Session(get_engine()) as db:
        yield db


def import_from_url(
    source_url: str, *, dry_run: bool = False, check: bool = True, time_zone: str = "UTC", new_source: bool = False
) -> ImportReport:
    """`axolotly import-original`: into DATABASE_URL's database, committing batch by batch."""
    with open_source(source_url) as source, _target() as db:
        report = import_original(
            db,
            source,
            dry_run=dry_run,
            end_batch=db.commit,
            check=check,
            time_zone=time_zone,
            new_source=new_source,
        )
        db.rollback() if dry_run else db.commit()
    return report
