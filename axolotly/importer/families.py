"""A batch of the older backend's families, written set-based (one statement per table).

`conflicts` finds what must skip a family whole before anything is written; `write` writes any
list of families (a whole batch, or one family on its own when the batch failed: run.py).
Each kind is compared with the mapping table: new rows are inserted with ids drawn from their
sequence beforehand, rows whose source fingerprint changed are updated, the rest are left alone.
"""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from axolotly.importer import mapping
from axolotly.importer.activity import write_activity
from axolotly.importer.catalog import CatalogMap
from axolotly.importer.deletions import remove_deleted
from axolotly.importer.report import ImportReport
from axolotly.importer.source import FamilyRows
from axolotly.importer.writes import allocate_ids, created, insert, known, remember, update, utc

USER_COLUMNS = {"id": "int", "email": "text", "password_hash": "text", "role": "text", "created_at": "timestamptz"}
KID_COLUMNS = {
    "id": "int",
    "family_id": "int",
    "name": "text",
    "pin_hash": "text",
    "age": "smallint",
    "screen_time_enabled": "bool",
    "school_day_limit_minutes": "smallint",
    "weekend_limit_minutes": "smallint",
    "school_day_bedtime_start": "time",
    "school_day_bedtime_end": "time",
    "weekend_bedtime_start": "time",
    "weekend_bedtime_end": "time",
}
DEVICE_COLUMNS = {
    "id": "int",
    "device_id": "text",
    "family_id": "int",
    "kid_profile_id": "int",
    "friendly_name": "text",
    "last_active": "timestamptz",
    "api_key_digest": "bytea",
    "legacy_key_sha256": "bytea",
    "device_model": "text",
    "device_manufacturer": "text",
    "app_version": "text",
    "app_version_code": "int",
    "fcm_token": "text",
}
POLICY_COLUMNS = {"kid_profile_id": "int", "title_id": "int", "policy": "text", "blocked_episodes": "jsonb"}
# A changed policy is rewritten; an unchanged one is not touched (its launcher keeps its ETag).
POLICY_UPSERT = """
ON CONFLICT (kid_profile_id, title_id)
DO UPDATE SET policy = excluded.policy, blocked_episodes = excluded.blocked_episodes
WHERE (kid_profiles_titles.policy, COALESCE(kid_profiles_titles.blocked_episodes, '[]'))
      IS DISTINCT FROM (excluded.policy, COALESCE(excluded.blocked_episodes, '[]'))
RETURNING (xmax = 0) AS inserted
"""
SELECTION_UPSERT = """
ON CONFLICT (family_id) DO UPDATE SET selected_services = excluded.selected_services
WHERE streaming_service_selection.selected_services IS DISTINCT FROM excluded.selected_services
RETURNING (xmax = 0) AS inserted
"""
# A policy removed in the older backend since the last import is removed here too.
REMOVED_POLICIES = """
DELETE FROM kid_profiles_titles p
WHERE p.kid_profile_id = ANY(%(kids)s)
  AND (p.kid_profile_id, p.title_id) NOT IN (SELECT * FROM unnest(%(kid_ids)s::int[], %(title_ids)s::int[]))
"""


def _cut(value: Any, length: int) -> Any:
    return value[:length] if isinstance(value, str) else value


@dataclass
class Mapped:
    """Older id -> Axolotly id of this batch's families, kids and devices (earlier imports included)."""

    users: dict[int, tuple[int, str]]
    kids: dict[int, tuple[int, str]]
    devices: dict[int, tuple[int, str]]


def mapped(db: Session, families: list[FamilyRows]) -> Mapped:
    return Mapped(
        known(db, "user", [f.user["id"] for f in families]),
        known(db, "kid", [k["id"] for f in families for k in f.kids]),
        known(db, "device", [d["id"] for f in families for d in f.devices]),
    )


