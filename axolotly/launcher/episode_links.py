"""Crowd-sourced episode deep links reported by devices: untrusted input, counted per family.

A report is refused (nothing stored) unless its URL belongs to its provider: an https URL on the
provider's web hosts or one of its app schemes (catalog/providers.py). A trusted-looking report is
then either
- matched: it names an existing episode of a show this device's kid is allowed (and the episode
  is not blocked for the kid); the link row is found or added, and the family's report counted
  once per link however many of its devices send it, or
- pending: anything else (an unassigned device, an unknown or not-allowed show, no episode
  numbers, a movie); kept once per family and URL with what the device said, attached to nothing.
  When a show's episodes arrive (the episode-loading job), its pending reports are matched as
  above, for any kid of the reporting family allowed the show (a pending row names no kid).
A report never creates or edits titles or episodes. Kids see a link only once it is verified or
reported by `link_min_families` families (`link_shown_to_kids`; LAUNCHER_SQL holds the same rule);
on services anyone can upload to (YouTube) only an admin's verification counts.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

from sqlalchemy import RowMapping, text
from sqlalchemy.orm import Session

from axolotly.catalog.providers import PROVIDERS_BY_ID, Provider, is_trusted_url, resolve_provider
from axolotly.config import get_settings
from axolotly.db.results import affected_rows
from axolotly.errors import BadRequest
from axolotly.launcher.schemas import EpisodeReport
from axolotly.security import rate_limits
from axolotly.security.rate_limits import Limit

MAX_REPORTS_PER_FAMILY_PER_DAY = 500

# One show only: by our title id, else TMDB's, else a name no other allowed show of the kid has.
FIND_ALLOWED_EPISODE = text("""
    SELECT min(e.id) FROM episodes e
    JOIN titles t ON t.id = e.title_id
    JOIN kid_profiles_titles p ON p.title_id = t.id AND p.kid_profile_id = :kid_id AND p.policy = 'allow'
         AND (p.allowed_until IS NULL OR p.allowed_until > now())  -- an ended allow allows nothing
    WHERE t.media_type = 'tv' AND e.season_number = :season AND e.episode_number = :episode
      AND NOT COALESCE(p.blocked_episodes, '[]') @> to_jsonb(e.id)  -- NULL: none blocked
      AND CASE WHEN CAST(:title_id AS integer) IS NOT NULL THEN t.id = :title_id
               WHEN CAST(:tmdb_id AS integer) IS NOT NULL THEN t.tmdb_id = :tmdb_id
               ELSE lower(t.title) = lower(CAST(:title AS text)) END
    HAVING count(DISTINCT t.id) = 1
""")

# DO NOTHING, not DO UPDATE: an update of episode_links would bump every kid's launcher version.
ADD_LINK = text("""
    INSERT INTO episode_links (episode_id, platform, url) VALUES (:episode_id, :platform, :url)
    ON CONFLICT (episode_id, platform, md5(url)) DO NOTHING
    RETURNING id
""")
FIND_LINK = text("""
    SELECT id FROM episode_links WHERE episode_id = :episode_id AND platform = :platform AND md5(url) = md5(:url)
""")

# A family's second report of a link returns its first (the no-op update lets RETURNING see it);
# a new row is counted into episode_links.reported_count by trigger (migration 0015).
ADD_FAMILY_REPORT = text("""
    INSERT INTO link_reports AS r (link_id, family_id, platform, url, reported_title_id, reported_tmdb_id,
                                   reported_season, reported_episode, reported_title)
    VALUES (:link_id, :family_id, :platform, :url, :title_id, :tmdb_id, :season, :episode, :title)
    ON CONFLICT (link_id, family_id) DO UPDATE SET link_id = r.link_id
    RETURNING r.id
""")

ADD_PENDING_REPORT = text("""
    INSERT INTO link_reports AS r (family_id, platform, url, reported_title_id, reported_tmdb_id,
                                   reported_season, reported_episode, reported_title)
    VALUES (:family_id, :platform, :url, :title_id, :tmdb_id, :season, :episode, :title)
    ON CONFLICT (family_id, platform, md5(url)) WHERE link_id IS NULL DO UPDATE SET
        reported_title_id = EXCLUDED.reported_title_id, reported_tmdb_id = EXCLUDED.reported_tmdb_id,
        reported_season = EXCLUDED.reported_season, reported_episode = EXCLUDED.reported_episode,
        reported_title = EXCLUDED.reported_title
    RETURNING r.id
""")


@dataclass(frozen=True)
class ReportOutcome:
    report_id: int
    status: Literal["matched", "pending"]
    provider: Provider

    @property
    def message(self) -> str:
        if self.status == "pending":
            return "Link received; it is not matched to an episode this device's kid can watch yet"
        if self.provider.verified_only:
            return "Link recorded for this episode; kids see it once an admin verifies it"
        families = get_settings().link_min_families
        return f"Link recorded for this episode; kids see it once an admin verifies it or {families} families report it"


def trusted_provider(report: EpisodeReport) -> Provider:
    """The report's provider, if its URL belongs to it; else a 400 before anything is written."""
    provider = resolve_provider(report.reported_provider)
    if provider is None:
        raise BadRequest(
            f"Unknown provider {report.reported_provider[:100]!r}: send a registry id, "
            "an Android package or a short alias"
        )
    if not is_trusted_url(provider, report.reported_url):
        raise BadRequest(
            f"Not a {provider.name} link: only https links on {provider.name}'s web sites "
            "or links of its own app are accepted"
        )
    return provider


