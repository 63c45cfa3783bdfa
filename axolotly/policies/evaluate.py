"""May this kid see this title, this episode? One pure function of plain data, with the reason.

The launcher's SQL (launcher/query.py) builds the same decision in bulk; a property test holds
the two together. The order of the decision:
1. a parent's explicit deny hides; 2. a parent's explicit allow shows (over the kid's rules);
3. otherwise, in `rules` mode, a title of the family library shows when its certification is
   within the kid's cap (or it is unrated and unrated titles are allowed) and it carries no tag
   the kid's rules block; in `allow_list` mode nothing shows without an allow.
A shown title still needs a streaming service (the family's, or its own when none is chosen).
Episodes: blocked episodes and episodes tagged with a blocked tag are hidden.
Every explanation says the path it took ("Allowed by you", "Within Emma's rules") before a
missing service, and names tags as a parent reads them (Rules.tag_label).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

# Strictest first (US MPAA and US TV Parental Guidelines).
MOVIE_RATINGS = ("G", "PG", "PG-13", "R", "NC-17")
TV_RATINGS = ("TV-Y", "TV-Y7", "TV-G", "TV-PG", "TV-14", "TV-MA")
ALLOW_LIST, RULES = "allow_list", "rules"  # RulesMode's values, spelled out: this module imports nothing


class Reason(StrEnum):
    VISIBLE = "visible"
    ALLOWED_OVER_RULES = "allowed_over_rules"
    WITHIN_RULES = "within_rules"
    NO_POLICY = "no_policy"
    NOT_IN_LIBRARY = "not_in_library"
    DENIED = "denied"
    ABOVE_LIMIT = "above_limit"
    UNRATED = "unrated_blocked"
    TAG_BLOCKED = "tag_blocked"
    NOT_STREAMING = "not_streaming_anywhere"
    NOT_ON_YOUR_SERVICES = "not_on_your_services"
    EPISODE_BLOCKED = "episode_blocked"
    EPISODE_TAG_BLOCKED = "episode_tag_blocked"


EXPLANATIONS = {
    Reason.VISIBLE: "Allowed, and streaming on a service the family has",
    Reason.ALLOWED_OVER_RULES: "Allowed by you, although {detail}",
    Reason.WITHIN_RULES: "Within {kid}'s rules ({detail}), and streaming on a service the family has",
    Reason.NO_POLICY: "Not allowed yet: nothing is visible until a parent allows it",
    Reason.NOT_IN_LIBRARY: "Not in the family library",
    Reason.DENIED: "Denied by a parent",
    Reason.ABOVE_LIMIT: "{detail}",
    Reason.UNRATED: "Unrated, and {kid}'s rules block unrated titles",
    Reason.TAG_BLOCKED: "Tagged {detail}, which {kid}'s rules block",
    # {detail}: why it would show ("Allowed by you", "In your library and within Emma's rules (G)").
    Reason.NOT_STREAMING: "{detail}, but no streaming service is known to carry it",
    Reason.NOT_ON_YOUR_SERVICES: "{detail}, but not on any of the family's services",
    Reason.EPISODE_BLOCKED: "This episode is blocked by a parent",
    Reason.EPISODE_TAG_BLOCKED: "This episode is tagged {detail}, which {kid}'s rules block",
}


@dataclass(frozen=True)
class Policy:
    policy: str  # PolicyKind's values, "allow" | "deny", spelled out: this module imports nothing
    blocked_episodes: frozenset[int] = frozenset()


def plain_words(tag: str) -> str:
    """A tag code as words when no label was given ("mild_peril" -> "Mild Peril")."""
    return tag.replace("_", " ").title()


@dataclass(frozen=True)
class Rules:
    """A kid's rules; the default (allow_list, nothing else) is "only what a parent allowed"."""

    mode: str = ALLOW_LIST
    max_movie_rating: str | None = None  # None: no cap
    max_tv_rating: str | None = None
    block_unrated: bool = True
    blocked_tags: frozenset[str] = frozenset()
    kid_name: str = "this kid"
    # The name a parent reads for a tag (catalog/tags.py tag_label); words only, no decision.
    tag_label: Callable[[str], str] = field(default=plain_words, compare=False, repr=False)


@dataclass(frozen=True)
class TitleFacts:
    providers: tuple[str, ...]  # registry ids that carry the title
    certification: str | None = None
    tags: frozenset[str] = frozenset()
    in_library: bool = True


@dataclass(frozen=True)
class Decision:
    visible: bool
    reason: Reason
    # The launcher groups the title appears under, in the family's order.
    services: tuple[str, ...] = field(default=())
    detail: str = ""
    kid_name: str = "this kid"

    @property
    def explanation(self) -> str:
        return EXPLANATIONS[self.reason].format(detail=self.detail, kid=self.kid_name)


