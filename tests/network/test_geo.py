"""Coordinates: WGS-84 ↔ GCJ-02 for Chinese map data; GS1 check digits; USCC form."""

from __future__ import annotations

import pytest

from supplymesh.network.geo import (
    gcj02_to_wgs84,
    gs1_check_digit_ok,
    haversine_km,
    wgs84_to_gcj02,
)
from supplymesh.network.services import uscc_problem


def test_gcj02_offset_in_china_is_hundreds_of_metres() -> None:
    lat, lon = 39.9087, 116.3975  # Tiananmen, WGS-84
    g_lat, g_lon = wgs84_to_gcj02(lat, lon)
    shift_km = haversine_km(lat, lon, g_lat, g_lon)
    assert 0.2 < shift_km < 0.8
    assert g_lon > lon  # the published transform shifts Beijing east


def test_gcj02_round_trip_is_below_a_centimetre() -> None:
    for lat, lon in [
        (31.2304, 121.4737),
        (23.1291, 113.2644),
        (30.5728, 104.0668),
        (45.75, 126.63),
    ]:
        back = gcj02_to_wgs84(*wgs84_to_gcj02(lat, lon))
        assert haversine_km(lat, lon, *back) < 1e-5


def test_outside_china_nothing_changes() -> None:
    assert wgs84_to_gcj02(48.8566, 2.3522) == (48.8566, 2.3522)
    assert gcj02_to_wgs84(35.6762, 139.6503) == (35.6762, 139.6503)


@pytest.mark.parametrize(
    "code,ok",
    [("09520123456788", True), ("09520123456787", False), ("6901234567892", True), ("abc", False)],
)
def test_gs1_check_digit(code: str, ok: bool) -> None:
    assert gs1_check_digit_ok(code) is ok


def test_haversine_shanghai_beijing() -> None:
    assert 1060 < haversine_km(31.2304, 121.4737, 39.9042, 116.4074) < 1075


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91110000600037341L"])
def test_valid_uscc(code: str) -> None:
    assert uscc_problem(code) is None


def test_invalid_uscc_names_the_problem() -> None:
    assert "check character" in (uscc_problem("91350100M000100Y44") or "")
    assert "18 characters" in (uscc_problem("9135") or "")
    assert "18 characters" in (uscc_problem("91350100M000100YI3") or "")