def conflicts(db: Session, families: list[FamilyRows], ids: Mapped, catalog: CatalogMap) -> dict[int, str]:
    """Family (older id) -> why it cannot come over, for the whole batch in two statements."""
    emails = [f.user["email"] for f in families]
    taken_emails = {
        row.email: row.id
        for row in db.connection().exec_driver_sql(
            "SELECT id, email FROM users WHERE email = ANY(%(emails)s)", {"emails": emails}
        )
    }
    device_ids = [d["device_id"] for f in families for d in f.devices]
    taken_devices = {
        row.device_id: row.id
        for row in db.connection().exec_driver_sql(
            "SELECT id, device_id FROM devices WHERE device_id = ANY(%(ids)s)", {"ids": device_ids}
        )
    }
    found: dict[int, str] = {}
    for family in families:
        old_id = family.user["id"]
        ours = ids.users.get(old_id, (None, ""))[0]
        if family.user["email"] in taken_emails and taken_emails[family.user["email"]] != ours:
            found[old_id] = f"email conflict: {family.user['email']} already has an Axolotly account"
            continue
        for device in family.devices:
            held = taken_devices.get(device["device_id"])
            if held is not None and held != ids.devices.get(device["id"], (None, ""))[0]:
                found[old_id] = f"device conflict: device {device['device_id']} is paired to another family"
                break
        if old_id in found:
            continue
        for policy in family.policies:
            if policy["title_id"] in catalog.conflicts:
                found[old_id] = catalog.conflicts[policy["title_id"]]
                break
    return found


def _split(rows: list[dict[str, Any]], ids: dict[int, tuple[int, str]], fingerprint: Callable[[Any], str]) -> Any:
    new = [row for row in rows if row["id"] not in ids]
    changed = [row for row in rows if row["id"] in ids and ids[row["id"]][1] != fingerprint(row)]
    return new, changed, len(rows) - len(new) - len(changed)


def write(
    db: Session,
    families: list[FamilyRows],
    ids: Mapped,
    catalog: CatalogMap,
    report: ImportReport,
    hmac_digest: Callable[[str], bytes],
) -> tuple[dict[int, int], dict[int, int]]:
    """Writes the families; returns older -> Axolotly ids of families and kids (the launcher check)."""
    users = _write_users(db, families, ids, report)
    remove_deleted(db, families, [new_id for new_id, _ in ids.users.values()], report)
    kids = _write_kids(db, families, ids, users, report)
    _write_selections(db, families, users, report)
    _write_policies(db, families, ids, kids, catalog, report)
    devices = _write_devices(db, families, ids, users, kids, report, hmac_digest)
    write_activity(db, families, users, kids, devices, catalog, report)
    report.kinds["families"].imported += len(families)
    return users, kids


def _write_users(db: Session, families: list[FamilyRows], ids: Mapped, report: ImportReport) -> dict[int, int]:
    counts = report.kinds["users"]
    rows = [f.user for f in families]
    counts.read += len(rows)
    new, changed, unchanged = _split(rows, ids.users, lambda row: row["fingerprint"])
    new_ids = dict(zip([row["id"] for row in new], allocate_ids(db, "users", len(new)), strict=True))
    result = {old: new_id for old, (new_id, _) in ids.users.items()} | new_ids

    def shaped(row: dict[str, Any]) -> tuple[Any, ...]:
        return (
            result[row["id"]],
            row["email"],
            row["password_hash"],
            mapping.role(row["is_admin"]),
            created(row["created_at"]),
        )

    insert(db, "users", USER_COLUMNS, [shaped(row) for row in new])
    update(db, "users", {k: v for k, v in USER_COLUMNS.items() if k != "created_at"}, [shaped(r)[:4] for r in changed])
    remember(db, "user", [(row["id"], result[row["id"]], row["fingerprint"]) for row in new + changed])
    counts.imported += len(new)
    counts.updated += len(changed)
    counts.unchanged += unchanged
    return result


def _write_kids(
    db: Session, families: list[FamilyRows], ids: Mapped, users: dict[int, int], report: ImportReport
) -> dict[int, int]:
    counts = report.kinds["kids"]
    limits = {f.user["id"]: f.time_limit for f in families}
    rows = [kid for f in families for kid in f.kids]
    counts.read += len(rows)

    def fingerprint(kid: dict[str, Any]) -> str:
        # The family's time limit becomes each kid's screen time: a change of either is a change.
        limit = limits[kid["parent_id"]]
        return kid["fingerprint"] if limit is None else json_md5(kid["fingerprint"], limit["fingerprint"])

    new, changed, unchanged = _split(rows, ids.kids, fingerprint)
    new_ids = dict(zip([row["id"] for row in new], allocate_ids(db, "kid_profiles", len(new)), strict=True))
    result = {old: new_id for old, (new_id, _) in ids.kids.items()} | new_ids

    def shaped(kid: dict[str, Any]) -> tuple[Any, ...]:
        time = mapping.screen_time(limits[kid["parent_id"]])
        minutes, start, end = time["limit_minutes"], time["bedtime_start"], time["bedtime_end"]
        return (
            result[kid["id"]],
            users[kid["parent_id"]],
            _cut(kid["name"], 100),
            kid["pin"],
            mapping.age(kid["age"]),
            time["screen_time_enabled"],
            minutes,
            minutes,
            start,
            end,
            start,
            end,
        )

    insert(db, "kid_profiles", KID_COLUMNS, [shaped(kid) for kid in new])
    update(db, "kid_profiles", KID_COLUMNS, [shaped(kid) for kid in changed])
    remember(db, "kid", [(kid["id"], result[kid["id"]], fingerprint(kid)) for kid in new + changed])
    counts.imported += len(new)
    counts.updated += len(changed)
    counts.unchanged += unchanged
    return result


