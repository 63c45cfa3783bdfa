"""What no family owns, imported once after the catalog: content tags (and the titles and episodes
they are on), episode links, content packages (as starter packs).

- Content tags: matched by the older slug to Axolotly's tag; a missing one is added. A title's or
  episode's tags gain the older ones (never lose Axolotly's own): a row is rewritten only when it
  gains a tag, so a second run touches nothing.
- Episode links go through today's link trust: an active link whose URL passes its service's host
  and scheme rules (catalog/providers.py) comes over unverified, with no family count of its own;
  kids see it once an admin verifies it or enough families reported it (the families' device
  episode reports come over with each family: activity.py). Others are skipped with the reason.
- Content packages: active ones become starter packs of the same name with their titles in order;
  a pack of that name Axolotly already holds (not made by this import) is left alone.
"""

import json
from collections import defaultdict

from sqlalchemy.orm import Session

from axolotly.catalog.providers import PROVIDERS_BY_ID, is_trusted_url
from axolotly.importer import mapping
from axolotly.importer.catalog import CatalogMap
from axolotly.importer.report import ImportReport
from axolotly.importer.source import Row, SharedRows
from axolotly.importer.writes import allocate_ids, created, insert, known, remember, update

ADD_TAGS = """
UPDATE {table} t SET tags = (SELECT jsonb_agg(DISTINCT x ORDER BY x) FROM jsonb_array_elements_text(t.tags || u.tags) x)
FROM (SELECT id, tags::jsonb FROM unnest(%(ids)s::int[], %(tags)s::text[]) AS v(id, tags)) u
WHERE t.id = u.id AND NOT t.tags @> u.tags
"""
LINK_IDS = """
SELECT v.old_id, l.id FROM unnest(%(old)s::int[], %(episodes)s::int[], %(platforms)s::text[], %(urls)s::text[])
     AS v(old_id, episode_id, platform, url)
JOIN episode_links l ON l.episode_id = v.episode_id AND l.platform = v.platform AND md5(l.url) = md5(v.url)
"""
PACK_COLUMNS = {"id": "int", "name": "text", "description": "text", "min_age": "smallint", "max_age": "smallint"}


def import_shared(db: Session, shared: SharedRows, catalog: CatalogMap, report: ImportReport) -> None:
    _tags(db, shared.tags, catalog, report)
    _tagged(db, "titles", shared.title_tags, "title_id", catalog.titles, catalog, report)
    _tagged(db, "episodes", shared.episode_tags, "episode_id", catalog.episodes, catalog, report)
    _links(db, shared.episode_links, catalog, report)
    _packages(db, shared.packages, catalog, report)


def _tags(db: Session, tags: list[Row], catalog: CatalogMap, report: ImportReport) -> None:
    counts = report.kinds["content tags"]
    counts.read = len(tags)
    slugs = {tag["id"]: str(tag["slug"]).strip().lower()[:100] for tag in tags}
    created_tags = insert(
        db,
        "content_tags",
        {"tag": "text", "category": "text", "description": "text"},
        [(slugs[t["id"]], (t["category"] or None) and t["category"][:50], t["description"]) for t in tags],
        "ON CONFLICT (tag) DO NOTHING RETURNING id",
    )
    counts.imported = len(created_tags)
    counts.unchanged = len(tags) - len(created_tags)
    sql = "SELECT id, tag FROM content_tags WHERE tag = ANY(%(tags)s)"
    ids = {row.tag: row.id for row in db.connection().exec_driver_sql(sql, {"tags": list(slugs.values())})}
    catalog.tags.update(slugs)
    remember(db, "tag", [(t["id"], ids[slugs[t["id"]]], t["fingerprint"]) for t in tags])


def _tagged(
    db: Session,
    table: str,
    rows: list[Row],
    column: str,
    ids: dict[int, int],
    catalog: CatalogMap,
    report: ImportReport,
) -> None:
    counts = report.kinds[f"{table[:-1]} tags"]
    counts.read = len(rows)
    added: defaultdict[int, set[str]] = defaultdict(set)
    for row in rows:
        if row[column] not in ids:
            counts.skipped[f"its {table[:-1]} is not imported"] += 1
        else:
            added[ids[row[column]]].add(catalog.tags[row["tag_id"]])
    params = {"ids": list(added), "tags": [json.dumps(sorted(tags)) for tags in added.values()]}
    changed = db.connection().exec_driver_sql(ADD_TAGS.format(table=table), params).rowcount if added else 0
    counts.imported = changed  # rows (titles or episodes) that gained a tag
    counts.unchanged = len(added) - changed


