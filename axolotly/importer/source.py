"""Reading the older backend's database: read-only, one consistent snapshot, set-based.

Its tables are described in shared/spec/older-backend-schema.md. Every read of a family's rows
takes a whole batch of families at once (`= ANY(%(families)s)`), so the number of statements
grows with the number of batches, not of families.
"""

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg.rows import dict_row

from axolotly.accounts.service import normalise_email
from axolotly.db.engine import libpq_conninfo

Row = dict[str, Any]

# md5 of the whole source row: a second import compares it with the one it stored.
USERS = "SELECT u.*, md5(u::text) AS fingerprint FROM users u WHERE u.id = ANY(%(families)s)"
KIDS = "SELECT k.*, md5(k::text) AS fingerprint FROM kid_profiles k WHERE k.parent_id = ANY(%(families)s)"
SELECTIONS = """
SELECT s.family_id, s.selected_services FROM streaming_service_selections s WHERE s.family_id = ANY(%(families)s)
"""
TIME_LIMITS = "SELECT t.*, md5(t::text) AS fingerprint FROM time_limits t WHERE t.family_id = ANY(%(families)s)"
# Several policy rows per kid and title may exist (no constraint): deny wins. Blocked episodes are
# the `is_allowed = false` episode policies of any of those rows.
POLICIES = """
SELECT k.parent_id AS family_id, p.kid_profile_id, p.title_id, bool_and(p.is_allowed) AS allowed,
       COALESCE(array_agg(DISTINCT ep.episode_id) FILTER (WHERE ep.is_allowed = false), '{}') AS blocked
FROM policies p
JOIN kid_profiles k ON k.id = p.kid_profile_id
LEFT JOIN episode_policies ep ON ep.policy_id = p.id
WHERE k.parent_id = ANY(%(families)s)
GROUP BY k.parent_id, p.kid_profile_id, p.title_id
"""
# `last_active` moves on every launcher call: it is not a change worth a top-up.
DEVICES = """
SELECT d.*, md5((to_jsonb(d) - 'last_active')::text) AS fingerprint FROM devices d WHERE d.family_id = ANY(%(families)s)
"""
TITLES = "SELECT t.*, md5(t::text) AS fingerprint FROM titles t ORDER BY t.id"
EPISODES = "SELECT e.*, md5(e::text) AS fingerprint FROM episodes e ORDER BY e.id"
FAMILY_IDS = "SELECT id, email FROM users ORDER BY id"
# The database's identity: its cluster's system identifier (pg_control_system() may be refused to
# a plain role: then the server's address and port) and its name.
IDENTITY = "SELECT system_identifier::text AS cluster FROM pg_control_system()"
SERVER = "SELECT coalesce(host(inet_server_addr()), 'local') || ':' || current_setting('port') AS cluster"
# Shared by every family: read once, like the catalog.
TAGS = "SELECT t.*, md5(t::text) AS fingerprint FROM content_tags t ORDER BY t.id"
TITLE_TAGS = "SELECT title_id, tag_id FROM title_tags ORDER BY id"
EPISODE_TAGS = "SELECT episode_id, tag_id FROM episode_tags ORDER BY id"
EPISODE_LINKS = "SELECT l.*, md5(l::text) AS fingerprint FROM episode_links l ORDER BY l.id"
PACKAGES = """
SELECT p.*, md5(p::text || COALESCE(items.ids::text, '')) AS fingerprint, COALESCE(items.ids, '{}') AS title_ids
FROM content_packages p
LEFT JOIN LATERAL (SELECT array_agg(i.title_id ORDER BY i.added_at NULLS LAST, i.id) AS ids
                   FROM content_package_items i WHERE i.package_id = p.id) items ON true
ORDER BY p.id
"""
# A family's activity: what its members reported and what its devices logged.
CONTENT_REPORTS = """
SELECT r.*, md5(r::text) AS fingerprint FROM content_reports r WHERE r.reported_by = ANY(%(families)s)
"""
USAGE_LOGS = """
SELECT u.*, d.family_id, d.kid_profile_id FROM usage_logs u JOIN devices d ON d.id = u.device_id
WHERE d.family_id = ANY(%(families)s)
"""
EPISODE_REPORTS = """
SELECT r.*, d.family_id FROM device_episode_reports r JOIN devices d ON d.id = r.device_id
WHERE d.family_id = ANY(%(families)s)
"""


