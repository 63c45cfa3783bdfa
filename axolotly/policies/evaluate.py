"""May this kid see this title, this episode? One pure function of plain data, with the reason.

The launcher's SQL (launcher/query.py) builds the same decision in bulk; a property test holds
the two together. The order of the decision:
1. a parent's explicit deny hides; 2. a parent's explicit allow shows (over the kid's rules); an
   allow for a while (`Policy.until`) whose end has come is no policy at all (`in_force`);
3. otherwise, in `rules` mode, a title of the family library shows when its rating is within the
   kid's cap (or it is unrated and unrated titles are allowed) and it carries no tag the kid's
   rules block; in `allow_list` mode nothing shows without an allow.
A title's rating is read in the family's country (ratings/scales.py): its certification on that
country's scale of the title's kind, compared by the scale's order with the cap; without one, the
strictest of its other countries' certifications by minimum age, compared with the cap's minimum
age; else it is unrated.
A shown title still needs a streaming service (the family's, or its own when none is chosen).
Episodes: blocked episodes and episodes tagged with a blocked tag are hidden.
Every explanation says the path it took ("Allowed by you", "Within Emma's rules") before a
missing service, names the rating that decided and where from, and names tags as a parent reads
them (Rules.tag_label). Explanations are read in the reader's language when they are read.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from typing import Union
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError

from axolotly.i18n import N_, current_language, format_moment, format_time, format_weekday, gettext
from axolotly.ratings.scales import Kind, Scales, snapshot

ALLOW_LIST, RULES = "allow_list", "rules"  # RulesMode's values, spelled out: enums are not imported here


def _us_classifications(kind: Kind) -> tuple[str, ...]:
    scale = snapshot().scale(kind, "US")
    return tuple(r.rating for r in scale.ratings if r.min_age is not None) if scale else ()


# The US scales' ratings, lowest first (G ... NC-17, TV-Y ... TV-MA): for callers that still
# speak only US ratings; the decision itself reads the family country's scales.
MOVIE_RATINGS = _us_classifications("movie")
TV_RATINGS = _us_classifications("tv")


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


# Each reason's words, marked for the catalog; %(kid)s is the kid's name, %(detail)s as noted.
EXPLANATIONS = {
    Reason.VISIBLE: N_("Allowed, and streaming on a service the family has"),
    Reason.ALLOWED_OVER_RULES: N_("Allowed by you, although %(detail)s"),  # the rules' words, lower case
    Reason.WITHIN_RULES: N_("Within %(kid)s's rules (%(detail)s), and streaming on a service the family has"),
    Reason.NO_POLICY: N_("Not allowed yet: nothing is visible until a parent allows it"),
    Reason.NOT_IN_LIBRARY: N_("Not in the family library"),
    Reason.DENIED: N_("Denied by a parent"),
    Reason.ABOVE_LIMIT: N_("%(rating)s is above %(kid)s's limit, %(cap)s"),
    Reason.UNRATED: N_("Unrated, and %(kid)s's rules block unrated titles"),
    Reason.TAG_BLOCKED: N_("Tagged %(detail)s, which %(kid)s's rules block"),
    # %(detail)s: why it would show ("Allowed by you", "In your library and within Emma's rules (G)").
    Reason.NOT_STREAMING: N_("%(detail)s, but no streaming service is known to carry it"),
    Reason.NOT_ON_YOUR_SERVICES: N_("%(detail)s, but not on any of the family's services"),
    Reason.EPISODE_BLOCKED: N_("This episode is blocked by a parent"),
    Reason.EPISODE_TAG_BLOCKED: N_("This episode is tagged %(detail)s, which %(kid)s's rules block"),
}
# A rating read from another country: %(home)s is the family's country, %(country)s the rating's.
ABOVE_LIMIT_ELSEWHERE = N_("No rating in %(home)s; rated %(rating)s in %(country)s, above %(kid)s's limit, %(cap)s")
WITHIN_RULES_ELSEWHERE = N_(
    "Within %(kid)s's rules (no rating in %(home)s; rated %(rating)s in %(country)s), "
    "and streaming on a service the family has"
)
UNRATED_WORD = N_("unrated")
# The path a title would have shown by, before "but no streaming service ...".
ALLOWED_PATH = N_("Allowed by you")
ALLOWED_ALTHOUGH_PATH = N_("Allowed by you (although %(detail)s)")
# An allow for a while says until when (%(when)s: a Moment, "Sunday 20:00", "the end of today").
ALLOWED_UNTIL = N_("Allowed by you until %(when)s, and streaming on a service the family has")
ALLOWED_UNTIL_OVER_RULES = N_("Allowed by you until %(when)s, although %(detail)s")
ALLOWED_UNTIL_PATH = N_("Allowed by you until %(when)s")
ALLOWED_UNTIL_ALTHOUGH_PATH = N_("Allowed by you until %(when)s (although %(detail)s)")
# A Moment's words: near ones by the day's name, later ones by date; an end at midnight is the
# end of the day before ("Today only" ends at midnight tonight: "the end of today", not "tomorrow 00:00").
MOMENT_WORDS = {
    "today": N_("%(time)s today"),
    "tomorrow": N_("%(time)s tomorrow"),
    "weekday": N_("%(day)s %(time)s"),
    "date": N_("%(day)s %(time)s"),
}
END_OF_DAY_WORDS = {
    "today": N_("the end of today"),
    "tomorrow": N_("the end of tomorrow"),
    "weekday": N_("the end of %(day)s"),
    "date": N_("the end of %(day)s"),
}
WITHIN_PATH = N_("In your library and within %(kid)s's rules (%(detail)s)")
WITHIN_ELSEWHERE_PATH = N_(
    "In your library and within %(kid)s's rules (no rating in %(home)s; rated %(rating)s in %(country)s)"
)


def country_name(code: str) -> str:
    """A country as the reader calls it ("Germany", "Deutschland"); the code when Babel has none."""
    try:
        return str(Locale.parse(current_language()).territories.get(code, code))
    except (UnknownLocaleError, ValueError):
        return code


@dataclass(frozen=True)
class Country:
    code: str


@dataclass(frozen=True)
class Moment:
    """An instant read later on the family's clock, in the reader's language: "20:00 today",
    "08:00 tomorrow", "Sunday 20:00", "14 Dec 20:00". Today and tomorrow are the reader's (the
    clock is asked when the words are read, not when the decision was made)."""

    at: datetime
    zone: str = "UTC"

    def read(self) -> str:
        zone = ZoneInfo(self.zone)
        local = self.at.astimezone(zone)
        today = datetime.now(UTC).astimezone(zone).date()
        end_of_day = local.time() == time(0)
        day = local.date() - timedelta(days=1) if end_of_day else local.date()
        ahead = (day - today).days
        kind = "today" if ahead == 0 else "tomorrow" if ahead == 1 else "weekday" if 1 < ahead < 7 else "date"
        named = format_weekday(day) if kind == "weekday" else format_moment(day, "day") if kind == "date" else ""
        words = END_OF_DAY_WORDS if end_of_day else MOMENT_WORDS
        return gettext(words[kind]) % {"day": named, "time": format_time(local)}


@dataclass(frozen=True)
class Words:
    """A sentence read later, in the reader's language: a marked template and its values."""

    template: str
    values: tuple[tuple[str, Union[str, Country, Moment, "Words"]], ...] = ()
    lowered: bool = False  # read inside another sentence: "Unrated, …" reads "although unrated, …"

    def read(self) -> str:
        text = gettext(self.template) % {key: _read(value) for key, value in self.values}
        return text[0].lower() + text[1:] if self.lowered and text[1:2].islower() else text


