"""A batch of the older backend's families, written set-based (one statement per table).

`conflicts` finds what must skip a family whole before anything is written; `write` writes any
list of families (a whole batch, or one family on its own when the batch failed: run.py).
Each kind is compared with the mapping table: new rows are inserted with ids drawn from their
sequence beforehand, rows whose source fingerprint changed are updated, the rest are left alone.

A mapped row whose Axolotly row is gone was deleted by a parent after an earlier import: it is not
created again, and what hangs off it (a kid's policies and watch history, a device's) is skipped
with the reason in the family's notes. A top-up never reverts a parent's change in Axolotly: a
device's kid and name are rewritten only while they still are what the import last wrote
(`import_id_map.written`), its key columns only while it has no HMAC digest yet (its first call
replaces the legacy digest for good), and a kid's policies removed in the older backend are deleted
only when the import wrote them (the titles are in the kid's "kid policies" mapping).
"""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from axolotly.accounts.service import normalise_email
from axolotly.importer import mapping
from axolotly.importer.activity import write_activity
from axolotly.importer.catalog import CatalogMap
from axolotly.importer.deletions import remove_deleted
from axolotly.importer.report import ImportReport
from axolotly.importer.source import FamilyRows
from axolotly.importer.writes import (
    allocate_ids,
    created,
    existing,
    insert,
    known,
    remember,
    source_of,
    update,
    utc,
    written,
)

USER_COLUMNS = {"id": "int", "email": "text", "password_hash": "text", "role": "text"}
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
DO UPDATE SET policy = excluded.policy, blocked_episodes = excluded.blocked_episodes,
    -- the older backend knows no allow for a while: an end set here stays on an allow, never on a deny
    allowed_until = CASE WHEN excluded.policy = 'allow' THEN kid_profiles_titles.allowed_until END
WHERE (kid_profiles_titles.policy, COALESCE(kid_profiles_titles.blocked_episodes, '[]'))
      IS DISTINCT FROM (excluded.policy, COALESCE(excluded.blocked_episodes, '[]'))
RETURNING (xmax = 0) AS inserted
"""
SELECTION_UPSERT = """
ON CONFLICT (family_id) DO UPDATE SET selected_services = excluded.selected_services
WHERE streaming_service_selection.selected_services IS DISTINCT FROM excluded.selected_services
RETURNING (xmax = 0) AS inserted
"""
# A policy the import wrote (its title is in the kid's "kid policies" mapping) and the older backend
# removed since is removed here too; a title a parent approved in Axolotly is never in that list.
REMOVED_POLICIES = """
DELETE FROM kid_profiles_titles p USING import_id_map m
WHERE m.source = %(source)s AND m.kind = 'kid policies' AND m.old_id = ANY(%(old_kids)s)
  AND p.kid_profile_id = m.new_id AND m.written @> to_jsonb(p.title_id)
  AND (p.kid_profile_id, p.title_id) NOT IN (SELECT * FROM unnest(%(kid_ids)s::int[], %(title_ids)s::int[]))
"""
GONE = "deleted in Axolotly after an earlier import"


def _cut(value: Any, length: int) -> Any:
    return value[:length] if isinstance(value, str) else value


@dataclass
class Mapped:
    """Older id -> Axolotly id of this batch's families, kids and devices (earlier imports included),
    for the rows still in Axolotly; `gone`: kind -> older ids whose Axolotly row a parent deleted."""

    users: dict[int, tuple[int, str]]
    kids: dict[int, tuple[int, str]]
    devices: dict[int, tuple[int, str]]
    gone: dict[str, set[int]]


def mapped(db: Session, families: list[FamilyRows]) -> Mapped:
    found, gone = {}, {}
    for kind, table, old_ids in (
        ("user", "users", [f.user["id"] for f in families]),
        ("kid", "kid_profiles", [k["id"] for f in families for k in f.kids]),
        ("device", "devices", [d["id"] for f in families for d in f.devices]),
    ):
        ids = known(db, kind, old_ids)
        alive = existing(db, table, [new_id for new_id, _ in ids.values()])
        found[kind] = {old: row for old, row in ids.items() if row[0] in alive}
        gone[kind] = {old for old, row in ids.items() if row[0] not in alive}
    return Mapped(found["user"], found["kid"], found["device"], gone)


def paired_devices(db: Session, families: list[FamilyRows]) -> dict[str, Any]:
    """device_id -> (id, family_id) of the Axolotly devices holding this batch's device ids."""
    device_ids = [d["device_id"] for f in families for d in f.devices]
    sql = "SELECT id, device_id, family_id FROM devices WHERE device_id = ANY(%(ids)s)"
    return {row.device_id: row for row in db.connection().exec_driver_sql(sql, {"ids": device_ids})}