# Pending reports naming the show (as FIND_ALLOWED_EPISODE reads them), each with every kid of its
# family allowed the show; found through the show's policies and the pending rows' family index.
PENDING_FOR_SHOW = text("""
    SELECT r.id, r.family_id, r.platform, r.url, r.reported_title_id AS title_id, r.reported_tmdb_id AS tmdb_id,
           r.reported_season AS season, r.reported_episode AS episode, r.reported_title AS title, k.id AS kid_id
    FROM titles t
    JOIN kid_profiles_titles p ON p.title_id = t.id AND p.policy = 'allow'
         AND (p.allowed_until IS NULL OR p.allowed_until > now())
    JOIN kid_profiles k ON k.id = p.kid_profile_id
    JOIN link_reports r ON r.family_id = k.family_id AND r.link_id IS NULL
    WHERE t.id = :title_id AND t.media_type = 'tv'
      AND r.reported_season IS NOT NULL AND r.reported_episode IS NOT NULL
      AND CASE WHEN r.reported_title_id IS NOT NULL THEN r.reported_title_id = t.id
               WHEN r.reported_tmdb_id IS NOT NULL THEN r.reported_tmdb_id = t.tmdb_id
               ELSE lower(r.reported_title) = lower(t.title) END
    ORDER BY r.id, k.id
""")
# The update moves reported_count by trigger (migration 0015); a family counted already keeps its row.
ATTACH_PENDING = text("""
    UPDATE link_reports r SET link_id = :link_id
    WHERE r.id = :report_id AND r.link_id IS NULL
      AND NOT EXISTS (SELECT 1 FROM link_reports m WHERE m.link_id = :link_id AND m.family_id = r.family_id)
""")
DROP_PENDING = text("DELETE FROM link_reports WHERE id = :report_id AND link_id IS NULL")


def _allowed_episode(db: Session, kid_id: int | None, said: Mapping[str, Any] | RowMapping) -> int | None:
    """`said`: the report's title_id, tmdb_id, title, season and episode."""
    if kid_id is None or said["season"] is None or said["episode"] is None:
        return None
    if said["title_id"] is None and said["tmdb_id"] is None and not said["title"]:
        return None
    names = {key: said[key] for key in ("title_id", "tmdb_id", "title", "season", "episode")}
    return db.execute(FIND_ALLOWED_EPISODE, {**names, "kid_id": kid_id}).scalar_one_or_none()


def _link_id(db: Session, episode_id: int, platform: str, url: str) -> int:
    params = {"episode_id": episode_id, "platform": platform, "url": url}
    link_id: int = db.execute(ADD_LINK, params).scalar_one_or_none() or db.execute(FIND_LINK, params).scalar_one()
    return link_id


def report_limit(family_id: int) -> Limit:
    # Every report may add a row: a family's devices get a generous daily budget, not an unbounded one.
    return Limit(f"link-reports:family:{family_id}", MAX_REPORTS_PER_FAMILY_PER_DAY, timedelta(days=1))


def record_report(db: Session, family_id: int, kid_id: int | None, report: EpisodeReport) -> ReportOutcome:
    """A report from a device of `family_id`, assigned to `kid_id` (None: unassigned)."""
    rate_limits.spend(report_limit(family_id), "Too many link reports from this family today")
    provider = trusted_provider(report)
    said = {
        "family_id": family_id,
        "platform": provider.id,
        "url": report.reported_url,
        "title_id": report.title_id,
        "tmdb_id": report.reported_tmdb_id,
        "season": report.reported_season,
        "episode": report.reported_episode,
        "title": report.title,
    }
    episode_id = _allowed_episode(db, kid_id, said)
    if episode_id is None:
        return ReportOutcome(db.execute(ADD_PENDING_REPORT, said).scalar_one(), "pending", provider)
    link_id = _link_id(db, episode_id, provider.id, report.reported_url)
    return ReportOutcome(db.execute(ADD_FAMILY_REPORT, {**said, "link_id": link_id}).scalar_one(), "matched", provider)


def match_pending_reports(db: Session, show_id: int) -> int:
    """Pending reports that name this show, matched now that its episodes are loaded (a report
    sent before them would otherwise wait forever); returns how many were matched."""
    matched: set[int] = set()
    for pending in db.execute(PENDING_FOR_SHOW, {"title_id": show_id}).mappings():
        provider = PROVIDERS_BY_ID.get(pending["platform"])
        if pending["id"] in matched or provider is None or not is_trusted_url(provider, pending["url"]):
            continue
        episode_id = _allowed_episode(db, pending["kid_id"], pending)
        if episode_id is None:
            continue
        params = {"report_id": pending["id"], "link_id": _link_id(db, episode_id, provider.id, pending["url"])}
        if affected_rows(db.execute(ATTACH_PENDING, params)) == 0:
            db.execute(DROP_PENDING, params)  # the family's other report of this link counts already
        matched.add(pending["id"])
    return len(matched)
