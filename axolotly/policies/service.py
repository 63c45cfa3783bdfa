"""Per-kid policies: allow/deny titles, block episodes, explain decisions."""

from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import case, delete, null, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from axolotly.audit import service as audit
from axolotly.catalog.service import episode_ids_of, episodes_of, get_title, has_episodes
from axolotly.db.results import affected_rows
from axolotly.enums import MediaType, PolicyKind, RequestStatus
from axolotly.errors import Conflict, Invalid, NotFound
from axolotly.families.library import (
    claim_for_policy,
    close_open_requests,
    in_library,
    keep_in_library,
    library_title_ids,
)
from axolotly.families.rules import kid_rules
from axolotly.families.scoping import owned_by
from axolotly.families.streaming import selected_services
from axolotly.i18n import N_
from axolotly.jobs.registry import LOAD_EPISODES, defer_in_transaction
from axolotly.models import KidProfile, KidProfileTitle, Title, User
from axolotly.policies.evaluate import (
    Decision,
    Policy,
    Rules,
    TitleFacts,
    evaluate_episode,
    evaluate_title,
    in_force,
)
from axolotly.policies.until import checked_until, in_trail_words
from axolotly.ratings.service import current_scales


def now_utc() -> datetime:
    return datetime.now(UTC)


def policy_of(row: KidProfileTitle | None, now: datetime) -> Policy | None:
    """What the decision reads of a policy row at `now`."""
    if row is None:
        return None
    return in_force(Policy(row.policy, frozenset(row.blocked_episodes), row.allowed_until), now)


def list_policies(db: Session, kid: KidProfile) -> list[tuple[KidProfileTitle, Title]]:
    """The kid's policies in force, by title name."""
    rows = db.execute(
        select(KidProfileTitle, Title)
        .join(Title, Title.id == KidProfileTitle.title_id)
        .where(KidProfileTitle.kid_profile_id == kid.id, KidProfileTitle.in_force_at(now_utc()))
        .order_by(Title.title, Title.id)
    )
    return [tuple(row) for row in rows]


def rules_for_title(db: Session, family_id: int, title_id: int) -> dict[int, KidProfileTitle]:
    """The policies in force of the family's kids on one title, by kid id (kids without one are absent)."""
    statement = select(KidProfileTitle).join(KidProfile, KidProfile.id == KidProfileTitle.kid_profile_id)
    statement = owned_by(statement, KidProfile, family_id).where(KidProfileTitle.title_id == title_id)
    rows = db.scalars(statement.where(KidProfileTitle.in_force_at(now_utc())))
    return {row.kid_profile_id: row for row in rows}