@dataclass
class FamilyRows:
    """One family of the older backend, everything the import brings of it."""

    user: Row
    kids: list[Row] = field(default_factory=list)
    selection: Row | None = None
    time_limit: Row | None = None
    policies: list[Row] = field(default_factory=list)
    devices: list[Row] = field(default_factory=list)
    content_reports: list[Row] = field(default_factory=list)
    usage_logs: list[Row] = field(default_factory=list)
    episode_reports: list[Row] = field(default_factory=list)


@dataclass
class SharedRows:
    """What no one family owns: content tags (and which titles and episodes carry them), episode
    links, content packages."""

    tags: list[Row]
    title_tags: list[Row]
    episode_tags: list[Row]
    episode_links: list[Row]
    packages: list[Row]


class OriginalSource:
    def __init__(self, connection: psycopg.Connection[Row]):
        self.connection = connection

    def _all(self, sql: str, params: dict[str, Any] | None = None) -> list[Row]:
        return self.connection.execute(sql, params).fetchall()

    def identity(self) -> str:
        try:
            with self.connection.transaction():
                cluster = self._all(IDENTITY)[0]["cluster"]
        except psycopg.Error:
            cluster = self._all(SERVER)[0]["cluster"]
        database = self._all("SELECT current_database() AS name")[0]["name"]
        return f"{cluster}/{database}"[:100]

    def family_ids(self) -> list[int]:
        return [row["id"] for row in self._all(FAMILY_IDS)]

    def email_collisions(self) -> dict[int, str]:
        """Families whose emails are one address once lower-cased (Axolotly's log-in lower-cases):
        family -> why it is skipped. Which of them owns the address is the operator's call."""
        by_address: dict[str, list[Row]] = defaultdict(list)
        for row in self._all(FAMILY_IDS):
            by_address[normalise_email(str(row["email"]))].append(row)
        found = {}
        for address, rows in by_address.items():
            if len(rows) > 1:
                spelled = ", ".join(f"{row['email']} (user {row['id']})" for row in rows)
                for row in rows:
                    found[row["id"]] = f"email collision: {spelled} are one address ({address}) in Axolotly"
        return found

    def titles(self) -> list[Row]:
        return self._all(TITLES)

    def episodes(self) -> list[Row]:
        return self._all(EPISODES)

    def shared(self) -> SharedRows:
        return SharedRows(
            self._all(TAGS),
            self._all(TITLE_TAGS),
            self._all(EPISODE_TAGS),
            self._all(EPISODE_LINKS),
            self._all(PACKAGES),
        )

    def families(self, family_ids: list[int]) -> list[FamilyRows]:
        params = {"families": family_ids}
        families = {row["id"]: FamilyRows(user=row) for row in self._all(USERS, params)}
        for kid in self._all(KIDS, params):
            families[kid["parent_id"]].kids.append(kid)
        for selection in self._all(SELECTIONS, params):
            families[selection["family_id"]].selection = selection
        for limit in self._all(TIME_LIMITS, params):
            families[limit["family_id"]].time_limit = limit
        grouped: dict[int, list[Row]] = defaultdict(list)
        for policy in self._all(POLICIES, params):
            grouped[policy["family_id"]].append(policy)
        for family_id, policies in grouped.items():
            families[family_id].policies = policies
        for device in self._all(DEVICES, params):
            families[device["family_id"]].devices.append(device)
        for report in self._all(CONTENT_REPORTS, params):
            families[report["reported_by"]].content_reports.append(report)
        for log in self._all(USAGE_LOGS, params):
            families[log["family_id"]].usage_logs.append(log)
        for link_report in self._all(EPISODE_REPORTS, params):
            families[link_report["family_id"]].episode_reports.append(link_report)
        return [families[family_id] for family_id in family_ids if family_id in families]


@contextmanager
def open_source(url: str) -> Iterator[OriginalSource]:
    """The older database, read-only (the server refuses any write) in one REPEATABLE READ
    snapshot: every batch sees the same moment of a database that may still be in use."""
    with psycopg.connect(libpq_conninfo(url), row_factory=dict_row) as connection:
        connection.read_only = True
        connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        yield OriginalSource(connection)
        connection.rollback()
