"""The time-zone picker's list: the tz database's own zones for places (zone.tab: "Europe/Berlin",
"America/Argentina/Buenos_Aires"), grouped by region, plus UTC. Old and odd names ("W-SU",
"US/Eastern", "Factory", "localtime") are left out of the list; each canonical zone carries the
old names that link to it (tzdata.zi), because browsers still report some ("Asia/Calcutta"), and
static/app.js preselects the browser's zone through them. The API and forms still accept every
zone name valid_time_zone (settings.py) knows.
"""

from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from zoneinfo import TZPATH, available_timezones

REGIONS = ("Africa", "America", "Asia", "Atlantic", "Australia", "Europe", "Indian", "Pacific")
UTC = "UTC"


@dataclass(frozen=True)
class Zone:
    key: str  # the IANA name stored ("America/Argentina/Buenos_Aires")
    label: str  # what a parent reads in its region's group ("Argentina / Buenos Aires")
    aliases: tuple[str, ...] = ()  # older names of the same zone ("America/Buenos_Aires")


@dataclass(frozen=True)
class ZoneGroup:
    region: str
    zones: tuple[Zone, ...]


def _tz_file(name: str) -> str:
    """A file of the system's tz database, or of the tzdata package (the same data) without one."""
    for directory in TZPATH:
        path = Path(directory) / name
        if path.is_file():
            return path.read_text(encoding="utf-8")
    return resources.files("tzdata").joinpath("zoneinfo", name).read_text(encoding="utf-8")


def _links() -> dict[str, list[str]]:
    """Canonical zone -> the old names linking to it ("L Asia/Kolkata Asia/Calcutta" in tzdata.zi)."""
    links: dict[str, list[str]] = {}
    for line in _tz_file("tzdata.zi").splitlines():
        fields = line.split()
        if len(fields) == 3 and fields[0] == "L":
            links.setdefault(fields[1], []).append(fields[2])
    return links


def _label(key: str) -> str:
    return " / ".join(key.split("/")[1:]).replace("_", " ")


@cache
def _groups() -> tuple[ZoneGroup, ...]:
    known = available_timezones()
    places = {
        line.split("\t")[2]
        for line in _tz_file("zone.tab").splitlines()
        if line and not line.startswith("#") and len(line.split("\t")) >= 3
    }
    links = _links()
    groups = []
    for region in REGIONS:
        keys = sorted((key for key in places & known if key.split("/")[0] == region), key=_label)
        zones = tuple(Zone(key, _label(key), tuple(sorted(set(links.get(key, [])) & known))) for key in keys)
        groups.append(ZoneGroup(region, zones))
    return tuple(groups)


def zone_groups(current: str | None = None) -> list[ZoneGroup]:
    """The picker's groups, regions in alphabetical order; a `current` zone outside them (an old
    name saved before, or through the API) gets a group of its own first, so saving keeps it."""
    groups = list(_groups())
    if current and current != UTC and current in available_timezones() and not is_listed(current):
        groups.insert(0, ZoneGroup("Current", (Zone(current, current),)))
    return groups


def is_listed(key: str) -> bool:
    return key == UTC or any(zone.key == key for group in _groups() for zone in group.zones)
