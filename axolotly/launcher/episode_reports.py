"""Crowd-sourced episode links reported by devices (launcher contract), to be rewritten."""

from fastapi import APIRouter

from axolotly.accounts.deps import DbSession
from axolotly.launcher import episode_links
from axolotly.launcher.auth import CurrentDevice
from axolotly.launcher.schemas import EpisodeReport, EpisodeReportResult

router = APIRouter(tags=["launcher"])


@router.post("/api/device/episode-report", response_model=EpisodeReportResult)
def episode_report(body: EpisodeReport, device: CurrentDevice, db: DbSession):
    link_id, count = episode_links.record_report(db, device.kid_profile_id, body)
    return EpisodeReportResult(link_id=link_id, reported_count=count)
