"""Address parsing and geocoding against the shipped gazetteer and known sites."""

from __future__ import annotations

import pytest

from supplymesh.planning.dispatch import Geocoder, KnownSite, MatchLevel, parse_address
from supplymesh.planning.dispatch.gazetteer import Level, load


def names(text: str) -> tuple[str | None, str | None, str | None, str]:
    p = parse_address(text)
    return (
        p.province.name if p.province else None,
        p.city.name if p.city else None,
        p.district.name if p.district else None,
        p.detail,
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("浙江省杭州市余杭区文一西路969号", ("浙江省", "杭州市", "余杭区", "文一西路969号")),
        ("上海浦东新区张江路", ("上海市", "上海市", "浦东新区", "张江路")),
        ("广东深圳南山区科技南十二路", ("广东省", "深圳市", "南山区", "科技南十二路")),
        ("中国 北京市 朝阳区 建国路 1 号", ("北京市", "北京市", "朝阳区", "建国路1号")),
        ("徐汇区虹漕路461号", ("上海市", "上海市", "徐汇区", "虹漕路461号")),
        ("宁波慈溪观海卫镇", ("浙江省", "宁波市", "慈溪市", "观海卫镇")),
        ("吉林市船营区", ("吉林省", "吉林市", "船营区", "")),
        ("新疆乌鲁木齐市天山区", ("新疆维吾尔自治区", "乌鲁木齐市", "天山区", "")),
        ("恩施州利川市", ("湖北省", "恩施土家族苗族自治州", "利川市", "")),
        ("湖北省仙桃市", ("湖北省", "仙桃市", None, "")),
        ("上海市上海市浦东新区张江路", ("上海市", "上海市", "浦东新区", "张江路")),
    ],
)
def test_splits_province_city_district_and_detail(
    text: str, expected: tuple[str | None, str | None, str | None, str]
) -> None:
    assert names(text) == expected


def test_short_district_name_needs_a_city_to_scope_it() -> None:
    # 南山 alone is also a mountain in many street names; 南山区 alone exists in two cities.
    parsed = parse_address("南山区科技园")
    assert parsed.district is None
    assert {d.code for d in parsed.ambiguous} == {"440305", "230404"}
    assert parse_address("南山科技园").ambiguous == ()


def test_gazetteer_covers_every_province_and_the_demo_cities() -> None:
    gaz = load()
    provinces = [d for d in gaz.by_code.values() if d.level is Level.PROVINCE]
    assert len(provinces) == 34
    for city in ("杭州", "深圳", "乌鲁木齐", "廊坊", "唐山", "鹰潭", "东莞", "中山", "佛山"):
        found = gaz.names_at(city, 0, Level.CITY)
        assert found and found[0][1][0].level is Level.CITY, city
    shunde = gaz.by_code["440606"]
    assert shunde.name == "顺德区" and gaz.city_of(shunde) == gaz.by_code["440600"]


def test_geocodes_a_known_site_by_exact_address_first() -> None:
    site = KnownSite("DC-QP", "上海市青浦区华新镇华志路 123 号", 31.2210, 121.2180)
    geo = Geocoder([site]).geocode("上海市青浦区华新镇华志路123号")
    assert (geo.level, geo.matched) == (MatchLevel.SITE, "DC-QP")
    assert (geo.latitude, geo.longitude) == (31.2210, 121.2180)


def test_geocodes_to_the_district_centre_and_says_so() -> None:
    geo = Geocoder().geocode("浙江省杭州市余杭区文一西路969号")
    assert geo.level is MatchLevel.DISTRICT and geo.matched == "330110"
    assert geo.latitude is not None and geo.longitude is not None
    assert 30.0 < geo.latitude < 30.6 and 119.8 < geo.longitude < 120.5
    assert "余杭区" in geo.note


def test_unknown_district_falls_back_to_the_city_and_says_so() -> None:
    geo = Geocoder().geocode("江苏省苏州市未来区星湖街328号")
    assert geo.level is MatchLevel.CITY and geo.matched == "320500"
    assert geo.parsed.unrecognised == "未来区"
    assert "'未来区' not in the gazetteer" in geo.note and "苏州市" in geo.note
    assert geo.parsed.detail == "星湖街328号"


def test_province_only_and_nothing_found() -> None:
    assert Geocoder().geocode("浙江省某地").level is MatchLevel.PROVINCE
    nothing = Geocoder().geocode("221B Baker Street")
    assert nothing.level is MatchLevel.NONE and nothing.latitude is None
    ambiguous = Geocoder().geocode("朝阳区建国路")
    assert ambiguous.level is MatchLevel.NONE and "ambiguous" in ambiguous.note
