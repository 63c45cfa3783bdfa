"""May this kid see this title, this episode? One pure function of plain data, with the reason.

The launcher's SQL (launcher/query.py) builds the same decision in bulk; a property test holds
the two together.
"""

from dataclasses import dataclass, field
from enum import StrEnum


class Reason(StrEnum):
    VISIBLE = "visible"
    NO_POLICY = "no_policy"
    DENIED = "denied"
    NOT_STREAMING = "not_streaming_anywhere"
    NOT_ON_YOUR_SERVICES = "not_on_your_services"
    EPISODE_BLOCKED = "episode_blocked"


EXPLANATIONS = {
    Reason.VISIBLE: "Allowed, and streaming on a service the family has",
    Reason.NO_POLICY: "Not allowed yet: nothing is visible until a parent allows it",
    Reason.DENIED: "Denied by a parent",
    Reason.NOT_STREAMING: "Allowed, but no streaming service is known to carry it",
    Reason.NOT_ON_YOUR_SERVICES: "Allowed, but not on any of the family's services",
    Reason.EPISODE_BLOCKED: "This episode is blocked by a parent",
}


@dataclass(frozen=True)
class Policy:
    policy: str  # PolicyKind's values, "allow" | "deny", spelled out: this module imports nothing
    blocked_episodes: frozenset[int] = frozenset()


@dataclass(frozen=True)
class TitleFacts:
    providers: tuple[str, ...]  # registry ids that carry the title


@dataclass(frozen=True)
class Decision:
    visible: bool
    reason: Reason
    # The launcher groups the title appears under, in the family's order.
    services: tuple[str, ...] = field(default=())

    @property
    def explanation(self) -> str:
        return EXPLANATIONS[self.reason]


def launcher_services(selected: list[str], providers: tuple[str, ...]) -> tuple[str, ...]:
    """Selected services that carry the title, in selection order; with no selection, its own."""
    if not selected:
        return tuple(dict.fromkeys(providers))
    carried = set(providers)
    return tuple(service for service in selected if service in carried)


def evaluate_title(policy: Policy | None, selected: list[str], title: TitleFacts) -> Decision:
    if policy is None:
        return Decision(False, Reason.NO_POLICY)
    if policy.policy != "allow":
        return Decision(False, Reason.DENIED)
    if not title.providers:
        return Decision(False, Reason.NOT_STREAMING)
    services = launcher_services(selected, title.providers)
    if not services:
        return Decision(False, Reason.NOT_ON_YOUR_SERVICES)
    return Decision(True, Reason.VISIBLE, services)


def evaluate_episode(policy: Policy | None, selected: list[str], title: TitleFacts, episode_id: int) -> Decision:
    decision = evaluate_title(policy, selected, title)
    if not decision.visible:
        return decision
    if episode_id in policy.blocked_episodes:
        return Decision(False, Reason.EPISODE_BLOCKED)
    return decision
