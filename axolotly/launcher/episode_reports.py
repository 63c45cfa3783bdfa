"""Crowd-sourced episode links reported by devices (launcher contract), at both paths launchers use."""

from fastapi import APIRouter

from axolotly.accounts.deps import DbSession
from axolotly.launcher import episode_links
from axolotly.launcher.auth import CurrentDevice
from axolotly.launcher.schemas import EpisodeReport, EpisodeReportResult

router = APIRouter(tags=["launcher"])


@router.post("/api/device/episode-report", response_model=EpisodeReportResult)
@router.post("/api/launcher/device/episode-report", response_model=EpisodeReportResult, include_in_schema=False)
def episode_report(body: EpisodeReport, device: CurrentDevice, db: DbSession) -> EpisodeReportResult:
    outcome = episode_links.record_report(db, device, body)
    return EpisodeReportResult(report_id=outcome.report_id, status=outcome.status, message=outcome.message)
