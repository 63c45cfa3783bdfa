"""A batch of families' activity: content reports, device episode reports, usage logs.

Each older row is written once (the mapping table remembers it), so a top-up adds only what is new;
a content report whose status or notes changed is updated.
- Content reports: the tag becomes the issue type; the season and episode go into the description.
- Device episode reports go through the link trust a launcher's report meets today
  (launcher/episode_links.py): a URL that fails its service's host and scheme rules is skipped; one
  the older backend matched to an imported episode counts its family once for that link (the trigger
  of migration 0015 keeps the link's family count); any other is kept as the family's pending report.
- Usage logs become watch history (`usage_sessions`, the partition of each month made if missing, and
  the per-day rollup as screen_time/usage.py adds it) for the kid of the device that logged them.
  Logs older than the history's retention would be dropped at once: skipped.
"""

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from axolotly.catalog.providers import PROVIDERS_BY_ID, is_trusted_url
from axolotly.config import get_settings
from axolotly.enums import ReportStatus
from axolotly.importer import mapping
from axolotly.importer.catalog import CatalogMap
from axolotly.importer.report import ImportReport
from axolotly.importer.source import FamilyRows
from axolotly.importer.writes import allocate_ids, created, insert, known, remember, update, utc
from axolotly.screen_time.clock import local_day, split_by_day
from axolotly.screen_time.partitions import month_of, next_month, partition_name

REPORT_COLUMNS = {
    "id": "int",
    "family_id": "int",
    "title_id": "int",
    "issue_type": "text",
    "description": "text",
    "status": "text",
    "resolved_at": "timestamptz",
}
STATUSES = {"pending": ReportStatus.PENDING, "dismissed": ReportStatus.DISMISSED, "rejected": ReportStatus.DISMISSED}
ADD_LINK = "ON CONFLICT (episode_id, platform, md5(url)) DO NOTHING"
MATCHED = "ON CONFLICT (link_id, family_id) DO NOTHING RETURNING id"
PENDING = "ON CONFLICT (family_id, platform, md5(url)) WHERE link_id IS NULL DO NOTHING RETURNING id"
LINK_IDS = """
SELECT l.id, l.episode_id, l.platform, l.url FROM unnest(%(episodes)s::int[], %(platforms)s::text[], %(urls)s::text[])
     AS v(episode_id, platform, url)
JOIN episode_links l ON l.episode_id = v.episode_id AND l.platform = v.platform AND md5(l.url) = md5(v.url)
"""
SESSION_COLUMNS = {
    "kid_profile_id": "int",
    "device_id": "int",
    "app_id": "text",
    "app_name": "text",
    "started_at": "timestamptz",
    "ended_at": "timestamptz",
    "seconds": "int",
}
ROLLUP = """
ON CONFLICT (kid_profile_id, day, app_id) DO UPDATE SET seconds = usage_daily.seconds + excluded.seconds,
    sessions = usage_daily.sessions + excluded.sessions,
    app_name = COALESCE(NULLIF(excluded.app_name, ''), usage_daily.app_name)
"""


def write_activity(
    db: Session,
    families: list[FamilyRows],
    users: dict[int, int],
    kids: dict[int, int],
    devices: dict[int, int],
    catalog: CatalogMap,
    report: ImportReport,
) -> None:
    _content_reports(db, families, users, catalog, report)
    _episode_reports(db, families, users, catalog, report)
    _usage(db, families, users, kids, devices, report)