def _read(value: str | Country | Moment | Words) -> str:
    if isinstance(value, Country):
        return country_name(value.code)
    return value.read() if isinstance(value, (Words, Moment)) else value


@dataclass(frozen=True)
class Policy:
    policy: str  # PolicyKind's values, "allow" | "deny", spelled out: enums are not imported here
    blocked_episodes: frozenset[int] = frozenset()
    until: datetime | None = None  # an allow that ends at this instant (None: for good)


def in_force(policy: Policy | None, now: datetime) -> Policy | None:
    """The policy as it stands at `now`: an allow whose end has come is no policy at all (the
    rules alone decide), exactly as the launcher's statement reads `allowed_until > at`."""
    if policy is not None and policy.until is not None and policy.until <= now:
        return None
    return policy


def plain_words(tag: str) -> str:
    """A tag code as words when no label was given ("mild_peril" -> "Mild Peril")."""
    return tag.replace("_", " ").title()


@dataclass(frozen=True)
class Rules:
    """A kid's rules; the default (allow_list, nothing else) is "only what a parent allowed"."""

    mode: str = ALLOW_LIST
    max_movie_rating: str | None = None  # None: no cap; else a rating of the country's movie scale
    max_tv_rating: str | None = None
    block_unrated: bool = True
    blocked_tags: frozenset[str] = frozenset()
    kid_name: str = "this kid"
    # The name a parent reads for a tag (catalog/tags.py tag_label); words only, no decision.
    tag_label: Callable[[str], str] = field(default=plain_words, compare=False, repr=False)
    country: str = "US"  # the family's: the scales the caps and titles are read in
    scales: Scales = field(default_factory=snapshot, compare=False, repr=False)
    time_zone: str = "UTC"  # the family's: an allow's end is read on its clock (words only)

    def capping_kind(self, kind: Kind) -> Kind:
        """The scale whose cap limits titles of `kind`: their own, or, where the family's country
        rates only the other kind (Ireland and Japan have no TV scale), the other one, by age."""
        if self.scales.scale(kind, self.country) is not None:
            return kind
        other: Kind = "movie" if kind == "tv" else "tv"
        return other if self.scales.scale(other, self.country) is not None else kind

    def cap(self, kind: Kind) -> str | None:
        capping = self.capping_kind(kind)
        return self.max_tv_rating if capping == "tv" else self.max_movie_rating


