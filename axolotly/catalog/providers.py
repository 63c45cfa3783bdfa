"""The provider registry of the launcher contract, and TMDB's watch-provider ids onto it."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Provider:
    id: str
    name: str
    package: str


PROVIDERS: tuple[Provider, ...] = (
    Provider("netflix", "Netflix", "com.netflix.mediaclient"),
    Provider("disney_plus", "Disney+", "com.disney.disneyplus"),
    Provider("hulu", "Hulu", "com.hulu.plus"),
    Provider("prime_video", "Prime Video", "com.amazon.avod.thirdpartyclient"),
    Provider("max", "Max", "com.hbo.hbonow"),
    Provider("peacock", "Peacock", "com.peacocktv.peacockandroid"),
    Provider("youtube", "YouTube", "com.google.android.youtube"),
    Provider("apple_tv_plus", "Apple TV+", "com.apple.atve.androidtv.appletv"),
    Provider("paramount_plus", "Paramount+", "com.cbs.ott"),
    Provider("tubi", "Tubi", "com.tubitv"),
    Provider("crunchyroll", "Crunchyroll", "com.crunchyroll.crunchyroid"),
    Provider("pbs_kids", "PBS Kids", "org.pbskids.video"),
    Provider("espn_plus", "ESPN+", "com.espn.score_center"),
    Provider("curiosity_stream", "Curiosity Stream", "com.curiositystream.curiositystream"),
    Provider("noggin", "Noggin", "com.nick.noggin"),
    Provider("kidoodle_tv", "Kidoodle.TV", "com.kidoodle.kidoodle"),
)
PROVIDERS_BY_ID = {provider.id: provider for provider in PROVIDERS}

# TMDB watch-provider ids (several per service: regions, ad tiers, channels) -> registry id.
TMDB_PROVIDER_IDS: dict[int, str] = {
    8: "netflix", 1796: "netflix",
    337: "disney_plus",
    15: "hulu",
    9: "prime_video", 119: "prime_video", 10: "prime_video",
    1899: "max", 384: "max",
    386: "peacock", 387: "peacock",
    192: "youtube", 188: "youtube",
    350: "apple_tv_plus", 2: "apple_tv_plus",
    531: "paramount_plus", 582: "paramount_plus",
    73: "tubi",
    283: "crunchyroll",
    209: "pbs_kids", 2285: "pbs_kids",
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
