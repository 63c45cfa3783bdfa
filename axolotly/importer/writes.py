"""Set-based writes: one statement per table and batch (arrays unnested), never one per row.

Table and column names come from this package's constants, never from input; values are bound.
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

# Axolotly's type of each column the importer writes -> the array type its values travel in.
_ARRAY_TYPE = {"jsonb": "text[]"}


def utc(value: datetime | None) -> datetime | None:
    """The older backend's naive datetimes mean UTC."""
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def created(value: datetime | None) -> datetime:
    """A creation time: the row's own, or now when the older row has none."""
    return utc(value) or datetime.now(UTC)


def allocate_ids(db: Session, table: str, count: int) -> list[int]:
    """`count` ids from the table's own sequence: rows and their mapping are known before the insert."""
    if count == 0:
        return []
    sql = "SELECT nextval(pg_get_serial_sequence(%(table)s, 'id')) FROM generate_series(1, %(count)s)"
    return [row[0] for row in db.connection().exec_driver_sql(sql, {"table": table, "count": count})]


def _unnested(columns: dict[str, str], rows: Sequence[Sequence[Any]]) -> tuple[str, dict[str, Any]]:
    names = list(columns)
    arrays = ", ".join(f"%(c{i})s::{_ARRAY_TYPE.get(kind, kind + '[]')}" for i, kind in enumerate(columns.values()))
    values = ", ".join(f"v.{name}::{kind}" if kind == "jsonb" else f"v.{name}" for name, kind in columns.items())
    params = {f"c{i}": [row[i] for row in rows] for i in range(len(names))}
    return f"SELECT {values} FROM unnest({arrays}) AS v({', '.join(names)})", params  # noqa: S608 (constants)


def insert(
    db: Session, table: str, columns: dict[str, str], rows: Sequence[Sequence[Any]], tail: str = ""
) -> list[Any]:
    """INSERT INTO table (columns) SELECT ... FROM unnest(...) [tail]; returns RETURNING rows if any."""
    if not rows:
        return []
    select, params = _unnested(columns, rows)
    sql = f"INSERT INTO {table} ({', '.join(columns)}) {select} {tail}"  # noqa: S608 (names are constants)
    result = db.connection().exec_driver_sql(sql, params)
    return list(result) if result.returns_rows else []


def update(db: Session, table: str, columns: dict[str, str], rows: Sequence[Sequence[Any]]) -> None:
    """UPDATE table by id (the first column) from unnested rows."""
    if not rows:
        return
    select, params = _unnested(columns, rows)
    names = list(columns)
    assignments = ", ".join(f"{name} = u.{name}" for name in names[1:])
    sql = f"UPDATE {table} t SET {assignments} FROM ({select}) AS u WHERE t.{names[0]} = u.{names[0]}"  # noqa: S608
    db.connection().exec_driver_sql(sql, params)


def source_of(db: Session) -> str:
    """The older database this import reads (run.py puts it in the session): the mapping's key."""
    return db.info["import_source"]


def known(db: Session, kind: str, old_ids: Sequence[int]) -> dict[int, tuple[int, str]]:
    """What an earlier import of this source and kind mapped: old id -> (new id, fingerprint)."""
    if not old_ids:
        return {}
    sql = (
        "SELECT old_id, new_id, fingerprint FROM import_id_map"
        " WHERE source = %(source)s AND kind = %(kind)s AND old_id = ANY(%(ids)s)"
    )
    rows = db.connection().exec_driver_sql(sql, {"source": source_of(db), "kind": kind, "ids": list(old_ids)})
    return {row.old_id: (row.new_id, row.fingerprint) for row in rows}


def written(db: Session, kind: str, old_ids: Sequence[int]) -> dict[int, Any]:
    """What an earlier import last wrote (the mapping's `written`), by old id."""
    if not old_ids:
        return {}
    sql = (
        "SELECT old_id, written FROM import_id_map"
        " WHERE source = %(source)s AND kind = %(kind)s AND old_id = ANY(%(ids)s)"
    )
    rows = db.connection().exec_driver_sql(sql, {"source": source_of(db), "kind": kind, "ids": list(old_ids)})
    return {row.old_id: row.written for row in rows}


def remember(db: Session, kind: str, rows: Sequence[Sequence[Any]]) -> None:
    """(old id, new id, fingerprint[, written]) into the mapping table; an unchanged mapping is not
    rewritten. `written` (JSON text) is kept as it was when a row does not give it."""
    if rows and len(rows[0]) == 4:
        insert(
            db,
            "import_id_map",
            {
                "source": "text",
                "kind": "text",
                "old_id": "int",
                "new_id": "int",
                "fingerprint": "text",
                "written": "jsonb",
            },
            [(source_of(db), kind, *row) for row in rows],
            "ON CONFLICT (source, kind, old_id) DO UPDATE SET new_id = excluded.new_id,"
            " fingerprint = excluded.fingerprint, written = excluded.written, imported_at = now()"
            " WHERE (import_id_map.new_id, import_id_map.fingerprint, import_id_map.written)"
            " IS DISTINCT FROM (excluded.new_id, excluded.fingerprint, excluded.written)",
        )
        return
    insert(
        db,
        "import_id_map",
        {"source": "text", "kind": "text", "old_id": "int", "new_id": "int", "fingerprint": "text"},
        [(source_of(db), kind, *row) for row in rows],
        "ON CONFLICT (source, kind, old_id) DO UPDATE SET new_id = excluded.new_id, fingerprint = excluded.fingerprint,"
        " imported_at = now() WHERE (import_id_map.new_id, import_id_map.fingerprint)"
        " IS DISTINCT FROM (excluded.new_id, excluded.fingerprint)",
    )


def existing(db: Session, table: str, ids: Sequence[int]) -> set[int]:
    """Which of `ids` are still rows of `table` (a parent may have deleted one since an import)."""
    if not ids:
        return set()
    sql = f"SELECT id FROM {table} WHERE id = ANY(%(ids)s)"  # noqa: S608 (the name is a constant)
    return {row.id for row in db.connection().exec_driver_sql(sql, {"ids": list(ids)})}
