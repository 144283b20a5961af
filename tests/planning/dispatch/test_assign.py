"""Fence checks and point-in-fence dispatch on small hand-drawn fences.

Two unit squares side by side share the border x = 1; a small square sits inside the west
one; order points are chosen so the right answer can be read off the drawing.
"""

from __future__ import annotations

import pytest

from supplymesh.planning.dispatch import (
    AssignStatus,
    DispatchOrder,
    DispatchParams,
    DispatchProblem,
    Fence,
    InvalidDispatchInput,
    KnownSite,
    MatchLevel,
    TieBreak,
    assign_orders,
)

# Longitude/latitude near Hangzhou so the points are in mainland China, as real ones are.
X0, Y0 = 120.0, 30.0


def square(x: float, y: float, size: float) -> list[list[float]]:
    return [
        [X0 + x, Y0 + y],
        [X0 + x + size, Y0 + y],
        [X0 + x + size, Y0 + y + size],
        [X0 + x, Y0 + y + size],
        [X0 + x, Y0 + y],
    ]


def polygon(*rings: list[list[float]]) -> dict[str, object]:
    return {"type": "Polygon", "coordinates": list(rings)}


WEST = Fence("WEST", polygon(square(0, 0, 0.1)))
EAST = Fence("EAST", polygon(square(0.1, 0, 0.1)))
CORE = Fence("CORE", polygon(square(0.02, 0.02, 0.02)))


def at(order_id: str, x: float, y: float) -> DispatchOrder:
    return DispatchOrder(order_id, latitude=Y0 + y, longitude=X0 + x)


def test_point_inside_one_fence_is_assigned_to_it() -> None:
    result = assign_orders(
        DispatchProblem((WEST, EAST), (at("o1", 0.05, 0.05), at("o2", 0.15, 0.05)))
    )
    assert [(a.station, a.status) for a in result.assignments] == [
        ("WEST", AssignStatus.ASSIGNED),
        ("EAST", AssignStatus.ASSIGNED),
    ]


def test_point_on_a_shared_border_matches_both_and_the_rule_decides() -> None:
    result = assign_orders(DispatchProblem((WEST, EAST), (at("edge", 0.1, 0.05),)))
    (a,) = result.assignments
    assert a.status is AssignStatus.TIE_BROKEN
    assert set(a.candidates) == {"WEST", "EAST"}
    # Equal priority and equal area: the station code settles it, and the reason says so.
    assert a.station == "EAST"
    assert "shared border" in a.reason and "station code EAST sorts before WEST" in a.reason


def test_overlap_goes_to_the_smaller_fence_unless_priority_says_otherwise() -> None:
    order = (at("o", 0.03, 0.03),)
    by_area = assign_orders(DispatchProblem((WEST, CORE), order)).assignments[0]
    assert by_area.station == "CORE" and by_area.candidates == ("CORE", "WEST")
    assert "inside overlapping fences" in by_area.reason and "smaller area" in by_area.reason

    urgent_west = Fence("WEST", WEST.geometry, priority=5)
    by_priority = assign_orders(DispatchProblem((urgent_west, CORE), order)).assignments[0]
    assert by_priority.station == "WEST" and "priority 5 > 0" in by_priority.reason

    area_only = DispatchParams(tie_break=TieBreak.SMALLEST_AREA)
    ignoring = assign_orders(DispatchProblem((urgent_west, CORE), order), area_only)
    assert ignoring.assignments[0].station == "CORE"
    assert ignoring.tie_break_rule == "smallest area, then station code"


def test_order_outside_every_fence_names_the_nearest() -> None:
    result = assign_orders(DispatchProblem((WEST, EAST), (at("far", 0.25, 0.05),)))
    (a,) = result.assignments
    assert a.station is None and a.status is AssignStatus.UNMATCHED
    assert a.nearest_station == "EAST"
    # 0.05° of longitude at 30°N is about 4.8 km.
    assert a.nearest_km is not None and 4.7 < a.nearest_km < 4.9
    assert "outside every fence" in a.reason


def test_hole_excludes_its_inside() -> None:
    donut = Fence("RING", polygon(square(0, 0, 0.1), square(0.04, 0.04, 0.02)[::-1]))
    result = assign_orders(
        DispatchProblem((donut,), (at("hole", 0.05, 0.05), at("rim", 0.01, 0.01)))
    )
    assert [a.station for a in result.assignments] == [None, "RING"]


def test_multipolygon_fence_covers_both_parts() -> None:
    two = Fence(
        "TWO",
        {"type": "MultiPolygon", "coordinates": [[square(0, 0, 0.05)], [square(0.2, 0, 0.05)]]},
    )
    result = assign_orders(
        DispatchProblem((two,), (at("a", 0.01, 0.01), at("b", 0.22, 0.01), at("c", 0.1, 0.01)))
    )
    assert [a.station for a in result.assignments] == ["TWO", "TWO", None]


def problems_of(
    *fences: Fence, orders: tuple[DispatchOrder, ...] = ()
) -> list[tuple[str, str, str]]:
    with pytest.raises(InvalidDispatchInput) as caught:
        assign_orders(DispatchProblem(fences, orders))
    return [(p.record, p.field, p.message) for p in caught.value.problems]