def conflicts(
    db: Session, families: list[FamilyRows], ids: Mapped, catalog: CatalogMap, collisions: dict[int, str]
) -> dict[int, str]:
    """Family (older id) -> why it cannot come over, for the whole batch in two statements.

    Emails are compared as Axolotly's log-in does (normalise_email: trimmed, lower case), which is
    also how Axolotly stores them. A device id is a conflict only when another family holds it (a
    parent may have paired the same launcher again in Axolotly).
    """
    emails = sorted({normalise_email(f.user["email"]) for f in families})
    sql = "SELECT id, lower(email) AS email FROM users WHERE lower(email) = ANY(%(emails)s)"
    taken_emails = {row.email: row.id for row in db.connection().exec_driver_sql(sql, {"emails": emails})}
    taken_devices = paired_devices(db, families)
    found: dict[int, str] = {}
    for family in families:
        old_id = family.user["id"]
        ours = ids.users.get(old_id, (None, ""))[0]
        email = normalise_email(family.user["email"])
        if old_id in collisions:
            found[old_id] = collisions[old_id]
            continue
        if old_id in ids.gone["user"]:
            found[old_id] = f"account {GONE}: not created again"
            continue
        if email in taken_emails and taken_emails[email] != ours:
            found[old_id] = f"email conflict: {email} already has an Axolotly account"
            continue
        for device in family.devices:
            held = taken_devices.get(device["device_id"])
            if held is not None and (ours is None or held.family_id != ours):
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
    time_zone: str = "UTC",
) -> tuple[dict[int, int], dict[int, int]]:
    """Writes the families; returns older -> Axolotly ids of families and kids (the launcher check)."""
    users = _write_users(db, families, ids, report, time_zone)
    remove_deleted(db, families, [new_id for new_id, _ in ids.users.values()], report)
    kids = _write_kids(db, families, ids, users, report)
    _write_selections(db, families, users, report)
    _write_policies(db, families, kids, catalog, report)
    devices = _write_devices(db, families, ids, users, kids, report, hmac_digest)
    write_activity(db, families, users, kids, devices, catalog, report)
    report.kinds["families"].imported += len(families)
    return users, kids


