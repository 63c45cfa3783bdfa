"""The kid launcher's groups (one per service, as `/api/apps` sends them) regrouped by title for
the web launcher: one poster per title with its services as badges, and a title's episodes by
season, each a card that either plays the episode or opens the service.

Pure data, no SQL: the launcher's one statement (launcher/service.py page_launcher) stays the
only source of what a kid may see; this module only rearranges it.
"""

import re
from dataclasses import dataclass, field

from axolotly.catalog.providers import PROVIDERS_BY_ID
from axolotly.web.templating import safe_link

_EPISODE_ID = re.compile(r"^s(\d+)e(\d+)$")


@dataclass(frozen=True)
class Service:
    id: str
    name: str
    site: str  # the service's own site, where a card without a deep link goes ("" if none is safe)


@dataclass(frozen=True)
class EpisodeCard:
    name: str
    href: str  # never empty: a card that does nothing is not shown
    plays: bool  # True: the link plays this episode; False: it opens the service to find it
    service: Service
    key: str = ""  # the launcher's episode id, "s1e2" ("": not a numbered episode)

    @property
    def season_and_number(self) -> tuple[int, int] | None:
        match = _EPISODE_ID.match(self.key)
        return (int(match[1]), int(match[2])) if match else None


@dataclass
class Season:
    number: int  # 0: the specials (the page names them in words)
    episodes: list[EpisodeCard] = field(default_factory=list)


@dataclass
class KidTitle:
    id: int
    name: str
    poster: str
    is_movie: bool
    services: list[Service] = field(default_factory=list)
    seasons: list[Season] = field(default_factory=list)

    def episode(self, key: str) -> EpisodeCard | None:
        """The card of the episode the launcher calls `key` ("s1e2"), if the kid sees it."""
        return next((card for season in self.seasons for card in season.episodes if key and card.key == key), None)

    @property
    def ways_to_watch(self) -> list[Service]:
        """Services this title opens on (a movie, or a show whose episodes are not known yet)."""
        return [service for service in self.services if service.site]


def service_of(group: dict) -> Service:
    provider = PROVIDERS_BY_ID.get(group["id"])
    site = f"https://{provider.hosts[0]}/" if provider and provider.hosts else ""
    return Service(group["id"], group.get("name") or group["id"], safe_link(site, group["id"]))


def _poster(item: dict) -> str:
    return item.get("iconUrl") or f"/posters/{item['id']}.svg"


def titles_of(groups: list[dict]) -> list[KidTitle]:
    """One KidTitle per title, by name; services in the launcher's order (the family's)."""
    titles: dict[int, KidTitle] = {}
    episodes: dict[int, dict[str, tuple[int, int, str, list[tuple[str, Service]], str]]] = {}
    for group in groups:
        service = service_of(group)
        for item in group.get("content", []):
            title_id = int(item["id"])
            title = titles.get(title_id)
            if title is None:
                title = titles[title_id] = KidTitle(
                    title_id, item["appName"], _poster(item), item.get("mediaType") == "MOVIE"
                )
                episodes[title_id] = {}
            title.services.append(service)
            for position, episode in enumerate(item.get("episodes", [])):
                season, number = _season_and_number(episode["id"], position)
                known = episodes[title_id].setdefault(
                    episode["id"], (season, number, episode["name"], [], episode["id"])
                )
                link = safe_link(episode.get("deepLink"), service.id)
                if link:
                    known[3].append((link, service))
    for title_id, title in titles.items():
        title.seasons = _seasons(episodes[title_id], title.services)
    return sorted(titles.values(), key=lambda title: (title.name.casefold(), title.id))


def _season_and_number(episode_id: str, position: int) -> tuple[int, int]:
    match = _EPISODE_ID.match(episode_id)
    return (int(match[1]), int(match[2])) if match else (0, position)


def _seasons(found: dict, services: list[Service]) -> list[Season]:
    """Episodes in order under season headers. A card plays the episode through its first known
    deep link (services in the family's order); without one it opens the first service that has a
    site. An episode with neither is left out: nothing on the page may do nothing when tapped."""
    opener = next((service for service in services if service.site), None)
    seasons: dict[int, Season] = {}
    for season, _number, name, links, key in sorted(found.values(), key=lambda e: (e[0], e[1])):
        key = key if _EPISODE_ID.match(key) else ""
        if links:
            card = EpisodeCard(name, links[0][0], True, links[0][1], key)
        elif opener is not None:
            card = EpisodeCard(name, opener.site, False, opener, key)
        else:
            continue
        seasons.setdefault(season, Season(season)).episodes.append(card)
    return [seasons[number] for number in sorted(seasons)]


def episode_key(season: int, number: int) -> str:
    """The launcher's id of a title's episode (launcher/query.py): "s1e2"."""
    return f"s{season}e{number}"


def find(titles: list[KidTitle], title_id: int) -> KidTitle | None:
    return next((title for title in titles if title.id == title_id), None)