def _content_reports(
    db: Session, families: list[FamilyRows], users: dict[int, int], catalog: CatalogMap, report: ImportReport
) -> None:
    counts = report.kinds["content reports"]
    rows = [row for family in families for row in family.content_reports]
    counts.read += len(rows)
    ids = known(db, "content report", [row["id"] for row in rows])
    new, changed, shaped = [], [], {}
    for row in rows:
        if row["title_id"] not in catalog.titles:
            counts.skipped["its title is not imported"] += 1
            continue
        where = ", ".join(
            f"{name} {row[key]}"
            for name, key in (("season", "season_number"), ("episode", "episode_number"))
            if row[key] is not None
        )
        notes = " ".join(part for part in (f"{where.capitalize()}:" if where else "", row["notes"] or "") if part)
        status = STATUSES.get(str(row["status"] or "pending"), ReportStatus.RESOLVED)
        shaped[row["id"]] = [
            users[row["reported_by"]],
            catalog.titles[row["title_id"]],
            catalog.tags.get(row["tag_id"], "content"),
            notes or None,
            status.value,
            None if status is ReportStatus.PENDING else utc(row["reviewed_at"]) or created(row["created_at"]),
        ]
        if row["id"] not in ids:
            new.append(row)
        elif ids[row["id"]][1] != row["fingerprint"]:
            changed.append(row)
        else:
            counts.unchanged += 1
    new_ids = dict(zip([r["id"] for r in new], allocate_ids(db, "content_reports", len(new)), strict=True))
    result = {old: new_id for old, (new_id, _) in ids.items()} | new_ids
    insert(
        db,
        "content_reports",
        {**REPORT_COLUMNS, "created_at": "timestamptz"},
        [(result[r["id"]], *shaped[r["id"]], created(r["created_at"])) for r in new],
    )
    update(db, "content_reports", REPORT_COLUMNS, [(result[r["id"]], *shaped[r["id"]]) for r in changed])
    remember(db, "content report", [(r["id"], result[r["id"]], r["fingerprint"]) for r in new + changed])
    counts.imported += len(new)
    counts.updated += len(changed)


def _episode_reports(
    db: Session, families: list[FamilyRows], users: dict[int, int], catalog: CatalogMap, report: ImportReport
) -> None:
    counts = report.kinds["device episode reports"]
    rows = [row for family in families for row in family.episode_reports]
    counts.read += len(rows)
    done = known(db, "episode report", [row["id"] for row in rows])
    matched, pending = [], []
    for row in rows:
        service = mapping.service_id(row["normalized_provider"]) or mapping.service_id(row["provider"])
        if row["id"] in done:
            counts.unchanged += 1
        elif service is None:
            counts.skipped["unknown service"] += 1
        elif not is_trusted_url(PROVIDERS_BY_ID[service], row["raw_url"]):
            counts.skipped["not a link of its service (host and scheme rules)"] += 1
        elif row["matched_episode_id"] in catalog.episodes:
            matched.append((row, service, catalog.episodes[row["matched_episode_id"]]))
        else:
            pending.append((row, service))
    link_columns = {"episode_id": "int", "platform": "text", "url": "text"}
    insert(db, "episode_links", link_columns, [(e, s, r["raw_url"]) for r, s, e in matched], ADD_LINK)
    params = {
        "episodes": [e for _, _, e in matched],
        "platforms": [s for _, s, _ in matched],
        "urls": [r["raw_url"] for r, _, _ in matched],
    }
    links = (
        {
            (link.episode_id, link.platform, link.url): link.id
            for link in db.connection().exec_driver_sql(LINK_IDS, params)
        }
        if matched
        else {}
    )
    reports = insert(
        db,
        "link_reports",
        {"link_id": "int", "family_id": "int", "platform": "text", "url": "text", "created_at": "timestamptz"},
        [
            (links[(e, s, r["raw_url"])], users[r["family_id"]], s, r["raw_url"], created(r["reported_at"]))
            for r, s, e in matched
        ],
        MATCHED,
    )
    said = {"reported_tmdb_id": "int", "reported_season": "int", "reported_episode": "int", "reported_title": "text"}
    waiting = insert(
        db,
        "link_reports",
        {"family_id": "int", "platform": "text", "url": "text", **said, "created_at": "timestamptz"},
        [
            (
                users[r["family_id"]],
                s,
                r["raw_url"],
                r["tmdb_title_id"],
                r["season_hint"],
                r["episode_hint"],
                (r["reported_title"] or None) and r["reported_title"][:500],
                created(r["reported_at"]),
            )
            for r, s in pending
        ],
        PENDING,
    )
    # A family's second report of one link (or one pending URL) is its first: counted once.
    counts.imported += len(reports) + len(waiting)
    counts.skipped["the family reported it already"] += len(matched) + len(pending) - len(reports) - len(waiting)
    remember(db, "episode report", [(r["id"], 0, "") for r, *_ in matched + pending])