def _links(db: Session, links: list[Row], catalog: CatalogMap, report: ImportReport) -> None:
    counts = report.kinds["episode links"]
    counts.read = len(links)
    trusted = []
    for link in links:
        service = mapping.service_id(link["provider"]) or mapping.service_id(link["raw_provider"])
        if link["episode_id"] not in catalog.episodes:
            counts.skipped["its episode is not imported"] += 1
        elif link["is_active"] is False:
            counts.skipped["inactive"] += 1
        elif service is None:
            counts.skipped["unknown service"] += 1
        elif not is_trusted_url(PROVIDERS_BY_ID[service], link["deep_link_url"]):
            counts.skipped["not a link of its service (host and scheme rules)"] += 1
        else:
            trusted.append((link, catalog.episodes[link["episode_id"]], service))
    added = insert(
        db,
        "episode_links",
        {"episode_id": "int", "platform": "text", "url": "text", "created_at": "timestamptz"},
        [
            (episode, service, link["deep_link_url"], created(link["first_seen_at"]))
            for link, episode, service in trusted
        ],
        "ON CONFLICT (episode_id, platform, md5(url)) DO NOTHING RETURNING id",
    )
    counts.imported = len(added)
    counts.unchanged = len(trusted) - len(added)
    params = {
        "old": [link["id"] for link, _, _ in trusted],
        "episodes": [episode for _, episode, _ in trusted],
        "platforms": [service for _, _, service in trusted],
        "urls": [link["deep_link_url"] for link, _, _ in trusted],
    }
    new_ids: dict[int, int] = {}
    if trusted:
        new_ids = {row.old_id: row.id for row in db.connection().exec_driver_sql(LINK_IDS, params)}
    fingerprints = {link["id"]: link["fingerprint"] for link in links}
    remember(db, "episode link", [(old, new, fingerprints[old]) for old, new in new_ids.items()])


def _ages(package: Row) -> tuple[int | None, int | None]:
    low, high = mapping.age(package["age_min"]), mapping.age(package["age_max"])
    return (low, high) if low is None or high is None or low <= high else (high, low)


def _packages(db: Session, packages: list[Row], catalog: CatalogMap, report: ImportReport) -> None:
    counts = report.kinds["content packages"]
    counts.read = len(packages)
    active = [p for p in packages if p["is_active"] is not False]
    counts.skipped["inactive"] += len(packages) - len(active)
    ids = known(db, "package", [p["id"] for p in active])
    names = {str(p["name"]).strip()[:100] for p in active}
    sql = "SELECT id, name FROM starter_packs WHERE name = ANY(%(names)s)"
    held = {row.name: row.id for row in db.connection().exec_driver_sql(sql, {"names": list(names)})}
    new, changed = [], []
    for package in active:
        name = str(package["name"]).strip()[:100]
        ours = ids.get(package["id"], (None, ""))
        if name in held and held[name] != ours[0]:
            counts.skipped["Axolotly has a starter pack of that name"] += 1
        elif ours[0] is None:
            new.append(package)
        elif ours[1] != package["fingerprint"]:
            changed.append(package)
        else:
            counts.unchanged += 1
    new_ids = dict(zip([p["id"] for p in new], allocate_ids(db, "starter_packs", len(new)), strict=True))
    result = {old: new_id for old, (new_id, _) in ids.items()} | new_ids

    def shaped(package: Row) -> tuple[object, ...]:
        name = str(package["name"]).strip()[:100]
        return (result[package["id"]], name, package["description"] or "", *_ages(package))

    insert(
        db,
        "starter_packs",
        {**PACK_COLUMNS, "created_at": "timestamptz"},
        [(*shaped(p), created(p["created_at"])) for p in new],
    )
    update(db, "starter_packs", PACK_COLUMNS, [shaped(p) for p in changed])
    rewritten = [result[p["id"]] for p in changed]
    if rewritten:
        sql = "DELETE FROM starter_pack_titles WHERE pack_id = ANY(%(packs)s)"
        db.connection().exec_driver_sql(sql, {"packs": rewritten})
    items = []
    for package in new + changed:
        titles = [catalog.titles[t] for t in package["title_ids"] if t in catalog.titles]
        items += [(result[package["id"]], title, position) for position, title in enumerate(dict.fromkeys(titles))]
    insert(db, "starter_pack_titles", {"pack_id": "int", "title_id": "int", "position": "int"}, items)
    remember(db, "package", [(p["id"], result[p["id"]], p["fingerprint"]) for p in new + changed])
    counts.imported = len(new)
    counts.updated = len(changed)
