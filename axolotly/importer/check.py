"""Each imported family's launchers, computed by Axolotly, against what the older backend allowed.

The older backend's reading: a kid sees the titles it has an allowing policy on and no denying one
(deny wins), on the family's selected services (any service when none is selected; a title
without providers in its "other" group). Axolotly's: for a whole batch of kids in one statement,
ALLOWED_TITLES, the launcher statement's (launcher/query.py) allow-list branch in bulk: the
kid's allowed titles that land in at least one group, i.e. a provider of the registry that is
selected (or any when the family selected none). A kid in rules mode (a parent switched it after a
first import) is checked with the launcher statement itself. tests/importer/test_check.py holds
ALLOWED_TITLES to LAUNCHER_SQL.
"""

import json
from collections import defaultdict

from sqlalchemy.orm import Session

from axolotly.catalog.providers import PROVIDERS
from axolotly.importer.catalog import CatalogMap
from axolotly.importer.mapping import service_ids
from axolotly.importer.source import FamilyRows
from axolotly.launcher.query import LAUNCHER_SQL, launcher_params

# kid -> the titles its launcher shows, for the allow-list kids of `kids`; rules-mode kids come
# back with `rules` true and no titles (checked one by one).
ALLOWED_TITLES = """
SELECT k.id AS kid_id, k.rules_mode = 'rules' AS rules,
       COALESCE(array_agg(t.id) FILTER (WHERE t.id IS NOT NULL), '{}') AS titles
FROM kid_profiles k
LEFT JOIN streaming_service_selection ss ON ss.family_id = k.family_id
LEFT JOIN kid_profiles_titles p ON p.kid_profile_id = k.id AND p.policy = 'allow' AND k.rules_mode <> 'rules'
      AND (p.allowed_until IS NULL OR p.allowed_until > now())  -- an ended allow allows nothing
LEFT JOIN titles t ON t.id = p.title_id AND EXISTS (
    SELECT 1 FROM unnest(%(registry_ids)s::text[]) AS r(id)
    WHERE t.providers ? r.id
      AND (ss.selected_services IS NULL OR jsonb_array_length(ss.selected_services) = 0
           OR ss.selected_services ? r.id))
WHERE k.id = ANY(%(kids)s)
GROUP BY k.id, k.rules_mode
"""


def older_titles(family: FamilyRows, kid_id: int, catalog: CatalogMap) -> set[int]:
    selected = set(service_ids(family.selection["selected_services"]) if family.selection else [])
    seen = set()
    for policy in family.policies:
        if policy["kid_profile_id"] != kid_id or not policy["allowed"]:
            continue
        services = set(catalog.services.get(policy["title_id"], []))
        if not services or not selected or services & selected:
            seen.add(policy["title_id"])
    return seen


def launcher_titles(db: Session, family_id: int, kid_id: int) -> set[int]:
    """The titles of the kid's launcher, from the launcher statement `/api/apps` runs."""
    row = db.connection().exec_driver_sql(LAUNCHER_SQL, launcher_params(family_id, kid_id)).one()
    return {int(item["id"]) for group in json.loads(row.body) for item in group["content"]}


def shown_titles(db: Session, kids: dict[int, int]) -> dict[int, set[int]]:
    """Axolotly kid id -> the titles its launcher shows, for `kids` (Axolotly kid -> family)."""
    params = {"kids": list(kids), "registry_ids": [provider.id for provider in PROVIDERS]}
    shown: dict[int, set[int]] = defaultdict(set)
    for row in db.connection().exec_driver_sql(ALLOWED_TITLES, params):
        shown[row.kid_id] = launcher_titles(db, kids[row.kid_id], row.kid_id) if row.rules else set(row.titles)
    return shown


def check_families(
    db: Session, families: list[FamilyRows], users: dict[int, int], kids: dict[int, int], catalog: CatalogMap
) -> dict[int, str]:
    """Older family id -> "same titles ..." or the differences, kid by kid, with the titles' names."""
    wanted = {
        kids[kid["id"]]: users[family.user["id"]] for family in families for kid in family.kids if kid["id"] in kids
    }
    shown = shown_titles(db, wanted)
    back = {new: old for old, new in catalog.titles.items()}
    return {family.user["id"]: _family_line(family, kids, shown, back, catalog) for family in families}


def _family_line(
    family: FamilyRows, kids: dict[int, int], shown: dict[int, set[int]], back: dict[int, int], catalog: CatalogMap
) -> str:
    differences = []
    total = 0
    for kid in family.kids:
        if kid["id"] not in kids:
            continue  # deleted by a parent in Axolotly: in the family's notes
        before = older_titles(family, kid["id"], catalog)
        now = {back.get(title_id, -title_id) for title_id in shown.get(kids[kid["id"]], set())}
        total += len(before)
        missing = sorted(catalog.names.get(t, str(t)) for t in before - now)
        extra = sorted(catalog.names.get(t, f"Axolotly title {-t}") for t in now - before)
        if missing:
            differences.append(f"{kid['name']}: Axolotly does not show {', '.join(missing)}")
        if extra:
            differences.append(f"{kid['name']}: Axolotly also shows {', '.join(extra)}")
    if differences:
        return "differences: " + "; ".join(differences)
    return f"same titles ({len(family.kids)} kids, {total} titles)"
