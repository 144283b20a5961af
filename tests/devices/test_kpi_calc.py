"""OEE and KPI arithmetic against cases computed by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from supplymesh.devices.kpi_calc import (
    CounterReading,
    Kpi,
    MachineInput,
    Period,
    StateChange,
    combine,
    increments,
    machine_kpi,
    shift_periods,
)

DAY = date(2026, 3, 2)  # a Monday


def at(hhmm: str, day: date = DAY) -> datetime:
    h, m = (int(x) for x in hhmm.split(":"))
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(hours=h, minutes=m)


def shift(start: str, end: str, name: str = "A") -> Period:
    return Period(at(start), at(end), name, DAY)


def states(*pairs: tuple[str, str]) -> list[StateChange]:
    return [StateChange(at(t), s) for t, s in pairs]


def counter(*pairs: tuple[str, int]) -> list[tuple[datetime, Decimal]]:
    return increments([CounterReading(at(t), Decimal(v)) for t, v in pairs])


def apq(kpi: Kpi) -> Decimal:
    assert kpi.availability is not None and kpi.performance is not None
    assert kpi.quality is not None
    return kpi.availability * kpi.performance * kpi.quality


def minutes(value: Decimal | None) -> Decimal:
    assert value is not None
    return value / 60


def test_a_shift_with_a_fault_a_small_stop_setup_and_a_counter_reset() -> None:
    changes = states(
        ("08:00", "running"),
        ("12:00", "fault"),
        ("12:30", "running"),
        ("15:00", "idle"),  # 3 minutes: a small stop, counted in run time
        ("15:03", "running"),
        ("15:30", "setup"),
    )
    # 150 + 90, then the counter restarts at zero (20 counted), then 90 more: 350 parts.
    total = counter(
        ("07:59", 1000), ("10:00", 1150), ("12:00", 1240), ("13:00", 20), ("16:00", 110)
    )
    scrap = counter(("07:59", 50), ("08:05", 52), ("12:35", 53), ("14:00", 57))
    data = MachineInput(changes, total, scrap, ideal_cycle_s=Decimal(60))
    kpi = machine_kpi(data, shift("08:00", "16:00"))

    assert minutes(kpi.planned_s) == 480
    assert minutes(kpi.run_s) == 420
    assert minutes(kpi.running_s) == 417
    assert {k: minutes(v) for k, v in kpi.downtime_s.items()} == {"fault": 30, "setup": 30}
    assert kpi.total == 350 and kpi.scrap == 7 and kpi.good == 343
    assert kpi.availability == Decimal("0.875")
    assert kpi.performance == Decimal(350) / 420
    assert kpi.quality == Decimal(343) / 350
    assert kpi.oee == Decimal(343) / 480  # valuable minutes (good × 1 min) over planned
    assert apq(kpi) == pytest.approx(kpi.oee)
    assert kpi.failures == 1
    assert minutes(kpi.mtbf_s) == 420 and minutes(kpi.mttr_s) == 30
    assert kpi.failure_rate_per_h == Decimal(1) / 7
    out = kpi.as_dict()
    assert out["utilisation"] == Decimal("0.8688")  # 417 / 480
    assert out["losses_min"] == {
        "breakdowns": Decimal("30.00"),
        "setup_adjustments": Decimal("30.00"),
        "small_stops_idling": Decimal("3.00"),
        "reduced_speed": Decimal("67.00"),  # 420 - 3 - 350
        "startup_rejects": Decimal("3.00"),  # 2 at 08:05 (shift start), 1 at 12:35 (after repair)
        "production_rejects": Decimal("4.00"),
        "other_stops": Decimal("0.00"),
    }
    # The losses and the valuable time account for every planned minute.
    assert sum(kpi.losses_s.values()) + kpi.valuable_s == kpi.planned_s


def test_a_fault_spanning_two_shifts_counts_once_and_splits_its_minutes() -> None:
    changes = states(("08:00", "running"), ("15:00", "fault"), ("17:00", "running"))
    data = MachineInput(changes, [], [], ideal_cycle_s=Decimal(30))
    first = machine_kpi(data, shift("08:00", "16:00", "A"))
    second = machine_kpi(data, shift("16:00", "23:59", "B"))

    assert minutes(first.breakdown_s) == 60 and first.failures == 1
    assert minutes(first.mttr_s) == 60
    assert minutes(second.breakdown_s) == 60 and second.failures == 0
    assert second.mttr_s is None and second.mtbf_s is None
    day = combine([first, second])
    assert day.failures == 1 and minutes(day.breakdown_s) == 120
    assert minutes(day.mttr_s) == 120
    assert day.availability == Decimal(959 - 120) / 959  # 480 + 479 planned minutes


def test_performance_above_one_is_capped_and_flagged() -> None:
    changes = states(("08:00", "running"))
    total = counter(("08:00", 0), ("09:00", 70))  # 70 parts of an ideal minute in one hour
    kpi = machine_kpi(MachineInput(changes, total, [], Decimal(60)), shift("08:00", "09:00"))
    assert kpi.performance_raw == Decimal(70) / 60
    assert kpi.performance == 1 and kpi.performance_over_1
    assert kpi.oee == 1
    assert any("above 1" in note for note in kpi.as_dict()["notes"])


def test_without_an_ideal_cycle_time_there_is_no_performance_or_oee() -> None:
    changes = states(("08:00", "running"), ("08:30", "idle"))
    total = counter(("08:00", 0), ("09:00", 10))
    scrap = counter(("08:00", 0), ("09:00", 1))
    kpi = machine_kpi(MachineInput(changes, total, scrap, None), shift("08:00", "09:00"))
    assert kpi.performance is None and kpi.oee is None
    assert kpi.availability == Decimal("0.5")  # the 30-minute idle is a stop, not a small one
    assert kpi.quality == Decimal("0.9")
    assert "no ideal cycle time" in kpi.as_dict()["notes"][0]


def test_time_before_any_reported_state_is_downtime_without_data() -> None:
    kpi = machine_kpi(
        MachineInput(states(("09:00", "running")), [], [], Decimal(10)), shift("08:00", "10:00")
    )
    assert minutes(kpi.downtime_s["no_data"]) == 60
    assert minutes(kpi.losses_s["other_stops"]) == 60


def test_planned_stops_leave_the_planned_time() -> None:
    changes = states(("08:00", "running"), ("12:00", "planned_stop"), ("12:30", "running"))
    kpi = machine_kpi(MachineInput(changes, [], [], Decimal(10)), shift("08:00", "16:00"))
    assert minutes(kpi.planned_s) == 450 and kpi.availability == 1


def test_line_oee_weights_by_ideal_time_not_a_mean_of_ratios() -> None:
    running = states(("08:00", "running"))
    fast = MachineInput(running, counter(("08:00", 0), ("16:00", 800)), [], Decimal(30))
    slow = MachineInput(running, counter(("08:00", 0), ("12:00", 60)), [], Decimal(120))
    a = machine_kpi(fast, shift("08:00", "16:00"))  # 400 ideal minutes of 480
    b = machine_kpi(slow, shift("08:00", "12:00"))  # 120 ideal minutes of 240
    line = combine([a, b])
    assert line.oee == Decimal(520) / 720
    assert a.oee is not None and b.oee is not None
    assert line.oee != (a.oee + b.oee) / 2
    assert apq(line) == pytest.approx(line.oee)
    assert line.members == 2 and line.total == 860


def test_counter_reset_counts_the_new_value() -> None:
    got = increments(
        [CounterReading(at(t), Decimal(v)) for t, v in (("08:00", 5), ("08:10", 9), ("08:20", 3))]
    )
    assert got == [(at("08:10"), Decimal(4)), (at("08:20"), Decimal(3))]


def test_shift_periods_follow_the_site_time_zone_weekdays_and_holidays() -> None:
    shifts = [
        {"name": "A", "start": "07:00", "end": "15:00", "weekdays": [0, 1, 2, 3, 4, 5]},
        {"name": "N", "start": "23:00", "end": "07:00", "weekdays": [0]},
    ]
    holiday = [{"date": "2026-03-03", "working": False}]
    got = shift_periods(
        shifts, holiday, "Asia/Shanghai", at("00:00"), at("00:00", date(2026, 3, 4))
    )
    # Shanghai is UTC+8: Monday's A shift is 23:00-07:00 UTC from Sunday, the night shift
    # runs Monday 15:00 to 23:00 UTC; Tuesday is a holiday; Wednesday's A starts Tuesday 23:00.
    assert [(p.name, p.day.isoformat(), p.start, p.end) for p in got] == [
        ("A", "2026-03-02", at("00:00"), at("07:00")),
        ("N", "2026-03-02", at("15:00"), at("23:00")),
        ("A", "2026-03-04", at("23:00", date(2026, 3, 3)), at("00:00", date(2026, 3, 4))),
    ]
