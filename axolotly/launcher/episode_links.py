"""Crowd-sourced deep links from devices: bump or add a link, never touch the catalog."""

from sqlalchemy import text
from sqlalchemy.orm import Session

from axolotly.errors import NotFound
from axolotly.launcher.schemas import EpisodeReport

# Only episodes of shows this device's kid is allowed: a device cannot plant links anywhere else.
FIND_EPISODE = text("""
    SELECT e.id FROM episodes e
    JOIN titles t ON t.id = e.title_id
    JOIN kid_profiles_titles p ON p.title_id = t.id AND p.kid_profile_id = :kid_id AND p.policy = 'allow'
    WHERE (t.tmdb_id = :tmdb_show_id OR t.id = :title_id) AND t.media_type = 'tv'
      AND e.season_number = :season AND e.episode_number = :episode
    ORDER BY e.id LIMIT 1
""")

UPSERT_LINK = text("""
    INSERT INTO episode_links AS l (episode_id, platform, url, reported_count)
    VALUES (:episode_id, :platform, :url, 1)
    ON CONFLICT (episode_id, platform, md5(url)) DO UPDATE SET reported_count = l.reported_count + 1
    RETURNING l.id, l.reported_count
""")


def record_report(db: Session, kid_id: int | None, report: EpisodeReport) -> tuple[int, int]:
    episode_id = None
    if kid_id is not None:
        episode_id = db.execute(FIND_EPISODE, {
            "kid_id": kid_id, "tmdb_show_id": report.tmdb_show_id, "title_id": report.title_id,
            "season": report.season, "episode": report.episode,
        }).scalar_one_or_none()
    if episode_id is None:
        raise NotFound("Unknown episode for this device")
    row = db.execute(UPSERT_LINK, {"episode_id": episode_id, "platform": report.platform, "url": report.url}).one()
    return row.id, row.reported_count