def _write_users(
    db: Session, families: list[FamilyRows], ids: Mapped, report: ImportReport, time_zone: str
) -> dict[int, int]:
    counts = report.kinds["users"]
    rows = [f.user for f in families]
    counts.read += len(rows)
    new, changed, unchanged = _split(rows, ids.users, lambda row: row["fingerprint"])
    new_ids = dict(zip([row["id"] for row in new], allocate_ids(db, "users", len(new)), strict=True))
    result = {old: new_id for old, (new_id, _) in ids.users.items()} | new_ids

    def shaped(row: dict[str, Any]) -> tuple[Any, ...]:
        return (
            result[row["id"]],
            normalise_email(row["email"]),
            row["password_hash"],
            mapping.role(row["is_admin"]),
        )

    # A new family gets the operator's zone (--time-zone); a known one keeps its own (a parent's).
    columns = {**USER_COLUMNS, "time_zone": "text", "created_at": "timestamptz"}
    insert(db, "users", columns, [(*shaped(row), time_zone, created(row["created_at"])) for row in new])
    update(db, "users", USER_COLUMNS, [shaped(r) for r in changed])
    report.zoned += len(new)
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

    gone = [kid for kid in rows if kid["id"] in ids.gone["kid"]]
    for kid in gone:
        counts.skipped[GONE] += 1
        report.notes[kid["parent_id"]].append(
            f"kid {kid['name']} was {GONE}: not created again; its policies and watch history are skipped"
        )
    new, changed, unchanged = _split([kid for kid in rows if kid["id"] not in ids.gone["kid"]], ids.kids, fingerprint)
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
    kids: dict[int, int],
    catalog: CatalogMap,
    report: ImportReport,
) -> None:
    """Blocked episodes whose episode did not come over (not in Axolotly's catalog) are reported per
    family and dropped: the title's policy still comes over (the choice: report, not deny the title)."""
    counts = report.kinds["policies"]
    rows = []
    titles_of: dict[int, list[int]] = {kid["id"]: [] for f in families for kid in f.kids if kid["id"] in kids}
    names = {kid["id"]: kid["name"] for f in families for kid in f.kids}
    for family in families:
        for policy in family.policies:
            if policy["kid_profile_id"] not in kids:
                counts.skipped[f"its kid was {GONE}"] += 1
                continue
            blocked = sorted(catalog.episodes[e] for e in policy["blocked"] if e in catalog.episodes)
            lost = sorted(e for e in policy["blocked"] if e not in catalog.episodes)
            if lost:
                counts.skipped["blocked episode not imported"] += len(lost)
                title = catalog.names.get(policy["title_id"], f"title {policy['title_id']}")
                report.notes[family.user["id"]].append(
                    f"blocked episode not imported: {names[policy['kid_profile_id']]}, {title}, older episode"
                    f" ids {', '.join(map(str, lost))} (not in Axolotly's catalog: the parent should block"
                    " them again once the show's episodes have loaded)"
                )
            kid, title_id = kids[policy["kid_profile_id"]], catalog.titles[policy["title_id"]]
            titles_of[policy["kid_profile_id"]].append(title_id)
            rows.append(
                (kid, title_id, "allow" if policy["allowed"] else "deny", json.dumps(blocked) if blocked else None)
            )
    counts.read += len(rows)
    if titles_of:
        params = {
            "source": source_of(db),
            "old_kids": list(titles_of),
            "kid_ids": [r[0] for r in rows],
            "title_ids": [r[1] for r in rows],
        }
        removed = db.connection().exec_driver_sql(REMOVED_POLICIES, params).rowcount
        counts.skipped["removed: no longer in the older backend"] += removed
    written = insert(db, "kid_profiles_titles", POLICY_COLUMNS, rows, POLICY_UPSERT)
    counts.imported += sum(1 for row in written if row.inserted)
    counts.updated += sum(1 for row in written if not row.inserted)
    counts.unchanged += len(rows) - len(written)
    remember(
        db,
        "kid policies",
        [
            (old, kids[old], json_md5(*map(str, sorted(titles))), json.dumps(sorted(titles)))
            for old, titles in titles_of.items()
        ],
    )


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
    paired = paired_devices(db, families)
    kept = []
    for device in rows:
        if device["id"] in ids.gone["device"]:
            counts.skipped[f"{GONE} (unpaired by a parent)"] += 1
        elif device["id"] not in ids.devices and device["device_id"] in paired:
            counts.skipped["the family paired it again in Axolotly"] += 1
        else:
            kept.append(device)
    new, changed, unchanged = _split(kept, ids.devices, lambda row: row["fingerprint"])
    new_ids = dict(zip([row["id"] for row in new], allocate_ids(db, "devices", len(new)), strict=True))
    result = {old: new_id for old, (new_id, _) in ids.devices.items()} | new_ids

    def shaped(device: dict[str, Any]) -> list[Any]:
        kid = device["kid_profile_id"]
        digest, legacy = mapping.device_key_digests(device["api_key"], hmac_digest)
        return [
            result[device["id"]],
            device["device_id"],
            users[device["family_id"]],
            # another family's kid, or one a parent deleted: none
            kids.get(kid) if own_kids.get(kid) == device["family_id"] else None,
            _cut(device["device_name"], 100),
            utc(device["last_active"]),
            digest,
            legacy,
            _cut(device["device_model"], 100),
            _cut(device["device_manufacturer"], 100),
            _cut(device["app_version"], 50),
            device["app_version_code"],
            _cut(device["fcm_token"], 4096),
        ]

    fresh = [shaped(d) for d in new]
    insert(
        db,
        "devices",
        {**DEVICE_COLUMNS, "paired_at": "timestamptz"},
        [(*row, created(d["created_at"])) for row, d in zip(fresh, new, strict=True)],
    )
    updates = _kept_by_parent(db, changed, [shaped(d) for d in changed])
    update(db, "devices", DEVICE_COLUMNS, [row for row, _ in updates])
    remember(
        db,
        "device",
        [(d["id"], row[0], d["fingerprint"], json.dumps([row[3], row[4]])) for row, d in zip(fresh, new, strict=True)]
        + [
            (d["id"], row[0], d["fingerprint"], json.dumps(mine))
            for (row, mine), d in zip(updates, changed, strict=True)
        ],
    )
    counts.imported += len(new)
    counts.updated += len(changed)
    counts.unchanged += unchanged
    return result


def _kept_by_parent(db: Session, devices: list[dict[str, Any]], rows: list[list[Any]]) -> list[tuple[list[Any], Any]]:
    """The changed devices' rows, minus what a top-up must not overwrite; with each, the kid and
    name the import now stands by (the mapping's `written`).

    - kid and name: rewritten only while the Axolotly row still holds what the import last wrote;
      a parent who moved the device to another kid or renamed it in Axolotly keeps that.
    - the key columns: only while the Axolotly row has no HMAC digest (its launcher has not called
      yet); after that the HMAC digest is the device's and the legacy digest must not come back.
    - last_active: the later of the two (a launcher calling Axolotly is more recent).
    """
    if not devices:
        return []
    before = written(db, "device", [d["id"] for d in devices])
    sql = "SELECT id, kid_profile_id, friendly_name, api_key_digest, legacy_key_sha256, last_active FROM devices"
    current = {
        row.id: row
        for row in db.connection().exec_driver_sql(sql + " WHERE id = ANY(%(ids)s)", {"ids": [r[0] for r in rows]})
    }
    shaped = []
    for device, row in zip(devices, rows, strict=True):
        now = current[row[0]]
        wrote = before.get(device["id"])
        if wrote is not None and [now.kid_profile_id, now.friendly_name] != wrote:
            row[3], row[4] = now.kid_profile_id, now.friendly_name
            mine = wrote
        else:
            mine = [row[3], row[4]]
        if now.api_key_digest is not None:
            row[6], row[7] = now.api_key_digest, now.legacy_key_sha256
        if now.last_active is not None and (row[5] is None or now.last_active > row[5]):
            row[5] = now.last_active
        shaped.append((row, mine))
    return shaped