@dataclass(frozen=True)
class TitleFacts:
    providers: tuple[str, ...]  # registry ids that carry the title
    certification: str | None = None  # the US one (the spec's column); read when `certifications` has no US
    tags: frozenset[str] = frozenset()
    in_library: bool = True
    # "movie" | "tv"; None (older callers): the kind whose US scale holds `certification`.
    media_type: str | None = None
    certifications: Mapping[str, str] = field(default_factory=dict)  # {"GB": "12A"}, normalised

    def kind(self) -> Kind:
        if self.media_type is not None:
            return "tv" if self.media_type == "tv" else "movie"
        return "tv" if self.certification in TV_RATINGS else "movie"

    def by_country(self) -> dict[str, str]:
        ratings = dict(self.certifications)
        if "US" not in ratings and self.certification:
            ratings["US"] = self.certification
        return ratings


@dataclass(frozen=True)
class Reading:
    """The rating that decides for a family: `at_home` when it is of the family's country."""

    rating: str
    country: str
    order: int
    min_age: int
    at_home: bool


def rating_reading(title: TitleFacts, rules: Rules) -> Reading | None:
    """The title's rating in the family's country, else the strictest by minimum age elsewhere
    (ties: the first country by code), else None: unrated. "NR" and the like rate nothing."""
    kind, ratings = title.kind(), title.by_country()
    home = rules.scales.scale(kind, rules.country)
    own = home.get(ratings.get(rules.country)) if home is not None else None
    if own is not None and own.min_age is not None:
        return Reading(own.rating, rules.country, own.order, own.min_age, True)
    strictest: Reading | None = None
    for country in sorted(ratings):
        scale = rules.scales.scale(kind, country) if country != rules.country else None
        found = scale.get(ratings[country]) if scale is not None else None
        if found is not None and found.min_age is not None and (strictest is None or found.min_age > strictest.min_age):
            strictest = Reading(found.rating, country, found.order, found.min_age, False)
    return strictest


