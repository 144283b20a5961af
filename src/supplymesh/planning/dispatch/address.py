"""Split a Chinese address into province / city / district and the street detail.

Chinese addresses run from the largest division to the smallest, so the parser reads left to
right, matching at each step the longest name of the next level, official (浙江省, 南山区) or
short (浙江, 南山). Short names of districts are trusted only after a province or city has
set the scope, because on their own they collide with street and estate names; a district
named without one is accepted only if its official name is unique in the country. Whatever
is inferred (a city from its district, a province from its city) is filled in from the codes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from supplymesh.planning.dispatch.gazetteer import (
    MUNICIPALITIES,
    Division,
    Gazetteer,
    Level,
    load,
    short_name,
)

# Something shaped like a district (2-6 characters ending in 区/县/旗) that is not a street.
_DISTRICT_LIKE = re.compile(r"[\u4e00-\u9fff]{1,5}?(?:新区|区|县|旗)")
_NOT_DISTRICT = re.compile(r"[路街道号园巷弄村镇乡楼厦院场]")
_COUNTRY = ("中华人民共和国", "中国")


@dataclass(frozen=True)
class ParsedAddress:
    """The divisions found in an address, what is left of it, and what could not be placed.

    `unrecognised` is a district-like token (未来区) the gazetteer does not know;
    `ambiguous` lists the districts a name could mean when nothing above it says which.
    """

    text: str
    province: Division | None
    city: Division | None
    district: Division | None
    detail: str
    unrecognised: str | None = None
    ambiguous: tuple[Division, ...] = ()


def normalise(text: str) -> str:
    """Half-width characters, no whitespace, no leading country name."""
    flat = "".join(unicodedata.normalize("NFKC", text).split())
    for country in _COUNTRY:
        if flat.startswith(country):
            return flat[len(country) :]
    return flat


def _first_in_scope(
    hits: list[tuple[str, list[Division]]], keep: Callable[[str, Division], bool]
) -> tuple[str, list[Division]] | None:
    for name, candidates in hits:
        inside = [d for d in candidates if keep(name, d)]
        if inside:
            return name, inside
    return None


def parse_address(text: str, gazetteer: Gazetteer | None = None) -> ParsedAddress:
    """Parse ``text`` against ``gazetteer`` (default: the shipped national one)."""
    gaz = gazetteer or load()
    s = normalise(text)
    pos = 0
    province: Division | None = None
    city: Division | None = None
    district: Division | None = None

    provinces = gaz.names_at(s, 0, Level.PROVINCE)
    cities = gaz.names_at(s, 0, Level.CITY)
    # 吉林市 is a city, not the province 吉林 followed by 市: take the longer reading.
    if provinces and len(provinces[0][0]) >= (len(cities[0][0]) if cities else 0):
        name, (province, *_) = provinces[0]
        pos = len(name)
        if province.code[:2] in MUNICIPALITIES:
            city = gaz.by_code[province.code[:2] + "0100"]
            # Exports that join province, city and district columns repeat it: 上海市上海市…
            for repeat in (city.name, short_name(city.name)):
                if repeat and s.startswith(repeat, pos):
                    pos += len(repeat)
                    break

    if city is None:
        scope = province
        found = _first_in_scope(
            gaz.names_at(s, pos, Level.CITY),
            lambda _n, d: scope is None or d.province_code == scope.code,
        )
        # 朝阳区 is a district (of 北京 or 长春), not the city 朝阳 followed by 区.
        districts = gaz.names_at(s, pos, Level.DISTRICT)
        longer = bool(districts) and found is not None and len(districts[0][0]) > len(found[0])
        if found is not None and len(found[1]) == 1 and not longer:
            city = found[1][0]
            pos += len(found[0])

    area = city or province
    found = _first_in_scope(
        gaz.names_at(s, pos, Level.DISTRICT),
        lambda n, d: (
            n == d.name
            if area is None
            else (
                d.city_code == area.code
                if area.level is Level.CITY
                else d.province_code == area.code
            )
        ),
    )
    ambiguous: tuple[Division, ...] = ()
    if found is not None:
        if len(found[1]) == 1:
            district = found[1][0]
            pos += len(found[0])
        else:
            ambiguous = tuple(found[1])
    if district is not None:
        city = city or gaz.city_of(district)
    if city is not None:
        province = province or gaz.province_of(city)

    unrecognised = None
    if district is None and not ambiguous and (city or province):
        token = _DISTRICT_LIKE.match(s, pos)
        if token and not _NOT_DISTRICT.search(token.group()):
            unrecognised = token.group()
            pos = token.end()
    return ParsedAddress(text, province, city, district, s[pos:], unrecognised, ambiguous)
