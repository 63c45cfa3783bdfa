"""The provider registry of the launcher contract, and TMDB's watch-provider ids onto it.

The spec's services come first, in the spec's order (families store the ids and the launcher
groups in registry order, so ids and order never change); the national services of issue 25
follow. Each says where a family can have it (`countries`, None: nearly everywhere), so a family
picks among its own country's services (providers_for_country). Where each fact comes from:
docs/streaming-services.md.

Each entry also says which links belong to its service, because links reported by devices are
untrusted (docs: architecture, "What devices report is untrusted"): an https URL on one of its
web hosts (the host itself or a subdomain), or a URL in one of its own app schemes. The lists are
short on purpose: a host or scheme we are not sure of is left out (a missing one only refuses a
report; a wrong one lets a stranger's page reach kids).

A leaf module: it imports nothing of the project (the launcher, the pages and a migration use it).
"""

import re
from dataclasses import dataclass, replace
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
    # Where a family can subscribe (ISO 3166-1 codes); None: a service offered nearly everywhere.
    countries: frozenset[str] | None = None
    # How TMDB names the service in its watch-provider lists, for the services whose TMDB ids
    # are not recorded here: a name match is the service by definition, a guessed id could be another.
    tmdb_names: tuple[str, ...] = ()

    @property
    def packages(self) -> tuple[str, ...]:
        return (self.package, *self.other_packages)

    def offered_in(self, country: str) -> bool:
        return self.countries is None or country in self.countries


def _in(*countries: str) -> frozenset[str]:
    return frozenset(countries)


def _offered_in(countries: frozenset[str], *providers: Provider) -> tuple[Provider, ...]:
    """National services: offered in `countries` unless an entry says otherwise (Arte)."""
    return tuple(p if p.countries is not None else replace(p, countries=countries) for p in providers)


US = _in("US")


# The spec's services without `countries` are offered in many countries, and that changes often:
# None rather than a list that would keep a family from picking a service it has. Hulu, Peacock,
# PBS Kids, ESPN+ and Noggin are US services.
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
    Provider("hulu", "Hulu", "com.hulu.plus", hosts=("hulu.com",), schemes=("hulu",), countries=US),
    Provider(
        "prime_video", "Prime Video", "com.amazon.avod.thirdpartyclient", hosts=("primevideo.com",), aliases=("prime",)
    ),
    Provider("max", "Max", "com.hbo.hbonow", hosts=("max.com", "hbomax.com"), other_packages=("com.wbd.stream",)),
    Provider("peacock", "Peacock", "com.peacocktv.peacockandroid", hosts=("peacocktv.com",), countries=US),
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
    Provider("pbs_kids", "PBS Kids", "org.pbskids.video", hosts=("pbskids.org",), aliases=("pbs",), countries=US),
    Provider("espn_plus", "ESPN+", "com.espn.score_center", hosts=("espn.com",), aliases=("espn",), countries=US),
    Provider(
        "curiosity_stream",
        "Curiosity Stream",
        "com.curiositystream.curiositystream",
        hosts=("curiositystream.com",),
        aliases=("curiosity",),
    ),
    Provider("noggin", "Noggin", "com.nick.noggin", hosts=("noggin.com",), countries=US),
    Provider("kidoodle_tv", "Kidoodle.TV", "com.kidoodle.kidoodle", hosts=("kidoodle.tv",), aliases=("kidoodle",)),
    # National services (issue 25), by country. No app schemes: none is recorded as a fact yet.
    *_offered_in(
        _in("GB"),
        Provider(
            "bbc_iplayer", "BBC iPlayer", "bbc.iplayer.android", hosts=("bbc.co.uk",), tmdb_names=("BBC iPlayer",)
        ),
        Provider("itvx", "ITVX", "air.ITVMobilePlayer", hosts=("itv.com",), tmdb_names=("ITVX", "ITV Hub")),
        Provider(
            "channel_4",
            "Channel 4",
            "com.channel4.ondemand",
            hosts=("channel4.com",),
            tmdb_names=("Channel 4", "All 4"),
        ),
        Provider("my5", "My5", "com.channel5.my5", hosts=("channel5.com",), tmdb_names=("My5", "Channel 5")),
    ),
    *_offered_in(
        _in("DE"),
        Provider(
            "ard_mediathek",
            "ARD Mediathek",
            "de.swr.avp.ard.phone",
            hosts=("ardmediathek.de",),
            other_packages=("de.swr.avp.ard.tv",),
            tmdb_names=("ARD Mediathek",),
        ),
        Provider(
            "zdf_mediathek",
            "ZDFmediathek",
            "com.zdf.android.mediathek",
            hosts=("zdf.de",),
            tmdb_names=("ZDF", "ZDFmediathek", "ZDF Mediathek"),
        ),
        Provider("joyn", "Joyn", "de.prosiebensat1digital.seventv", hosts=("joyn.de",), tmdb_names=("Joyn",)),
        Provider("rtl_plus", "RTL+", "de.cbc.vp2gen", hosts=("plus.rtl.de",), tmdb_names=("RTL+", "RTL Plus")),
    ),
    *_offered_in(
        _in("FR"),
        Provider("france_tv", "france.tv", "fr.francetv.pluzz", hosts=("france.tv",), tmdb_names=("France TV",)),
        Provider("arte", "Arte", "tv.arte.plus7", hosts=("arte.tv",), tmdb_names=("Arte",), countries=_in("FR", "DE")),
        Provider("tf1_plus", "TF1+", "fr.tf1.mytf1", hosts=("tf1.fr",), tmdb_names=("TF1+", "TF1", "MYTF1")),
    ),
    *_offered_in(
        _in("ES"),
        Provider("rtve_play", "RTVE Play", "com.rtve.androidtv", hosts=("rtve.es",), tmdb_names=("RTVE", "RTVE Play")),
        Provider("atresplayer", "Atresplayer", "com.a3.sgt", hosts=("atresplayer.com",), tmdb_names=("Atres Player",)),
        Provider(
            "movistar_plus",
            "Movistar Plus+",
            "es.plus.yomvi",
            hosts=("movistarplus.es",),
            tmdb_names=("Movistar Plus+", "Movistar Plus"),
        ),
    ),
    *_offered_in(
        _in("AU"),
        Provider("abc_iview", "ABC iview", "au.net.abc.iview", hosts=("iview.abc.net.au",), tmdb_names=("ABC iview",)),
        Provider(
            "sbs_on_demand",
            "SBS On Demand",
            "com.sbs.ondemand.android",
            hosts=("sbs.com.au",),
            other_packages=("com.sbs.ondemand.tv",),
            tmdb_names=("SBS On Demand",),
        ),
        Provider("nine_now", "9Now", "au.com.mi9.jumpin.tv", hosts=("9now.com.au",), tmdb_names=("9Now",)),
        Provider("seven_plus", "7plus", "au.com.seven.inferno", hosts=("7plus.com.au",), tmdb_names=("7plus",)),
        Provider("stan", "Stan", "au.com.stan.and", hosts=("stan.com.au",), tmdb_names=("Stan",)),
        Provider("binge", "Binge", "au.com.streamotion.binge", hosts=("binge.com.au",), tmdb_names=("Binge",)),
    ),
    *_offered_in(
        _in("CA"),
        Provider("cbc_gem", "CBC Gem", "ca.cbc.android.cbctv", hosts=("gem.cbc.ca",), tmdb_names=("CBC Gem",)),
        Provider("crave", "Crave", "ca.bellmedia.cravetv", hosts=("crave.ca",), tmdb_names=("Crave",)),
    ),
    Provider(
        "globoplay",
        "Globoplay",
        "com.globo.globotv",
        hosts=("globoplay.globo.com",),
        tmdb_names=("Globoplay",),
        countries=_in("BR"),
    ),
    *_offered_in(
        _in("JP"),
        Provider("u_next", "U-NEXT", "jp.unext.mediaplayer", hosts=("unext.jp",), tmdb_names=("U-NEXT",)),
        Provider("tver", "TVer", "jp.hamitv.hamiand1", hosts=("tver.jp",), tmdb_names=("TVer",)),
        # Hulu in Japan is another company's service (HJ Holdings) with its own app and site.
        Provider("hulu_japan", "Hulu Japan", "jp.happyon.android", hosts=("hulu.jp",), tmdb_names=("Hulu",)),
        Provider("abema", "ABEMA", "tv.abema", hosts=("abema.tv",), tmdb_names=("ABEMA", "AbemaTV")),
    ),
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
    # National services whose TMDB ids appear in TMDB's own answers (docs/streaming-services.md);
    # the others are matched by TMDB's name for them (Provider.tmdb_names).
    38: "bbc_iplayer",
    103: "channel_4",
    298: "rtl_plus",
    304: "joyn",
    149: "movistar_plus",
    230: "crave",
    307: "globoplay",
}


