from fastapi import APIRouter, status

from axolotly.accounts.deps import DbSession
from axolotly.catalog import service as catalog
from axolotly.catalog.schemas import TitleSummary
from axolotly.families.deps import OwnedKid
from axolotly.policies import service
from axolotly.policies.schemas import BlockedEpisodes, EpisodeExplanation, PolicyOut, PolicySet, TitleExplanation
from axolotly.types import RowId

router = APIRouter(prefix="/api/parent/kids/{kid_id}", tags=["policies"])


def policy_out(row, title, queued: bool = False) -> PolicyOut:
    return PolicyOut(
        kid_id=row.kid_profile_id,
        title=TitleSummary.model_validate(title),
        policy=row.policy,
        blocked_episodes=row.blocked_episodes,
        created_at=row.created_at,
        until=row.allowed_until,
        episodes_job_queued=queued,
    )


@router.get("/policies", response_model=list[PolicyOut])
def list_policies(kid: OwnedKid, db: DbSession):
    return [policy_out(row, title) for row, title in service.list_policies(db, kid)]


@router.put("/policies/{title_id}", response_model=PolicyOut)
def set_policy(kid: OwnedKid, title_id: RowId, body: PolicySet, db: DbSession):
    """Allow or deny a title for this kid (one policy per kid and title; siblings unaffected); an
    allow with `until` ends by itself then, and the title goes back to what the kid's rules say."""
    row, title, queued = service.set_policy(db, kid, title_id, body.policy, body.until)
    return policy_out(row, title, queued)


@router.delete("/policies/{title_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_policy(kid: OwnedKid, title_id: RowId, db: DbSession) -> None:
    service.remove_policy(db, kid, title_id)


@router.put("/policies/{title_id}/blocked-episodes", response_model=PolicyOut)
def set_blocked_episodes(kid: OwnedKid, title_id: RowId, body: BlockedEpisodes, db: DbSession):
    """Replace the set of blocked episodes of an allowed show."""
    row = service.set_blocked_episodes(db, kid, title_id, body.episode_ids)
    return policy_out(row, catalog.get_title(db, title_id))


@router.put("/policies/{title_id}/blocked-episodes/{episode_id}", response_model=PolicyOut)
def block_episode(kid: OwnedKid, title_id: RowId, episode_id: RowId, db: DbSession):
    row = service.block_episode(db, kid, title_id, episode_id, blocked=True)
    return policy_out(row, catalog.get_title(db, title_id))


@router.delete("/policies/{title_id}/blocked-episodes/{episode_id}", response_model=PolicyOut)
def unblock_episode(kid: OwnedKid, title_id: RowId, episode_id: RowId, db: DbSession):
    row = service.block_episode(db, kid, title_id, episode_id, blocked=False)
    return policy_out(row, catalog.get_title(db, title_id))


@router.get("/titles/{title_id}/explain", response_model=TitleExplanation)
def explain(kid: OwnedKid, title_id: RowId, db: DbSession):
    """Why this kid does or does not see this title, and each of its episodes."""
    kid, title, decision, episodes = service.explain(db, kid, title_id)
    return TitleExplanation(
        kid_id=kid.id,
        title_id=title.id,
        visible=decision.visible,
        reason=decision.reason,
        explanation=decision.explanation,
        services=list(decision.services),
        episodes=[
            EpisodeExplanation(
                episode_id=e.id,
                season_number=e.season_number,
                episode_number=e.episode_number,
                name=e.name,
                visible=d.visible,
                reason=d.reason,
                explanation=d.explanation,
            )
            for e, d in episodes
        ],
    )