def test_ring_that_does_not_close_is_an_error_naming_station_and_ring() -> None:
    open_ring = [*square(0, 0, 0.1)[:-1], [X0 + 0.001, Y0]]
    found = problems_of(Fence("S1", polygon(open_ring)))
    assert len(found) == 1
    record, where, message = found[0]
    assert record == "station S1" and where == "coordinates[0] (exterior ring)"
    assert message.startswith("does not close")


def test_self_intersecting_short_and_bad_holes_are_errors() -> None:
    bow_tie = [[X0, Y0], [X0 + 0.1, Y0 + 0.1], [X0 + 0.1, Y0], [X0, Y0 + 0.1], [X0, Y0]]
    triangle_open = [[X0, Y0], [X0 + 0.1, Y0], [X0, Y0]]
    outside_hole = square(0.5, 0.5, 0.01)
    found = problems_of(
        Fence("BOW", polygon(bow_tie)),
        Fence("TINY", polygon(triangle_open)),
        Fence("HOLEY", polygon(square(0, 0, 0.1), outside_hole)),
        Fence("LINE", {"type": "LineString", "coordinates": [[X0, Y0], [X0 + 1, Y0]]}),
        Fence("SWAP", polygon([[Y0, X0], [Y0, X0 + 0.1], [Y0 + 0.1, X0], [Y0, X0]])),
    )
    by_station = {record: (where, message) for record, where, message in found}
    assert by_station["station BOW"][1].startswith("crosses itself")
    assert "needs ≥ 4" in by_station["station TINY"][1]
    assert by_station["station HOLEY"] == ("coordinates", "Hole lies outside shell[120.5 30.5]")
    assert "not Polygon or MultiPolygon" in by_station["station LINE"][1]
    assert "off the globe" in by_station["station SWAP"][1]


def test_hole_error_names_the_hole() -> None:
    bad_hole = [[X0 + 0.02, Y0 + 0.02], [X0 + 0.03, Y0 + 0.02], [X0 + 0.02, Y0 + 0.02]]
    ((record, where, _),) = problems_of(Fence("H", polygon(square(0, 0, 0.1), bad_hole)))
    assert (record, where) == ("station H", "coordinates[1] (hole 1)")


def test_duplicate_stations_and_orders_and_bad_orders_are_all_reported() -> None:
    found = problems_of(
        WEST,
        WEST,
        orders=(
            at("o", 0, 0),
            at("o", 0, 0),
            DispatchOrder("nowhere"),
            DispatchOrder("bad", 95.0, 120.0),
        ),
    )
    records = [r for r, _, _ in found]
    assert records == ["station WEST", "order o", "order nowhere", "order bad"]


def test_orders_by_address_are_geocoded_and_coarse_ones_held_back() -> None:
    # A fence around the whole of Hangzhou's old 余杭区 centre, one around Shanghai's Qingpu site.
    yuhang = Fence(
        "YH", polygon([[119.9, 30.1], [120.6, 30.1], [120.6, 30.7], [119.9, 30.7], [119.9, 30.1]])
    )
    qingpu = Fence(
        "QP", polygon([[121.0, 31.0], [121.3, 31.0], [121.3, 31.3], [121.0, 31.3], [121.0, 31.0]])
    )
    site = KnownSite("DC-QP", "上海市青浦区华新镇华志路123号", 31.15, 121.124)
    orders = (
        DispatchOrder("by-district", address="浙江省杭州市余杭区文一西路969号"),
        DispatchOrder("by-site", address="上海市青浦区华新镇华志路123号"),
        DispatchOrder("by-city", address="浙江省杭州市未来区某路1号"),
        DispatchOrder("nowhere", address="somewhere"),
    )
    result = assign_orders(DispatchProblem((yuhang, qingpu), orders, (site,)))
    got = {a.order_id: a for a in result.assignments}
    assert got["by-district"].station == "YH"
    assert got["by-district"].location_level is MatchLevel.DISTRICT
    assert got["by-site"].station == "QP" and got["by-site"].location_level is MatchLevel.SITE
    assert got["by-city"].status is AssignStatus.UNLOCATED
    assert "city level" in got["by-city"].reason and "未来区" in got["by-city"].reason
    assert got["nowhere"].status is AssignStatus.UNLOCATED
    city_ok = assign_orders(
        DispatchProblem((yuhang,), orders[2:3]), DispatchParams(coarsest_level=MatchLevel.CITY)
    )
    assert city_ok.assignments[0].location_level is MatchLevel.CITY
    assert city_ok.assignments[0].station == "YH"  # 杭州's centre lies inside YH's box


def test_many_orders_in_one_bulk_query() -> None:
    fences = tuple(Fence(f"S{i:02d}", polygon(square(i * 0.1, 0, 0.1))) for i in range(20))
    orders = tuple(at(f"o{k}", (k % 200) * 0.01 + 0.005, 0.05) for k in range(2000))
    result = assign_orders(DispatchProblem(fences, orders))
    counts = {s: len(ids) for s, ids in result.by_station().items()}
    assert counts == {f"S{i:02d}": 100 for i in range(20)}
