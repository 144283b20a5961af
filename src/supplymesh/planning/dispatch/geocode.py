"""Turn an address into a point, saying how precise the point is.

Known sites come first (their surveyed coordinates, matched on the whole normalised
address); otherwise the centre of the finest division the parser found. The level is always
reported, because a district centre can be kilometres from the door and a city centre tens
of kilometres: callers decide what is precise enough (dispatch refuses city-level points).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from supplymesh.planning.dispatch.address import ParsedAddress, normalise, parse_address
from supplymesh.planning.dispatch.gazetteer import Division, Gazetteer, load


class MatchLevel(StrEnum):
    """What a geocoded point stands for, from most to least precise."""

    SITE = "site"
    DISTRICT = "district"
    CITY = "city"
    PROVINCE = "province"
    NONE = "none"

    @property
    def rank(self) -> int:
        """0 for a site, 4 when nothing matched: lower is more precise."""
        return list(MatchLevel).index(self)


@dataclass(frozen=True)
class KnownSite:
    """A site whose address and WGS-84 point are known exactly."""

    code: str
    address: str
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Geocode:
    """A point for an address, the level it matched at and why."""

    level: MatchLevel
    latitude: float | None
    longitude: float | None
    matched: str | None
    note: str
    parsed: ParsedAddress


def _path(parsed: ParsedAddress) -> str:
    parts = [d.name for d in (parsed.province, parsed.city, parsed.district) if d is not None]
    return " ".join(dict.fromkeys(parts))  # a municipality is its own city: name it once


class Geocoder:
    """Geocodes addresses against a fixed set of known sites and a gazetteer."""

    def __init__(self, sites: Iterable[KnownSite] = (), gazetteer: Gazetteer | None = None) -> None:
        self.gazetteer = gazetteer or load()
        self._sites: dict[str, KnownSite] = {}
        for site in sites:
            self._sites.setdefault(normalise(site.address), site)

    def geocode(self, address: str) -> Geocode:
        """The best point for ``address`` and the level it was found at."""
        parsed = parse_address(address, self.gazetteer)
        site = self._sites.get(normalise(address))
        if site is not None:
            note = f"exact address of site {site.code}"
            return Geocode(MatchLevel.SITE, site.latitude, site.longitude, site.code, note, parsed)
        finest: tuple[MatchLevel, Division | None] = next(
            (
                (level, d)
                for level, d in (
                    (MatchLevel.DISTRICT, parsed.district),
                    (MatchLevel.CITY, parsed.city),
                    (MatchLevel.PROVINCE, parsed.province),
                )
                if d is not None
            ),
            (MatchLevel.NONE, None),
        )
        level, division = finest
        if division is None:
            options = ", ".join(_options(parsed, self.gazetteer))
            why = (
                f"district name is ambiguous without a city: {options}"
                if parsed.ambiguous
                else "no province, city or district recognised"
            )
            return Geocode(MatchLevel.NONE, None, None, None, why, parsed)
        note = f"centre of {level.value} {_path(parsed)}"
        if parsed.unrecognised:
            note = f"district {parsed.unrecognised!r} not in the gazetteer; {note}"
        elif level is not MatchLevel.DISTRICT:
            note = f"no district recognised; {note}"
        return Geocode(level, division.latitude, division.longitude, division.code, note, parsed)


def _options(parsed: ParsedAddress, gaz: Gazetteer) -> list[str]:
    return [
        (gaz.by_code[d.city_code].name if d.city_code else "") + d.name for d in parsed.ambiguous
    ]