def within_cap(reading: Reading, kind: Kind, rules: Rules) -> bool:
    """A cap not on the family's scale (or no classification) lets no rated title through."""
    cap = rules.cap(kind)
    if cap is None:
        return True
    home = rules.scales.scale(rules.capping_kind(kind), rules.country)
    limit = home.get(cap) if home is not None else None
    limit_age = home.age_up_to(cap) if home is not None else None
    if limit is None or limit_age is None:
        return False
    # At home by place on the scale; a rating from elsewhere by age, against the highest age the cap
    # lets through (scales.Scale.age_up_to).
    return reading.order <= limit.order if reading.at_home else reading.min_age <= limit_age


def _rating_words(template: str, reading: Reading, rules: Rules, cap: str | None) -> Words:
    values: list[tuple[str, str | Country | Words]] = [("kid", rules.kid_name), ("rating", reading.rating)]
    values += [("cap", cap or ""), ("home", Country(rules.country)), ("country", Country(reading.country))]
    return Words(template, tuple(values))


@dataclass(frozen=True)
class Decision:
    visible: bool
    reason: Reason
    # The launcher groups the title appears under, in the family's order.
    services: tuple[str, ...] = field(default=())
    detail: str = ""
    kid_name: str = "this kid"
    words: Words | None = None  # None: the reason's words with `detail` and the kid's name

    @property
    def explanation(self) -> str:
        return (self.words or _reason_words(self.reason, self.detail, self.kid_name)).read()


def _reason_words(reason: Reason, detail: str | Words = "", kid: str = "this kid") -> Words:
    return Words(EXPLANATIONS[reason], (("detail", detail), ("kid", kid)))


def _decided(visible: bool, reason: Reason, rules: Rules, detail: str = "", words: Words | None = None) -> Decision:
    return Decision(visible, reason, (), detail, rules.kid_name, words or _reason_words(reason, detail, rules.kid_name))


def launcher_services(selected: list[str], providers: tuple[str, ...]) -> tuple[str, ...]:
    """Selected services that carry the title, in selection order; with no selection, its own."""
    if not selected:
        return tuple(dict.fromkeys(providers))
    carried = set(providers)
    return tuple(service for service in selected if service in carried)


def rating_verdict(title: TitleFacts, rules: Rules) -> Decision | None:
    """Why the title's rating is outside the kid's rules, or None when it is within them."""
    reading = rating_reading(title, rules)
    if reading is None:
        return _decided(False, Reason.UNRATED, rules) if rules.block_unrated else None
    if within_cap(reading, title.kind(), rules):
        return None
    template = EXPLANATIONS[Reason.ABOVE_LIMIT] if reading.at_home else ABOVE_LIMIT_ELSEWHERE
    words = _rating_words(template, reading, rules, rules.cap(title.kind()))
    return _decided(False, Reason.ABOVE_LIMIT, rules, reading.rating, words)


def spoken_tags(tags: frozenset[str], rules: Rules) -> str:
    """“Mild peril” and “Scary scenes”: the tags by the names a parent reads, with the quotation
    marks and the "and" of the reader's language (the words of catalog/tags.py spoken_tags)."""
    names = [gettext("“%(name)s”") % {"name": name} for name in sorted(rules.tag_label(tag) for tag in tags)]
    if len(names) == 1:
        return names[0]
    return gettext("%(names)s and %(last)s") % {"names": ", ".join(names[:-1]), "last": names[-1]}


def rules_verdict(title: TitleFacts, rules: Rules) -> Decision | None:
    """Why the kid's rules hide the title, or None when they let it through."""
    rating = rating_verdict(title, rules)
    if rating is not None:
        return rating
    blocked = title.tags & rules.blocked_tags
    return _decided(False, Reason.TAG_BLOCKED, rules, spoken_tags(blocked, rules)) if blocked else None


