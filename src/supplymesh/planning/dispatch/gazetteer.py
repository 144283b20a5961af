"""China's administrative divisions (GB/T 2260) with WGS-84 centres, shipped as data.

The table in ``data/divisions.json`` lists every province, prefecture-level city and
county-level division with its centre (see ``data/README.md`` for where it comes from).
Codes carry the hierarchy: ``PP0000`` a province, ``PPCC00`` a city, ``PPCCDD`` a district.
Two irregular cases are folded in here so the parser need not know them: the four
municipalities have no city row (a synthetic city with the province's name and centre stands
in), and county-level cities run directly by a province (仙桃, 济源, …) have no parent city
(they become cities themselves).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources

MUNICIPALITIES = frozenset({"11", "12", "31", "50"})


class Level(StrEnum):
    """How fine an administrative division is."""

    PROVINCE = "province"
    CITY = "city"
    DISTRICT = "district"


@dataclass(frozen=True)
class Division:
    """One division: code, official name, level, WGS-84 centre and the codes above it."""

    code: str
    name: str
    level: Level
    latitude: float
    longitude: float
    province_code: str
    city_code: str | None = None


_ETHNIC = (
    "蒙古|回|藏|维吾尔|苗|彝|壮|布依|朝鲜|满|侗|瑶|白|土家|哈尼|哈萨克|傣|黎|傈僳|佤|畲|拉祜|水|"
    "东乡|纳西|景颇|柯尔克孜|土|达斡尔|仫佬|羌|布朗|撒拉|毛南|仡佬|锡伯|阿昌|普米|塔吉克|怒|"
    "乌孜别克|俄罗斯|鄂温克|德昂|保安|裕固|京|塔塔尔|独龙|鄂伦春|赫哲|门巴|珞巴|基诺"
)
_AUTONOMOUS = re.compile(rf"^(.{{2,}}?)(?:(?:{_ETHNIC})族)+自治(?:州|县|旗)$")
_SUFFIXES = (
    "特别行政区",
    "维吾尔自治区",
    "壮族自治区",
    "回族自治区",
    "自治区",
    "地区",
    "林区",
    "新区",
    "省",
    "市",
    "盟",
    "区",
    "县",
    "旗",
)


def short_name(name: str) -> str | None:
    """The name people write without its suffix (浙江省 → 浙江), or None when too short.

    A one-character stem (和县 → 和) would match inside ordinary words, so it is not offered.
    """
    found = _AUTONOMOUS.match(name)
    if found:
        return found.group(1)
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return None


class Gazetteer:
    """Divisions indexed by code and by every name (official and short) they go by."""

    def __init__(self, divisions: list[Division]) -> None:
        self.by_code = {d.code: d for d in divisions}
        self._names: dict[Level, dict[str, list[Division]]] = {
            lv: defaultdict(list) for lv in Level
        }
        for d in divisions:
            self._names[d.level][d.name].append(d)
            short = short_name(d.name)
            if short and short != d.name:
                self._names[d.level][short].append(d)
                if d.name.endswith("自治州"):  # 恩施州, 延边州: how people write them
                    self._names[d.level][short + "州"].append(d)
        self._longest = {
            lv: max((len(n) for n in names), default=0) for lv, names in self._names.items()
        }

    def __len__(self) -> int:
        return len(self.by_code)

    def names_at(self, text: str, pos: int, level: Level) -> list[tuple[str, list[Division]]]:
        """Names of ``level`` that ``text`` spells from ``pos``, longest first."""
        found = []
        for size in range(min(self._longest[level], len(text) - pos), 1, -1):
            candidates = self._names[level].get(text[pos : pos + size])
            if candidates:
                found.append((text[pos : pos + size], candidates))
        return found

    def province_of(self, division: Division) -> Division:
        """The province a division lies in."""
        return self.by_code[division.province_code]

    def city_of(self, division: Division) -> Division | None:
        """The city a district lies in (the division itself for a city; None for a province)."""
        if division.level is Level.CITY:
            return division
        return self.by_code[division.city_code] if division.city_code else None


def build(rows: list[tuple[str, str, float, float]]) -> Gazetteer:
    """A gazetteer from (code, name, latitude, longitude) rows, fixing the irregular cases."""
    by_code = {code: (name, lat, lon) for code, name, lat, lon in rows}
    divisions: list[Division] = []
    for code, name, lat, lon in rows:
        province_code = code[:2] + "0000"
        if code == province_code:
            divisions.append(Division(code, name, Level.PROVINCE, lat, lon, code))
            if code[:2] in MUNICIPALITIES:
                city = code[:2] + "0100"
                divisions.append(Division(city, name, Level.CITY, lat, lon, code, city))
        elif code.endswith("00"):
            divisions.append(Division(code, name, Level.CITY, lat, lon, province_code, code))
        elif code[:2] in MUNICIPALITIES:
            city = code[:2] + "0100"
            divisions.append(Division(code, name, Level.DISTRICT, lat, lon, province_code, city))
        elif code[:4] + "00" in by_code:
            parent = code[:4] + "00"
            divisions.append(Division(code, name, Level.DISTRICT, lat, lon, province_code, parent))
        else:  # county-level city run by the province: a city in its own right
            divisions.append(Division(code, name, Level.CITY, lat, lon, province_code, code))
    return Gazetteer(divisions)


@cache
def load() -> Gazetteer:
    """The shipped national gazetteer (read once per process)."""
    text = (
        resources.files("supplymesh.planning.dispatch")
        .joinpath("data/divisions.json")
        .read_text("utf-8")
    )
    doc = json.loads(text)
    rows = [(str(c), str(n), float(lat), float(lon)) for c, n, lat, lon in doc["divisions"]]
    return build(rows)
