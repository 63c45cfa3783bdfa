"""Titles and episodes: matched to Axolotly's catalog by TMDB id, created from the row when missing.

The catalog is shared, so this runs once per import, before the families. A title whose TMDB id
Axolotly holds as the other media type is a conflict: it is not imported, and a family with a
policy on it is skipped whole. Titles already in Axolotly's catalog keep Axolotly's data (fresher,
from TMDB); the ones created here have their episodes' loading queued, as a policy would.
"""

import json
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from axolotly.catalog.service import normalised_certification
from axolotly.importer import mapping
from axolotly.importer.report import ImportReport
from axolotly.importer.source import Row
from axolotly.importer.writes import insert, remember, utc
from axolotly.jobs.registry import LOAD_EPISODES, defer_in_transaction

TITLE_COLUMNS = {
    "tmdb_id": "int",
    "title": "text",
    "media_type": "text",
    "overview": "text",
    "poster_path": "text",
    "backdrop_path": "text",
    "release_date": "date",
    "rating": "text",
    "genres": "jsonb",
    "providers": "jsonb",
    "last_synced": "timestamptz",
    "certification": "text",
}
EPISODE_COLUMNS = {
    "tmdb_episode_id": "int",
    "title_id": "int",
    "season_number": "int",
    "episode_number": "int",
    "name": "text",
    "overview": "text",
    "air_date": "date",
    "thumbnail_path": "text",
}


@dataclass
class CatalogMap:
    titles: dict[int, int] = field(default_factory=dict)  # older title id -> Axolotly's
    episodes: dict[int, int] = field(default_factory=dict)
    conflicts: dict[int, str] = field(default_factory=dict)  # older title id -> why not imported
    services: dict[int, list[str]] = field(default_factory=dict)  # older title id -> registry ids
    names: dict[int, str] = field(default_factory=dict)  # older title id -> its name (the report)
    tags: dict[int, str] = field(default_factory=dict)  # older content tag id -> Axolotly's tag


def _title_row(title: Row) -> tuple[object, ...]:
    return (
        title["tmdb_id"],
        (title["title"] or "")[:500],
        title["media_type"],
        title["overview"],
        (title["poster_path"] or None) and title["poster_path"][:255],
        (title["backdrop_path"] or None) and title["backdrop_path"][:255],
        mapping.day(title["release_date"]),
        mapping.vote(title["vote_average"]),
        mapping.genres(title["genres"]),
        json.dumps(mapping.service_ids(title["providers"])),
        utc(title["last_synced"]),
        normalised_certification(title["rating"]),
    )


def import_titles(db: Session, titles: list[Row], report: ImportReport) -> CatalogMap:
    catalog = CatalogMap()
    counts = report.kinds["titles"]
    counts.read = len(titles)
    for title in titles:
        catalog.services[title["id"]] = mapping.service_ids(title["providers"])
        catalog.names[title["id"]] = title["title"]
    sql = "SELECT id, tmdb_id, media_type FROM titles WHERE tmdb_id = ANY(%(ids)s)"
    existing = {
        row.tmdb_id: row for row in db.connection().exec_driver_sql(sql, {"ids": [t["tmdb_id"] for t in titles]})
    }
    missing = []
    for title in titles:
        held = existing.get(title["tmdb_id"])
        if title["media_type"] not in ("movie", "tv"):
            catalog.conflicts[title["id"]] = f"title {title['id']} has media type {title['media_type']!r}"
        elif held is None:
            missing.append(title)
        elif held.media_type != title["media_type"]:
            catalog.conflicts[title["id"]] = (
                f"title conflict: TMDB id {title['tmdb_id']} is a {held.media_type} in Axolotly, "
                f"a {title['media_type']} in the older backend"
            )
        else:
            catalog.titles[title["id"]] = held.id
    for reason in catalog.conflicts.values():
        counts.skipped[reason.split(":")[0]] += 1
    counts.unchanged = len(catalog.titles)
    created = insert(
        db,
        "titles",
        TITLE_COLUMNS,
        [_title_row(title) for title in missing],
        "ON CONFLICT (tmdb_id) DO NOTHING RETURNING id, tmdb_id, media_type",
    )
    by_tmdb = {row.tmdb_id: row.id for row in created}
    for title in missing:
        catalog.titles[title["id"]] = by_tmdb[title["tmdb_id"]]
        if title["media_type"] == "tv":
            defer_in_transaction(db, LOAD_EPISODES, title_id=by_tmdb[title["tmdb_id"]])
    counts.imported = len(created)
    fingerprints = {title["id"]: title["fingerprint"] for title in titles}
    remember(db, "title", [(old, new, fingerprints[old]) for old, new in catalog.titles.items()])
    return catalog


def import_episodes(db: Session, episodes: list[Row], catalog: CatalogMap, report: ImportReport) -> None:
    counts = report.kinds["episodes"]
    counts.read = len(episodes)
    ours = [episode for episode in episodes if episode["title_id"] in catalog.titles]
    counts.skipped["its title is not imported"] += len(episodes) - len(ours)
    sql = """
        SELECT id, tmdb_episode_id, title_id, season_number, episode_number FROM episodes
        WHERE title_id = ANY(%(titles)s) OR tmdb_episode_id = ANY(%(tmdb)s)
    """
    params = {
        "titles": sorted({catalog.titles[e["title_id"]] for e in ours}),
        "tmdb": [e["tmdb_episode_id"] for e in ours if e["tmdb_episode_id"] is not None],
    }
    rows = list(db.connection().exec_driver_sql(sql, params))
    by_tmdb = {row.tmdb_episode_id: row for row in rows}
    by_number = {(row.title_id, row.season_number, row.episode_number): row.id for row in rows}
    missing = []
    for episode in ours:
        title_id = catalog.titles[episode["title_id"]]
        held = by_tmdb.get(episode["tmdb_episode_id"])
        number = by_number.get((title_id, episode["season_number"], episode["episode_number"]))
        if held is not None and held.title_id != title_id:
            counts.skipped["its TMDB episode id belongs to another title"] += 1
        elif held is not None or number is not None:
            catalog.episodes[episode["id"]] = held.id if held is not None else number  # type: ignore[assignment]
            counts.unchanged += 1
        elif episode["tmdb_episode_id"] is None:
            counts.skipped["no TMDB episode id and no episode of that number"] += 1
        else:
            missing.append(episode)
    created = insert(
        db,
        "episodes",
        EPISODE_COLUMNS,
        [
            (
                e["tmdb_episode_id"],
                catalog.titles[e["title_id"]],
                e["season_number"],
                e["episode_number"],
                (e["episode_name"] or None) and e["episode_name"][:500],
                e["overview"],
                mapping.day(e["air_date"]),
                (e["thumbnail_path"] or None) and e["thumbnail_path"][:255],
            )
            for e in missing
        ],
        "ON CONFLICT (tmdb_episode_id) DO NOTHING RETURNING id, tmdb_episode_id",
    )
    new_ids = {row.tmdb_episode_id: row.id for row in created}
    for episode in missing:
        if episode["tmdb_episode_id"] in new_ids:
            catalog.episodes[episode["id"]] = new_ids[episode["tmdb_episode_id"]]
    counts.imported = len(created)
    fingerprints = {episode["id"]: episode["fingerprint"] for episode in episodes}
    remember(db, "episode", [(old, new, fingerprints[old]) for old, new in catalog.episodes.items()])
