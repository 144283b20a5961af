"""Dock plans on small parks, checked by the independent checker and by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest

from supplymesh.planning.docks import (
    Dock,
    DockParams,
    DockProblem,
    InvalidDockInput,
    PlanStatus,
    Truck,
    TruckAlreadyStarted,
    call_next,
    check_plan,
    plan_docks,
    queue_place,
    replan,
)

FAST = DockParams(time_limit_s=5, workers=1)
COLD = frozenset({"refrigerated", "standard"})

# Two standard docks and one refrigerated dock that also takes standard loads.
PARK = (
    Dock("D1", max_pallets=26),
    Dock("D2", max_pallets=26, minutes_per_pallet=Decimal("1.5")),
    Dock("C1", COLD, max_pallets=33),
)


def truck(tid: str, start: int, pallets: int, *, cold: bool = False, width: int = 30) -> Truck:
    needs = frozenset({"refrigerated"}) if cold else frozenset({"standard"})
    return Truck(tid, start, start + width, pallets, needs)


def test_service_time_grows_with_the_load_and_rounds_up() -> None:
    problem = DockProblem(PARK, ())
    t = truck("t", 0, 9)
    assert problem.service_minutes(t, PARK[0]) == 10 + 18
    assert problem.service_minutes(t, PARK[1]) == 10 + 14  # 13.5 rounds up


def test_plan_is_feasible_and_cold_loads_go_to_the_cold_dock() -> None:
    trucks = (
        truck("A", 0, 10),
        truck("B", 0, 20),
        truck("R1", 5, 12, cold=True),
        truck("C", 10, 8),
        truck("R2", 15, 30, cold=True),
        truck("E", 20, 4),
    )
    problem = DockProblem(PARK, trucks)
    plan = plan_docks(problem, FAST)
    assert check_plan(problem, plan) == []
    assert plan.status is PlanStatus.OPTIMAL
    assert plan.visit("R1").dock == "C1" and plan.visit("R2").dock == "C1"
    # R2 needs 10 + 60 minutes at C1 after R1 (5 → 39): it waits, but nothing better exists.
    assert plan.visit("R1").start == 5 and plan.visit("R2").start == 39
    assert plan.total_wait_min == plan.visit("R2").wait_min + sum(
        plan.visit(t).wait_min for t in ("A", "B", "C", "E")
    )


def test_optimum_beats_first_come_first_served_on_a_crafted_case() -> None:
    # One dock. A long job booked first would block three short ones; the optimum serves
    # the short ones first when they arrive at the same time (shortest processing first).
    one = (Dock("D1"),)
    trucks = (truck("LONG", 0, 30, width=300), *(truck(f"S{i}", 0, 1, width=300) for i in range(3)))
    problem = DockProblem(one, trucks)
    plan = plan_docks(problem, FAST)
    assert check_plan(problem, plan) == []
    assert [v.truck_id for v in plan.queue("D1")][-1] == "LONG"
    # Short jobs 12 minutes each: waits 0 + 12 + 24 + LONG's 36.
    assert plan.total_wait_min == 72


def test_lateness_is_weighted_above_waiting() -> None:
    one = (Dock("D1"),)
    # A must start by minute 5; B is long and arrived first. Serving B first makes A late.
    trucks = (Truck("B", 0, 100, 20), Truck("A", 1, 5, 1))
    plan = plan_docks(DockProblem(one, trucks), FAST)
    assert [v.truck_id for v in plan.queue("D1")] == ["A", "B"]
    assert plan.total_late_min == 0


def test_truck_that_fits_no_dock_is_an_error_naming_it() -> None:
    trucks = (truck("BIG", 0, 40), truck("HAZ", 0, 2), truck("OK", 0, 1))
    hazardous = Truck("HAZ", 0, 30, 2, frozenset({"hazardous"}))
    with pytest.raises(InvalidDockInput) as caught:
        plan_docks(DockProblem(PARK, (trucks[0], hazardous, trucks[2])), FAST)
    by_record = {r: m for r, _f, m in caught.value.problems}
    assert set(by_record) == {"truck BIG", "truck HAZ"}
    assert (
        "40 pallets fit no dock" in by_record["truck BIG"]
        and "C1 (max 33)" in by_record["truck BIG"]
    )
    assert by_record["truck HAZ"] == "needs hazardous and no dock offers it"


def test_bad_windows_and_duplicates_are_errors() -> None:
    with pytest.raises(InvalidDockInput) as caught:
        plan_docks(
            DockProblem((*PARK, Dock("D1")), (Truck("X", 50, 40, 1), truck("X", 0, 1))), FAST
        )
    records = [(r, f) for r, f, _m in caught.value.problems]
    assert ("dock D1", "code") in records and ("truck X", "window_end") in records
    assert ("truck X", "id") in records


def test_replan_keeps_started_work_and_moves_the_late_truck() -> None:
    trucks = (truck("A", 0, 10), truck("B", 0, 10), truck("C", 30, 10), truck("D", 30, 10))
    two = (*PARK[:1], Dock("D2", max_pallets=26))
    problem = DockProblem(two, trucks)
    plan = plan_docks(problem, FAST)
    assert check_plan(problem, plan) == []
    started = {v.truck_id: (v.dock, v.start) for v in plan.visits if v.start < 20}
    assert set(started) == {"A", "B"}

    updated, again = replan(problem, plan, now=20, late_truck="C", new_eta=90, params=FAST)
    assert check_plan(updated, again) == []
    for tid, (dock, start) in started.items():
        v = again.visit(tid)
        assert (v.dock, v.start, v.pinned) == (dock, start, True)
    assert again.visit("C").start >= 90
    assert again.visit("D").start == 30 and again.visit("D").wait_min == 0

    with pytest.raises(TruckAlreadyStarted):
        replan(problem, plan, now=20, late_truck="A", new_eta=60, params=FAST)


def test_call_next_follows_the_plan_and_skips_called_trucks() -> None:
    one = (Dock("D1"),)
    trucks = (truck("T1", 0, 1), truck("T2", 5, 1), truck("T3", 10, 1))
    plan = plan_docks(DockProblem(one, trucks), FAST)
    first = call_next(plan, "D1")
    assert first is not None and first.truck_id == "T1"
    nxt = call_next(plan, "D1", called={"T1"})
    assert nxt is not None and nxt.truck_id == "T2"
    assert call_next(plan, "D1", called={"T1", "T2", "T3"}) is None
    place = queue_place(plan, "T3", called={"T1"})
    assert (place.dock, place.position, place.ahead) == ("D1", 2, ("T2",))
    assert queue_place(plan, "T1", called={"T1"}).position == 0


def test_params_are_checked() -> None:
    with pytest.raises(ValueError, match="time_limit_s"):
        DockParams(time_limit_s=0)


def first_come_first_served(problem: DockProblem) -> int:
    """Waiting + 10 × lateness when each truck, by arrival, takes the dock free soonest."""
    free_at = {d.code: 0 for d in problem.docks}
    total = 0
    for t in sorted(problem.trucks, key=lambda t: (t.arrival, t.id)):
        start, code = min((max(t.arrival, free_at[d.code]), d.code) for d in problem.docks_for(t))
        dock = next(d for d in problem.docks if d.code == code)
        free_at[code] = start + problem.service_minutes(t, dock)
        total += (start - t.arrival) + 10 * max(0, start - t.window_end)
    return total


def test_congested_day_beats_first_come_first_served_and_stays_feasible() -> None:
    # 40 trucks in two hours at three docks: queues form; ordering them well matters.
    loads = [3, 24, 8, 15, 26, 5, 12, 20, 9, 17]
    trucks = tuple(
        truck(f"T{k:02d}", (k * 37) % 120, loads[k % 10], cold=k % 7 == 0) for k in range(40)
    )
    problem = DockProblem(PARK, trucks)
    plan = plan_docks(problem, DockParams(time_limit_s=1, workers=1))
    assert check_plan(problem, plan) == []
    assert plan.objective < first_come_first_served(problem)