def _policy_row(db: Session, kid_id: int, title_id: int) -> KidProfileTitle | None:
    return db.execute(
        select(KidProfileTitle)
        .where(KidProfileTitle.kid_profile_id == kid_id, KidProfileTitle.title_id == title_id)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


def set_policy(
    db: Session, kid: KidProfile, title_id: int, policy: PolicyKind, until: datetime | None = None
) -> tuple[KidProfileTitle, Title, bool]:
    """Upserts the policy (which puts the title in the family library); allowing a show without
    episodes queues the job that loads them, as does a show new to the library (rules-mode kids).
    `until`: an allow that ends then (until.py checks it before anything is written); without
    one the policy is for good, also over an allow for a while."""
    until = checked_until(until, now_utc(), policy)
    title = get_title(db, title_id)
    needs_episodes = title.media_type == MediaType.TV and not has_episodes(db, title.id)
    new_to_library = needs_episodes and not in_library(db, kid.family_id, title.id)
    statement = insert(KidProfileTitle).values(
        kid_profile_id=kid.id, title_id=title.id, policy=policy, allowed_until=until
    )
    statement = statement.on_conflict_do_update(
        index_elements=[KidProfileTitle.kid_profile_id, KidProfileTitle.title_id],
        set_={
            "policy": statement.excluded.policy,
            "allowed_until": statement.excluded.allowed_until,
            # Over an allow whose end has come (the job has not removed it yet) the policy starts
            # afresh, as it would after the job: no episode blocks carried over from it.
            "blocked_episodes": case(
                (KidProfileTitle.allowed_until <= now_utc(), null()), else_=KidProfileTitle.blocked_episodes
            ),
        },
    )
    db.execute(statement)
    claim_for_policy(db, kid.family_id, title.id)
    # A kid waiting for this title has their answer (a request never outlives the decision).
    allowed = policy == PolicyKind.ALLOW
    close_open_requests(
        db,
        kid.family_id,
        title.id,
        kid.id,
        RequestStatus.APPROVED if allowed else RequestStatus.DECLINED,
        "A parent allowed it" if allowed else "A parent said no to this one",
    )
    verb = "Allowed" if policy == PolicyKind.ALLOW else "Denied"
    ending = f" until {in_trail_words(until, family_time_zone(db, kid.family_id))}" if until else ""
    audit.record(db, kid.family_id, "policy_changed", f"{verb} “{title.title}” for {kid.name}{ending}")
    queued = needs_episodes and allowed
    if queued or new_to_library:
        defer_in_transaction(db, LOAD_EPISODES, title_id=title.id)
    row = _policy_row(db, kid.id, title.id)
    if row is None:  # written above, in this transaction
        raise NotFound(N_("No policy for this title"))
    return row, title, queued


def remove_policy(db: Session, kid: KidProfile, title_id: int) -> None:
    """The title stays in the family library (for rules-mode kids), as a parent expects."""
    policy = select(KidProfileTitle).where(
        KidProfileTitle.kid_profile_id == kid.id, KidProfileTitle.title_id == title_id
    )
    keep_in_library(db, kid.family_id, policy)
    result = db.execute(
        delete(KidProfileTitle).where(KidProfileTitle.kid_profile_id == kid.id, KidProfileTitle.title_id == title_id)
    )
    if affected_rows(result) == 0:
        raise NotFound(N_("No policy for this title"))
    title = get_title(db, title_id)
    audit.record(db, kid.family_id, "policy_changed", f"Removed the rule for “{title.title}” for {kid.name}")


def _allowed_show_policy(db: Session, kid: KidProfile, title_id: int) -> KidProfileTitle:
    title = get_title(db, title_id)
    row = db.execute(
        select(KidProfileTitle)
        .where(KidProfileTitle.kid_profile_id == kid.id, KidProfileTitle.title_id == title.id)
        .with_for_update()
    ).scalar_one_or_none()
    if row is None or policy_of(row, now_utc()) is None:  # an ended allow is no policy any more
        raise NotFound(N_("No policy for this title"))
    if title.media_type != MediaType.TV:
        raise Invalid(N_("Only shows have episodes to block"))
    if row.policy != PolicyKind.ALLOW:
        raise Conflict(N_("Episodes can only be blocked on an allowed show"))
    return row


def _check_episodes_of_title(db: Session, title_id: int, episode_ids: set[int]) -> None:
    foreign = sorted(episode_ids - episode_ids_of(db, title_id, episode_ids))
    if foreign:
        raise Invalid(N_("Not episodes of this title: %(ids)s"), ids=", ".join(map(str, foreign)))


def set_blocked_episodes(db: Session, kid: KidProfile, title_id: int, episode_ids: list[int]) -> KidProfileTitle:
    row = _allowed_show_policy(db, kid, title_id)
    wanted = set(episode_ids)
    _check_episodes_of_title(db, title_id, wanted)
    row.blocked_episodes = sorted(wanted)
    db.flush()
    _record_blocked(db, kid, row)
    return row


def block_episode(db: Session, kid: KidProfile, title_id: int, episode_id: int, blocked: bool) -> KidProfileTitle:
    row = _allowed_show_policy(db, kid, title_id)
    _check_episodes_of_title(db, title_id, {episode_id})
    current = set(row.blocked_episodes)
    row.blocked_episodes = sorted(current | {episode_id} if blocked else current - {episode_id})
    db.flush()
    _record_blocked(db, kid, row)
    return row


def _record_blocked(db: Session, kid: KidProfile, row: KidProfileTitle) -> None:
    title = get_title(db, row.title_id)
    audit.record(
        db,
        kid.family_id,
        "episodes_blocked",
        f"{len(row.blocked_episodes)} episode(s) of “{title.title}” blocked for {kid.name}",
    )


def family_country(db: Session, family_id: int) -> str:
    """The family's country: its owner's (the family id is the owner's users.id)."""
    return db.scalar(select(User.country).where(User.id == family_id)) or "US"


def family_time_zone(db: Session, family_id: int) -> str:
    """The family's time zone: its owner's."""
    return db.scalar(select(User.time_zone).where(User.id == family_id)) or "UTC"


def rules_in_country(db: Session, kid: KidProfile) -> Rules:
    """The kid's rules, read in the family's country on the stored scales (as the launcher reads
    them), with the family's clock for the words of an allow's end."""
    country, zone = db.execute(select(User.country, User.time_zone).where(User.id == kid.family_id)).one()
    return replace(kid_rules(kid), country=country or "US", scales=current_scales(db), time_zone=zone or "UTC")


def title_facts(title: Title, country: str, in_family_library: bool = True) -> TitleFacts:
    """What the decision reads of a title, for a family in `country`: its providers there and its
    certifications per country."""
    by_country = title.providers_by_country if isinstance(title.providers_by_country, dict) else {}
    here = by_country.get(country)
    # A title TMDB lists other regions for and not this one streams nowhere here; only a title
    # without any regions (the offline catalog) falls back to the spec's list (launcher/query.py).
    providers = here if isinstance(here, list) else (title.providers if not by_country else [])
    certifications = {code: rating for code, rating in (title.certifications or {}).items() if isinstance(rating, str)}
    return TitleFacts(
        tuple(providers),
        title.certification,
        frozenset(title.tags),
        in_family_library,
        title.media_type,
        certifications,
    )


def explain(db: Session, kid: KidProfile, title_id: int):
    """The decision for the title and each of its episodes, with reasons (evaluate.py): the
    kid's rules, the title's certification and tags, the family library, each episode's tags."""
    title = get_title(db, title_id)
    policy = policy_of(_policy_row(db, kid.id, title.id), now_utc())
    selected = selected_services(db, kid.family_id)
    rules = rules_in_country(db, kid)
    facts = title_facts(title, rules.country, in_library(db, kid.family_id, title.id))
    episodes = episodes_of(db, title.id)
    return (
        kid,
        title,
        evaluate_title(policy, selected, facts, rules),
        [
            (episode, evaluate_episode(policy, selected, facts, episode.id, rules, frozenset(episode.tags)))
            for episode in episodes
        ],
    )


Verdicts = list[tuple[Title, Decision]]


def what_kid_can_watch(db: Session, kid: KidProfile) -> tuple[Verdicts, Verdicts]:
    """(visible, hidden) over the family library and the titles with a policy for the kid, by
    name: the launcher's decision (evaluate.py), each with its reason."""
    library = library_title_ids(db, kid.family_id)
    now = now_utc()
    policies = {row.title_id: policy_of(row, now) for row, _ in list_policies(db, kid)}
    title_ids = library | set(policies)
    titles = db.scalars(select(Title).where(Title.id.in_(title_ids)).order_by(Title.title, Title.id))
    selected = selected_services(db, kid.family_id)
    rules = rules_in_country(db, kid)
    visible: list[tuple[Title, Decision]] = []
    hidden: list[tuple[Title, Decision]] = []
    for title in titles:
        facts = title_facts(title, rules.country, title.id in library)
        decision = evaluate_title(policies.get(title.id), selected, facts, rules)
        (visible if decision.visible else hidden).append((title, decision))
    return visible, hidden