def launcher_services(selected: list[str], providers: tuple[str, ...]) -> tuple[str, ...]:
    """Selected services that carry the title, in selection order; with no selection, its own."""
    if not selected:
        return tuple(dict.fromkeys(providers))
    carried = set(providers)
    return tuple(service for service in selected if service in carried)


def rating_verdict(certification: str | None, rules: Rules) -> tuple[Reason, str] | None:
    """Why the certification is outside the kid's rules, or None when it is within them."""
    for scale, cap in ((MOVIE_RATINGS, rules.max_movie_rating), (TV_RATINGS, rules.max_tv_rating)):
        if certification in scale:
            if cap is None or scale.index(certification) <= scale.index(cap):
                return None
            return Reason.ABOVE_LIMIT, f"{certification} is above {rules.kid_name}'s limit, {cap}"
    return (Reason.UNRATED, "") if rules.block_unrated else None


def spoken_tags(tags: frozenset[str], rules: Rules) -> str:
    """“Mild peril” and “Scary scenes”: the tags by the names a parent reads."""
    names = [f"“{name}”" for name in sorted(rules.tag_label(tag) for tag in tags)]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def rules_verdict(title: TitleFacts, rules: Rules) -> tuple[Reason, str] | None:
    """Why the kid's rules hide the title, or None when they let it through."""
    rating = rating_verdict(title.certification, rules)
    if rating is not None:
        return rating
    blocked = title.tags & rules.blocked_tags
    return (Reason.TAG_BLOCKED, spoken_tags(blocked, rules)) if blocked else None


def _streaming(selected: list[str], title: TitleFacts, shown: Decision, path: str) -> Decision:
    """The decision to show, unless no service carries the title: then why it would have shown
    (`path`, e.g. "Allowed by you") and what stops it, never a claim that someone allowed it."""
    if not title.providers:
        return Decision(False, Reason.NOT_STREAMING, detail=path, kid_name=shown.kid_name)
    services = launcher_services(selected, title.providers)
    if not services:
        return Decision(False, Reason.NOT_ON_YOUR_SERVICES, detail=path, kid_name=shown.kid_name)
    return Decision(True, shown.reason, services, shown.detail, shown.kid_name)


def evaluate_title(policy: Policy | None, selected: list[str], title: TitleFacts, rules: Rules = Rules()) -> Decision:
    kid = rules.kid_name
    if policy is not None and policy.policy != "allow":
        return Decision(False, Reason.DENIED, kid_name=kid)
    if policy is not None:
        overridden = rules_verdict(title, rules) if rules.mode == RULES else None
        if overridden is None:
            return _streaming(selected, title, Decision(True, Reason.VISIBLE, kid_name=kid), "Allowed by you")
        reason, detail = overridden
        words = Decision(False, reason, detail=detail, kid_name=kid).explanation
        if words[1:2].islower():  # "Unrated, …" reads "although unrated, …"; "TV-14 is …" stays
            words = words[0].lower() + words[1:]
        shown = Decision(True, Reason.ALLOWED_OVER_RULES, detail=words, kid_name=kid)
        return _streaming(selected, title, shown, f"Allowed by you (although {words})")
    if rules.mode != RULES:
        return Decision(False, Reason.NO_POLICY, kid_name=kid)
    if not title.in_library:
        return Decision(False, Reason.NOT_IN_LIBRARY, kid_name=kid)
    hidden = rules_verdict(title, rules)
    if hidden is not None:
        return Decision(False, hidden[0], detail=hidden[1], kid_name=kid)
    within = title.certification or "unrated"
    shown = Decision(True, Reason.WITHIN_RULES, detail=within, kid_name=kid)
    path = f"In your library and within {kid}'s rules ({within})"
    return _streaming(selected, title, shown, path)


def evaluate_episode(
    policy: Policy | None,
    selected: list[str],
    title: TitleFacts,
    episode_id: int,
    rules: Rules = Rules(),
    episode_tags: frozenset[str] = frozenset(),
) -> Decision:
    decision = evaluate_title(policy, selected, title, rules)
    if not decision.visible:
        return decision
    if policy is not None and episode_id in policy.blocked_episodes:
        return Decision(False, Reason.EPISODE_BLOCKED, kid_name=rules.kid_name)
    blocked = episode_tags & rules.blocked_tags
    if blocked:
        return Decision(False, Reason.EPISODE_TAG_BLOCKED, detail=spoken_tags(blocked, rules), kid_name=rules.kid_name)
    return decision
