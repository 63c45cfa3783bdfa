"""The provider registry of the launcher contract, and TMDB's watch-provider ids onto it.

Each entry also says which links belong to its service, because links reported by devices are
untrusted (docs: architecture, "What devices report is untrusted"): an https URL on one of its
web hosts (the host itself or a subdomain), or a URL in one of its own app schemes. The lists are
short on purpose: a host or scheme we are not sure of is left out (a missing one only refuses a
report; a wrong one lets a stranger's page reach kids).

A leaf module: it imports nothing of the project (the launcher, the pages and a migration use it).
"""

import re
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Provider:
    id: str
    name: str
    package: str
    hosts: tuple[str, ...] = ()
    schemes: tuple[str, ...] = ()
    other_packages: tuple[str, ...] = ()  # the spec table's "also ..." packages
    aliases: tuple[str, ...] = ()  # short names older launchers send
    # Anyone can upload to this service: a link on its hosts proves nothing about what it plays,
    # so no number of families makes it trusted; only an admin's verification does.
    verified_only: bool = False

    @property
    def packages(self) -> tuple[str, ...]:
        return (self.package, *self.other_packages)


PROVIDERS: tuple[Provider, ...] = (
    Provider("netflix", "Netflix", "com.netflix.mediaclient", hosts=("netflix.com",), schemes=("nflx",)),
    Provider(
        "disney_plus",
        "Disney+",
        "com.disney.disneyplus",
        hosts=("disneyplus.com",),
        schemes=("disneyplus",),
        aliases=("disney",),
    ),
    Provider("hulu", "Hulu", "com.hulu.plus", hosts=("hulu.com",), schemes=("hulu",)),
    Provider(
        "prime_video", "Prime Video", "com.amazon.avod.thirdpartyclient", hosts=("primevideo.com",), aliases=("prime",)
    ),
    Provider("max", "Max", "com.hbo.hbonow", hosts=("max.com", "hbomax.com"), other_packages=("com.wbd.stream",)),
    Provider("peacock", "Peacock", "com.peacocktv.peacockandroid", hosts=("peacocktv.com",)),
    Provider(
        "youtube",
        "YouTube",
        "com.google.android.youtube",
        hosts=("youtube.com", "youtu.be"),
        schemes=("vnd.youtube",),
        other_packages=("com.google.android.youtube.tv",),
        verified_only=True,
    ),
    Provider(
        "apple_tv_plus",
        "Apple TV+",
        "com.apple.atve.androidtv.appletv",
        hosts=("tv.apple.com",),
        other_packages=("com.apple.atve.sony.appletv",),
        aliases=("apple",),
    ),
    Provider("paramount_plus", "Paramount+", "com.cbs.ott", hosts=("paramountplus.com",), aliases=("paramount",)),
    Provider("tubi", "Tubi", "com.tubitv", hosts=("tubitv.com",)),
    Provider(
        "crunchyroll",
        "Crunchyroll",
        "com.crunchyroll.crunchyroid",
        hosts=("crunchyroll.com",),
        schemes=("crunchyroll",),
    ),
    Provider("pbs_kids", "PBS Kids", "org.pbskids.video", hosts=("pbskids.org",), aliases=("pbs",)),
    Provider("espn_plus", "ESPN+", "com.espn.score_center", hosts=("espn.com",), aliases=("espn",)),
    Provider(
        "curiosity_stream",
        "Curiosity Stream",
        "com.curiositystream.curiositystream",
        hosts=("curiositystream.com",),
        aliases=("curiosity",),
    ),
    Provider("noggin", "Noggin", "com.nick.noggin", hosts=("noggin.com",)),
    Provider("kidoodle_tv", "Kidoodle.TV", "com.kidoodle.kidoodle", hosts=("kidoodle.tv",), aliases=("kidoodle",)),
)
PROVIDERS_BY_ID = {provider.id: provider for provider in PROVIDERS}

_PROVIDERS_BY_NAME = {
    name.lower(): provider for provider in PROVIDERS for name in (provider.id, *provider.packages, *provider.aliases)
}
VERIFIED_ONLY_IDS = [provider.id for provider in PROVIDERS if provider.verified_only]

MAX_URL_LENGTH = 2048
# Printable ASCII without spaces or backslashes: browsers read a backslash as "/" in web URLs, so
# "https://evil.example\@disneyplus.com/" would pass a naive host check and open evil.example.
_URL_CHARACTERS = re.compile(r"^[!-\[\]-~]+$")
_DNS_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$")


def resolve_provider(name: str | None) -> Provider | None:
    """The registry entry for a registry id, an Android package or a short alias (any case)."""
    return _PROVIDERS_BY_NAME.get(name.strip().lower()) if name else None


def _scheme(url: str) -> str | None:
    """The URL's scheme in lower case, for a URL of plain characters with something after it."""
    if not url or len(url) > MAX_URL_LENGTH or not _URL_CHARACTERS.match(url):
        return None
    scheme, colon, rest = url.partition(":")
    return scheme.lower() if colon and rest else None


def _https_host(url: str) -> str | None:
    """The host of a plain https URL: no user info, no port but 443, a DNS name (not an address)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    host = parts.hostname or ""
    if parts.scheme.lower() != "https" or "@" in parts.netloc or port not in (None, 443) or not _DNS_NAME.match(host):
        return None
    return host


def is_trusted_url(provider: Provider, url: str) -> bool:
    """An https URL on one of the provider's hosts (or a subdomain), or a URL in one of its app schemes."""
    scheme = _scheme(url)
    if scheme is None:
        return False
    if scheme in provider.schemes:
        return True
    host = _https_host(url) if scheme == "https" else None
    return host is not None and any(host == known or host.endswith("." + known) for known in provider.hosts)


def is_safe_link(url: str | None, provider_id: str | None) -> bool:
    """May a page put this URL in an href? Only when it is trusted for its (known) provider."""
    provider = PROVIDERS_BY_ID.get(provider_id or "")
    return provider is not None and is_trusted_url(provider, url or "")


def link_shown_to_kids(provider_id: str, verified: bool, families: int, min_families: int) -> bool:
    """The launcher's rule for an episode link (LAUNCHER_SQL's deepLink filter is the same)."""
    provider = PROVIDERS_BY_ID.get(provider_id)
    return verified or (provider is not None and not provider.verified_only and families >= min_families)


# TMDB watch-provider ids (several per service: regions, ad tiers, channels) -> registry id.
TMDB_PROVIDER_IDS: dict[int, str] = {
    8: "netflix",
    1796: "netflix",
    337: "disney_plus",
    15: "hulu",
    9: "prime_video",
    119: "prime_video",
    10: "prime_video",
    1899: "max",
    384: "max",
    386: "peacock",
    387: "peacock",
    192: "youtube",
    188: "youtube",
    350: "apple_tv_plus",
    2: "apple_tv_plus",
    531: "paramount_plus",
    582: "paramount_plus",
    73: "tubi",
    283: "crunchyroll",
    209: "pbs_kids",
    2285: "pbs_kids",
    1768: "espn_plus",
    190: "curiosity_stream",
    262: "noggin",
    538: "kidoodle_tv",
}


def registry_ids_for_tmdb(provider_ids: list[int]) -> list[str]:
    """Registry ids for TMDB provider ids, first-seen order, unknown services dropped."""
    seen: dict[str, None] = {}
    for provider_id in provider_ids:
        registry_id = TMDB_PROVIDER_IDS.get(provider_id)
        if registry_id:
            seen.setdefault(registry_id, None)
    return list(seen)
