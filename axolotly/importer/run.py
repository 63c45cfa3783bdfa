"""The import, start to end: the catalog once, then the families in batches.

Transactions: each batch of families is one transaction (committed by `end_batch`), and inside it
one SAVEPOINT for the whole batch. When the batch's statements fail (a row the database refuses),
the savepoint is rolled back and each family of the batch is written again in a savepoint of its
own, so a family is all or nothing and one bad family never stops the others, at the cost of one
commit per batch rather than per family (100,000 commits would dominate the run). Families that
cannot come over (an email, a device or a title that conflicts) are found before anything of the
batch is written and skipped whole. A dry run does all of it inside one savepoint it rolls back.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from axolotly.db.engine import get_engine
from axolotly.importer import families as family_writes
from axolotly.importer.catalog import CatalogMap, import_episodes, import_titles
from axolotly.importer.check import check_families
from axolotly.importer.report import ImportReport
from axolotly.importer.shared import import_shared
from axolotly.importer.source import FamilyRows, OriginalSource, open_source
from axolotly.security import api_keys

BATCH_FAMILIES = 1000


def _attempt(db: Session, families: list[FamilyRows], catalog: CatalogMap, check: bool) -> ImportReport:
    """Writes `families` in one savepoint (released, or rolled back on an error that is raised)."""
    attempt = ImportReport()
    ids = family_writes.mapped(db, families)
    with db.begin_nested():
        users, kids = family_writes.write(db, families, ids, catalog, attempt, api_keys.digest)
        if check:
            attempt.families.update(check_families(db, families, users, kids, catalog))
    return attempt


def _import_batch(
    db: Session, families: list[FamilyRows], catalog: CatalogMap, report: ImportReport, check: bool
) -> None:
    report.kinds["families"].read += len(families)
    ids = family_writes.mapped(db, families)
    refused = family_writes.conflicts(db, families, ids, catalog)
    for old_id, reason in refused.items():
        report.skip_family(old_id, reason)
    clear = [family for family in families if family.user["id"] not in refused]
    if not clear:
        return
    try:
        report.merge(_attempt(db, clear, catalog, check))
        return
    except DBAPIError:
        pass  # the batch's savepoint is rolled back: each family on its own, to keep the good ones
    for family in clear:
        try:
            report.merge(_attempt(db, [family], catalog, check))
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
) -> ImportReport:
    report = ImportReport(dry_run=dry_run)
    everything = db.begin_nested() if dry_run else None
    commit = (lambda: None) if dry_run else end_batch
    catalog = import_titles(db, source.titles(), report)
    import_episodes(db, source.episodes(), catalog, report)
    import_shared(db, source.shared(), catalog, report)
    commit()
    family_ids = source.family_ids()
    for start in range(0, len(family_ids), batch_families):
        _import_batch(db, source.families(family_ids[start : start + batch_families]), catalog, report, check)
        commit()
    if everything is not None:
        everything.rollback()
    return report


@contextmanager
def _target() -> Iterator[Session]:
    with Session(get_engine()) as db:
        yield db


def import_from_url(source_url: str, *, dry_run: bool = False, check: bool = True) -> ImportReport:
    """`axolotly import-original`: into DATABASE_URL's database, committing batch by batch."""
    with open_source(source_url) as source, _target() as db:
        report = import_original(db, source, dry_run=dry_run, end_batch=db.commit, check=check)
        db.rollback() if dry_run else db.commit()
    return report