def _streaming(selected: list[str], title: TitleFacts, shown: Decision, path: Words) -> Decision:
    """The decision to show, unless no service carries the title: then why it would have shown
    (`path`, e.g. "Allowed by you") and what stops it, never a claim that someone allowed it."""
    kid = shown.kid_name
    if not title.providers:
        return Decision(
            False, Reason.NOT_STREAMING, (), shown.detail, kid, _reason_words(Reason.NOT_STREAMING, path, kid)
        )
    services = launcher_services(selected, title.providers)
    if not services:
        missing = _reason_words(Reason.NOT_ON_YOUR_SERVICES, path, kid)
        return Decision(False, Reason.NOT_ON_YOUR_SERVICES, (), shown.detail, kid, missing)
    return Decision(True, shown.reason, services, shown.detail, kid, shown.words)


def _shown_within_rules(selected: list[str], title: TitleFacts, rules: Rules) -> Decision:
    reading, kid = rating_reading(title, rules), rules.kid_name
    if reading is not None and not reading.at_home:
        words = _rating_words(WITHIN_RULES_ELSEWHERE, reading, rules, None)
        path = _rating_words(WITHIN_ELSEWHERE_PATH, reading, rules, None)
        detail = reading.rating
    else:
        detail = reading.rating if reading is not None else ""
        rating: str | Words = detail or Words(UNRATED_WORD)
        words = _reason_words(Reason.WITHIN_RULES, rating, kid)
        path = Words(WITHIN_PATH, (("kid", kid), ("detail", rating)))
    return _streaming(selected, title, _decided(True, Reason.WITHIN_RULES, rules, detail, words), path)


def _allowed(policy: Policy, selected: list[str], title: TitleFacts, rules: Rules) -> Decision:
    """A parent's allow, for good or until `policy.until` (the caller passes only one in force)."""
    when = (("when", Moment(policy.until, rules.time_zone)),) if policy.until is not None else ()
    overridden = rules_verdict(title, rules) if rules.mode == RULES else None
    if overridden is None:
        words = Words(ALLOWED_UNTIL, when) if when else None
        path = Words(ALLOWED_UNTIL_PATH, when) if when else Words(ALLOWED_PATH)
        return _streaming(selected, title, _decided(True, Reason.VISIBLE, rules, words=words), path)
    said = overridden.words or _reason_words(overridden.reason, overridden.detail, rules.kid_name)
    although = Words(said.template, said.values, lowered=True)
    if when:
        words = Words(ALLOWED_UNTIL_OVER_RULES, (*when, ("detail", although)))
        path = Words(ALLOWED_UNTIL_ALTHOUGH_PATH, (*when, ("detail", although)))
    else:
        words = _reason_words(Reason.ALLOWED_OVER_RULES, although, rules.kid_name)
        path = Words(ALLOWED_ALTHOUGH_PATH, (("detail", although),))
    shown = _decided(True, Reason.ALLOWED_OVER_RULES, rules, overridden.detail, words)
    return _streaming(selected, title, shown, path)


def evaluate_title(policy: Policy | None, selected: list[str], title: TitleFacts, rules: Rules = Rules()) -> Decision:
    if policy is not None and policy.policy != "allow":
        return _decided(False, Reason.DENIED, rules)
    if policy is not None:
        return _allowed(policy, selected, title, rules)
    if rules.mode != RULES:
        return _decided(False, Reason.NO_POLICY, rules)
    if not title.in_library:
        return _decided(False, Reason.NOT_IN_LIBRARY, rules)
    hidden = rules_verdict(title, rules)
    if hidden is not None:
        return hidden
    return _shown_within_rules(selected, title, rules)


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
        return _decided(False, Reason.EPISODE_BLOCKED, rules)
    blocked = episode_tags & rules.blocked_tags
    if blocked:
        return _decided(False, Reason.EPISODE_TAG_BLOCKED, rules, spoken_tags(blocked, rules))
    return decision