def _usage(
    db: Session,
    families: list[FamilyRows],
    users: dict[int, int],
    kids: dict[int, int],
    devices: dict[int, int],
    report: ImportReport,
) -> None:
    counts = report.kinds["usage logs"]
    rows = [row for family in families for row in family.usage_logs]
    counts.read += len(rows)
    done = known(db, "usage log", [row["id"] for row in rows])
    oldest = datetime.now(UTC) - timedelta(days=get_settings().usage_retention_days)
    own_kids = {(family.user["id"], kid["id"]) for family in families for kid in family.kids}
    sessions, fresh = [], []
    for row in rows:
        started = utc(row["start_time"])
        if row["id"] in done:
            counts.unchanged += 1
        elif (row["family_id"], row["kid_profile_id"]) not in own_kids:  # none, or another family's
            counts.skipped["its device has no kid"] += 1
        elif row["kid_profile_id"] not in kids:
            counts.skipped["its kid was deleted in Axolotly after an earlier import"] += 1
        elif started is None or started < oldest:
            counts.skipped["older than the watch history's retention"] += 1
        else:
            seconds = max(0, min(86400, int(row["duration_minutes"]) * 60))
            name = str(row["app_name"])
            sessions.append(
                (
                    kids[row["kid_profile_id"]],
                    devices.get(row["device_id"]),
                    name[:64],
                    name[:200],
                    started,
                    started + timedelta(seconds=seconds),
                    seconds,
                )
            )
            fresh.append(row)
    _make_partitions(db, {month_of(session[4]) for session in sessions})
    stored = insert(db, "usage_sessions", SESSION_COLUMNS, sessions, "ON CONFLICT DO NOTHING RETURNING *")
    _add_to_rollup(db, stored, users, families, kids)
    counts.imported += len(stored)
    counts.skipped["the same session is in the watch history"] += len(sessions) - len(stored)
    remember(db, "usage log", [(row["id"], 0, "") for row in fresh])


def _make_partitions(db: Session, months: set[Any]) -> None:
    for month in sorted(months):
        # Names and bounds come from dates, never from input (as screen_time/partitions.py makes them).
        db.connection().exec_driver_sql(
            f"CREATE TABLE IF NOT EXISTS {partition_name(month)} PARTITION OF usage_sessions "
            f"FOR VALUES FROM ('{month.isoformat()} 00:00:00+00') TO ('{next_month(month).isoformat()} 00:00:00+00')"
        )


def _add_to_rollup(
    db: Session, stored: list[Any], users: dict[int, int], families: list[FamilyRows], kids: dict[int, int]
) -> None:
    """Each stored session's seconds on each local day it touches, counted once on its first day."""
    if not stored:
        return
    family_of_kid = {kids[kid["id"]]: users[f.user["id"]] for f in families for kid in f.kids if kid["id"] in kids}
    sql = "SELECT id, time_zone FROM users WHERE id = ANY(%(ids)s)"
    zones = {
        row.id: ZoneInfo(row.time_zone)
        for row in db.connection().exec_driver_sql(sql, {"ids": sorted(set(family_of_kid.values()))})
    }
    days: dict[tuple[int, Any, str], list[Any]] = defaultdict(lambda: [0, 0, ""])
    for session in stored:
        zone = zones[family_of_kid[session.kid_profile_id]]
        parts = split_by_day(session.started_at, session.ended_at, zone) or [(local_day(session.started_at, zone), 0)]
        for index, (day, seconds) in enumerate(parts):
            total = days[(session.kid_profile_id, day, session.app_id)]
            total[0] += seconds
            total[1] += 1 if index == 0 else 0
            total[2] = session.app_name
    insert(
        db,
        "usage_daily",
        {
            "kid_profile_id": "int",
            "day": "date",
            "app_id": "text",
            "app_name": "text",
            "seconds": "int",
            "sessions": "int",
        },
        [(kid, day, app, name, seconds, count) for (kid, day, app), (seconds, count, name) in days.items()],
        ROLLUP,
    )
