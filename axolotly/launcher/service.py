"""One kid's launcher, rendered for the device API (`/api/apps`) and the kid web page alike.

Both doors run the one statement of query.py (LAUNCHER_SQL with launcher_params), so a device and
the web launcher show a kid exactly the same groups:
- `device_launcher` (async, the hot path): on the launcher pool (reads.py), a healthy replica
  first, and a per-process cache of encoded bodies keyed by (kid, launcher_version, the last end
  of the kid's allows that has come: the ETag's key);
- `page_launcher` (sync, web/kid_pages.py): in the page's own transaction on the primary, always
  current; never cached, because a body read inside a transaction is not known to be committed.
"""

import gzip
import json
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from threading import Lock
from typing import Any

from sqlalchemy.orm import Session

from axolotly.launcher.query import LAUNCHER_SQL, launcher_params
from axolotly.launcher.reads import LauncherReads


@dataclass(frozen=True)
class RenderedLauncher:
    """One kid's launcher at one version, encoded once: plain JSON and gzip (OkHttp asks for it)."""

    json: bytes
    gzip: bytes

    @classmethod
    def of(cls, text: str) -> "RenderedLauncher":
        body = text.encode()
        return cls(body, gzip.compress(body, compresslevel=6, mtime=0))


# (kid, launcher_version, the last allow end that has come or None): what the ETag names.
LauncherKey = tuple[int, int, str | None]


class RenderedLaunchers:
    """Per-process cache of rendered launchers keyed by (kid, launcher_version, last allow end).

    Safe because database triggers bump launcher_version on every change that can alter a kid's
    launcher (migration 0012): a new version is a new key, so a stale body is never served. The
    one change no write makes, an allow's end coming, moves the last end, and with it the key; a
    body is built as of the time its key was read, so it holds exactly the allows the key says.
    """

    def __init__(self, max_entries: int = 512):
        self.max_entries = max_entries
        self._bodies: OrderedDict[LauncherKey, RenderedLauncher] = OrderedDict()
        self._lock = Lock()

    def get(self, key: LauncherKey) -> RenderedLauncher | None:
        with self._lock:
            body = self._bodies.get(key)
            if body is not None:
                self._bodies.move_to_end(key)
            return body

    def put(self, key: LauncherKey, body: RenderedLauncher) -> None:
        with self._lock:
            self._bodies[key] = body
            self._bodies.move_to_end(key)
            while len(self._bodies) > self.max_entries:
                self._bodies.popitem(last=False)


rendered_launchers = RenderedLaunchers()


async def device_launcher(
    reads: LauncherReads,
    family_id: int,
    kid_id: int,
    version: int,
    allows_ended: str | None = None,
    at: datetime | None = None,
) -> RenderedLauncher:
    """The kid's launcher at `version` (the primary's, from the device lookup), as of `at`, the
    time that lookup read `allows_ended` at (so the body and its key agree on which allows ended).

    Built on a read replica when one is healthy; a replica that has not replayed `version` yet is
    not trusted, and the primary builds it. Only a body of exactly `version` is cached.
    """
    key = (kid_id, version, allows_ended)
    rendered = rendered_launchers.get(key)
    if rendered is not None:
        return rendered
    params = launcher_params(family_id, kid_id, at)
    row = await reads.fetch_one_replica(LAUNCHER_SQL, params)
    if row.version != version:
        row = await reads.fetch_one(LAUNCHER_SQL, params)
    rendered = RenderedLauncher.of(row.body)
    if row.version == version:
        rendered_launchers.put(key, rendered)
    return rendered


def page_launcher(db: Session, family_id: int, kid_id: int, at: datetime | None = None) -> list[dict[str, Any]]:
    """The kid's launcher groups (as `/api/apps` sends them), for a page to render; as of `at`
    (now by default)."""
    row = db.connection().exec_driver_sql(LAUNCHER_SQL, launcher_params(family_id, kid_id, at)).one()
    groups: list[dict[str, Any]] = json.loads(row.body)
    return groups


def visible_title_count(db: Session, family_id: int, kid_id: int, version: int, allows_ended: str | None = None) -> int:
    """How many titles the kid sees now (a title under two services counts once). `version` and
    `allows_ended`: the kid's launcher key read in this request, before it wrote anything; the body
    this process rendered for it is the same launcher, so the statement runs only when there is none."""
    rendered = rendered_launchers.get((kid_id, version, allows_ended))
    groups = json.loads(rendered.json) if rendered else page_launcher(db, family_id, kid_id)
    return len({item["id"] for group in groups for item in group["content"]})