def providers_for_country(country: str) -> tuple[Provider, ...]:
    """The services a family in `country` can pick, in registry order."""
    return tuple(provider for provider in PROVIDERS if provider.offered_in(country))


def _name_key(name: str) -> str:
    # "Movistar Plus+" and "movistar plus+" are one name; "RTL+" is not "RTL".
    return "".join(character for character in name.casefold() if character.isalnum() or character == "+")


_NATIONAL_BY_TMDB_NAME: dict[tuple[str, str], Provider] = {
    (country, _name_key(name)): provider
    for provider in PROVIDERS
    for country in sorted(provider.countries or ())
    for name in provider.tmdb_names
}


def _registry_id_in(country: str, provider_id: object, provider_name: object) -> str | None:
    """The registry id of one TMDB offer in `country`: by TMDB id when that service is offered
    there, else by TMDB's name among the country's national services (TMDB lists Hulu Japan as
    "Hulu", under Hulu's id 15; a US family's Hulu is not it)."""
    by_id = PROVIDERS_BY_ID.get(TMDB_PROVIDER_IDS.get(provider_id, "") if isinstance(provider_id, int) else "")
    if by_id is not None and by_id.offered_in(country):
        return by_id.id
    if not isinstance(provider_name, str):
        return None
    by_name = _NATIONAL_BY_TMDB_NAME.get((country, _name_key(provider_name)))
    return by_name.id if by_name is not None else None


def registry_ids_for_offers(offers: list[dict], country: str) -> list[str]:
    """Registry ids for TMDB's watch-provider offers of one region ({"provider_id", "provider_name"}),
    first-seen order, services the registry does not know there dropped."""
    seen: dict[str, None] = {}
    for offer in offers:
        if isinstance(offer, dict):
            registry_id = _registry_id_in(country, offer.get("provider_id"), offer.get("provider_name"))
            if registry_id:
                seen.setdefault(registry_id, None)
    return list(seen)


def registry_ids_for_tmdb(provider_ids: list[int]) -> list[str]:
    """Registry ids for TMDB provider ids, first-seen order, unknown services dropped."""
    seen: dict[str, None] = {}
    for provider_id in provider_ids:
        registry_id = TMDB_PROVIDER_IDS.get(provider_id)
        if registry_id:
            seen.setdefault(registry_id, None)
    return list(seen)