def json_md5(*parts: str) -> str:
    return hashlib.md5("/".join(parts).encode(), usedforsecurity=False).hexdigest()


def _write_selections(db: Session, families: list[FamilyRows], users: dict[int, int], report: ImportReport) -> None:
    counts = report.kinds["service selections"]
    rows = [
        (users[f.user["id"]], json.dumps(mapping.service_ids(f.selection["selected_services"])))
        for f in families
        if f.selection is not None
    ]
    counts.read += len(rows)
    written = insert(
        db, "streaming_service_selection", {"family_id": "int", "selected_services": "jsonb"}, rows, SELECTION_UPSERT
    )
    counts.imported += sum(1 for row in written if row.inserted)
    counts.updated += sum(1 for row in written if not row.inserted)
    counts.unchanged += len(rows) - len(written)


def _write_policies(
    db: Session,
    families: list[FamilyRows],
    ids: Mapped,
    kids: dict[int, int],
    catalog: CatalogMap,
    report: ImportReport,
) -> None:
    counts = report.kinds["policies"]
    rows = []
    for family in families:
        for policy in family.policies:
            blocked = sorted(catalog.episodes[e] for e in policy["blocked"] if e in catalog.episodes)
            rows.append(
                (
                    kids[policy["kid_profile_id"]],
                    catalog.titles[policy["title_id"]],
                    "allow" if policy["allowed"] else "deny",
                    json.dumps(blocked) if blocked else None,
                )
            )
    counts.read += len(rows)
    written = insert(db, "kid_profiles_titles", POLICY_COLUMNS, rows, POLICY_UPSERT)
    counts.imported += sum(1 for row in written if row.inserted)
    counts.updated += sum(1 for row in written if not row.inserted)
    counts.unchanged += len(rows) - len(written)
    earlier = [new_id for old, (new_id, _) in ids.kids.items()]
    if earlier:
        params = {"kids": earlier, "kid_ids": [r[0] for r in rows], "title_ids": [r[1] for r in rows]}
        removed = db.connection().exec_driver_sql(REMOVED_POLICIES, params).rowcount
        counts.skipped["removed: no longer in the older backend"] += removed


def _write_devices(
    db: Session,
    families: list[FamilyRows],
    ids: Mapped,
    users: dict[int, int],
    kids: dict[int, int],
    report: ImportReport,
    hmac_digest: Callable[[str], bytes],
) -> dict[int, int]:
    counts = report.kinds["devices"]
    own_kids = {kid["id"]: f.user["id"] for f in families for kid in f.kids}
    rows = [device for f in families for device in f.devices]
    counts.read += len(rows)
    new, changed, unchanged = _split(rows, ids.devices, lambda row: row["fingerprint"])
    new_ids = dict(zip([row["id"] for row in new], allocate_ids(db, "devices", len(new)), strict=True))
    result = {old: new_id for old, (new_id, _) in ids.devices.items()} | new_ids

    def shaped(device: dict[str, Any]) -> tuple[Any, ...]:
        kid = device["kid_profile_id"]
        digest, legacy = mapping.device_key_digests(device["api_key"], hmac_digest)
        return (
            result[device["id"]],
            device["device_id"],
            users[device["family_id"]],
            kids[kid] if own_kids.get(kid) == device["family_id"] else None,  # another family's kid: none
            _cut(device["device_name"], 100),
            utc(device["last_active"]),
            digest,
            legacy,
            _cut(device["device_model"], 100),
            _cut(device["device_manufacturer"], 100),
            _cut(device["app_version"], 50),
            device["app_version_code"],
            _cut(device["fcm_token"], 4096),
        )

    insert(
        db,
        "devices",
        {**DEVICE_COLUMNS, "paired_at": "timestamptz"},
        [(*shaped(d), created(d["created_at"])) for d in new],
    )
    update(db, "devices", DEVICE_COLUMNS, [shaped(device) for device in changed])
    remember(db, "device", [(d["id"], result[d["id"]], d["fingerprint"]) for d in new + changed])
    counts.imported += len(new)
    counts.updated += len(changed)
    counts.unchanged += unchanged
    return result
