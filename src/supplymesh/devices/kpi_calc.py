"""OEE and equipment KPIs from state intervals and counters, with no database.

Definitions (the Nakajima/TPM convention, stated here because plants differ):

- *planned production time* = shift time minus planned stops (state ``planned_stop``).
- *downtime* = breakdowns (``fault``), setup and adjustments (``setup``), idle stops at least
  `small_stop` long, and time with no state reported; these are availability losses.
- *run time* (operating time) = planned time minus downtime: running time plus idle stops
  shorter than `small_stop`, which are performance losses (small stops and idling).
- availability = run time / planned time; performance = ideal cycle × total count / run time,
  capped at 1 and flagged when the raw value is above 1 (the ideal cycle is then too slow);
  quality = good / total; OEE = A × P × Q.
- utilisation (稼动率) = *running* time / planned production time (time the spindle turned,
  small stops excluded), so it differs from availability by exactly the small stops.
- failures are faults that *start* in the period; a fault running into the next shift counts
  once, its minutes fall into each shift; MTBF = run time / failures, MTTR = breakdown time /
  failures, failure rate = failures per run hour.
- rejects within `startup_window` after the machine starts running after a stop that is not a
  small stop (or at a shift's start) are startup rejects, the others production rejects.

Aggregates (a line, a site, a day of shifts) sum times and counts; OEE of a group is
Σ valuable time / Σ planned time, where valuable time = net run time × good / total and net
run time = min(ideal cycle × total, run time), i.e. Σ good × ideal cycle / Σ planned time when
no machine runs faster than ideal; never a mean of ratios.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

RUNNING = "running"
IDLE = "idle"
FAULT = "fault"
SETUP = "setup"
PLANNED_STOP = "planned_stop"
NO_DATA = "no_data"

#: Reported states and the class each one counts as; anything else counts as idle.
STATE_CLASSES: dict[str, str] = {
    "running": RUNNING,
    "run": RUNNING,
    "producing": RUNNING,
    "idle": IDLE,
    "waiting": IDLE,
    "stopped": IDLE,
    "fault": FAULT,
    "error": FAULT,
    "down": FAULT,
    "setup": SETUP,
    "changeover": SETUP,
    "adjustment": SETUP,
    "planned_stop": PLANNED_STOP,
    "break": PLANNED_STOP,
    "planned_maintenance": PLANNED_STOP,
}

#: Numeric codes for a ``state`` metric (telemetry carries numbers only).
STATE_CODES: dict[int, str] = {0: IDLE, 1: RUNNING, 2: FAULT, 3: SETUP, 4: PLANNED_STOP}

LOSS_NAMES = (
    "breakdowns",
    "setup_adjustments",
    "small_stops_idling",
    "reduced_speed",
    "startup_rejects",
    "production_rejects",
    "other_stops",
)

ZERO = Decimal(0)
ONE = Decimal(1)


def classify(state: str) -> str:
    return STATE_CLASSES.get(state.strip().lower(), IDLE)


def seconds(delta: timedelta) -> Decimal:
    """A duration as exact seconds (microsecond resolution)."""
    return Decimal(delta.days * 86_400 + delta.seconds) + Decimal(delta.microseconds) / 1_000_000


@dataclass(frozen=True)
class StateChange:
    at: datetime
    state: str


@dataclass(frozen=True)
class CounterReading:
    """A cumulative counter's value at a time (it may restart from zero)."""

    at: datetime
    value: Decimal


@dataclass(frozen=True)
class Period:
    """A stretch of time KPIs are computed over: one shift of one day, usually."""

    start: datetime
    end: datetime
    name: str
    day: date

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError(f"period {self.name} ends {self.end} before it starts {self.start}")


@dataclass(frozen=True)
class Interval:
    start: datetime
    end: datetime
    state: str  # one of the classes


@dataclass
class Kpi:
    """Times in seconds and counts of one machine (or a group) over one period."""

    planned_s: Decimal = ZERO
    running_s: Decimal = ZERO
    run_s: Decimal = ZERO
    downtime_s: dict[str, Decimal] = field(default_factory=dict)
    small_stops_s: Decimal = ZERO
    total: Decimal = ZERO
    scrap: Decimal = ZERO
    startup_scrap: Decimal = ZERO
    failures: int = 0
    ideal_total_s: Decimal = ZERO  # ideal cycle × total, machines with an ideal cycle only
    net_run_s: Decimal = ZERO  # min(ideal × total, run time)
    valuable_s: Decimal = ZERO  # net run × good / total
    rated_planned_s: Decimal = ZERO  # planned time of machines with an ideal cycle
    rated_run_s: Decimal = ZERO
    rated_total: Decimal = ZERO
    unrated: int = 0  # members without an ideal cycle time
    members: int = 1  # machine-periods combined into this one
    #: The six big losses (plus stops outside them) in seconds; with the valuable time they
    #: add up to the planned time (speed and reject losses only for machines with a cycle).
    losses_s: dict[str, Decimal] = field(default_factory=dict)

    @property
    def good(self) -> Decimal:
        return self.total - self.scrap

    @property
    def breakdown_s(self) -> Decimal:
        return self.downtime_s.get(FAULT, ZERO)

    @property
    def availability(self) -> Decimal | None:
        return _ratio(self.run_s, self.planned_s)

    @property
    def rated(self) -> bool:
        """Whether any member has an ideal cycle time (else no performance or OEE)."""
        return self.unrated < self.members

    @property
    def performance_raw(self) -> Decimal | None:
        return _ratio(self.ideal_total_s, self.rated_run_s) if self.rated else None

    @property
    def performance(self) -> Decimal | None:
        return _ratio(self.net_run_s, self.rated_run_s) if self.rated else None

    @property
    def performance_over_1(self) -> bool:
        raw = self.performance_raw
        return raw is not None and raw > ONE

    @property
    def quality(self) -> Decimal | None:
        """Good / total for one machine; for a group, weighted by ideal cycle so A × P × Q
        equals the group's OEE."""
        if not self.rated or not self.net_run_s:
            return _ratio(self.good, self.total)
        return _ratio(self.valuable_s, self.net_run_s)

    @property
    def oee(self) -> Decimal | None:
        return _ratio(self.valuable_s, self.rated_planned_s) if self.rated else None

    @property
    def yield_(self) -> Decimal | None:
        return _ratio(self.good, self.total)

    @property
    def utilisation(self) -> Decimal | None:
        return _ratio(self.running_s, self.planned_s)

    @property
    def mtbf_s(self) -> Decimal | None:
        return self.run_s / self.failures if self.failures else None

    @property
    def mttr_s(self) -> Decimal | None:
        return self.breakdown_s / self.failures if self.failures else None

    @property
    def failure_rate_per_h(self) -> Decimal | None:
        return _ratio(Decimal(self.failures) * 3600, self.run_s)

    def as_dict(self) -> dict[str, Any]:
        """Ratios and minutes as exact decimals, for JSON as strings."""
        notes = []
        if self.unrated:
            notes.append(
                f"{self.unrated} machine(s) have no ideal cycle time: no performance or OEE"
            )
        if self.performance_over_1:
            notes.append("performance above 1: the ideal cycle time is slower than real runs")
        return {
            "planned_min": _minutes(self.planned_s),
            "run_min": _minutes(self.run_s),
            "running_min": _minutes(self.running_s),
            "downtime_min": {k: _minutes(v) for k, v in sorted(self.downtime_s.items())},
            "availability": _q(self.availability),
            "performance": _q(self.performance),
            "performance_raw": _q(self.performance_raw),
            "performance_over_1": self.performance_over_1,
            "quality": _q(self.quality),
            "oee": _q(self.oee),
            "utilisation": _q(self.utilisation),
            "utilisation_basis": "running time / planned production time",
            "losses_min": {k: _minutes(self.losses_s.get(k, ZERO)) for k in LOSS_NAMES},
            "output": self.total,
            "good": self.good,
            "scrap": self.scrap,
            "yield": _q(self.yield_),
            "failures": self.failures,
            "failure_rate_per_h": _q(self.failure_rate_per_h),
            "mtbf_min": _minutes(self.mtbf_s),
            "mttr_min": _minutes(self.mttr_s),
            "notes": notes,
        }


def _ratio(num: Decimal, den: Decimal) -> Decimal | None:
    return num / den if den else None


def _q(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(Decimal("0.0001"))


def _minutes(value: Decimal | None) -> Decimal | None:
    return None if value is None else (value / 60).quantize(Decimal("0.01"))


def intervals(changes: Sequence[StateChange], start: datetime, end: datetime) -> list[Interval]:
    """The classified state over [start, end): the last change before `start` carries in,
    time before the first known change is `no_data`; adjacent equal states merge."""
    ordered = sorted(changes, key=lambda c: c.at)
    out: list[Interval] = []
    current = NO_DATA
    cursor = start
    for change in ordered:
        if change.at <= start:
            current = classify(change.state)
            continue
        if change.at >= end:
            break
        _append(out, Interval(cursor, change.at, current))
        cursor, current = change.at, classify(change.state)
    if cursor < end:
        _append(out, Interval(cursor, end, current))
    return out


def _append(out: list[Interval], item: Interval) -> None:
    if item.end <= item.start:
        return
    if out and out[-1].state == item.state and out[-1].end == item.start:
        out[-1] = replace(out[-1], end=item.end)
    else:
        out.append(item)


def increments(readings: Sequence[CounterReading]) -> list[tuple[datetime, Decimal]]:
    """Counter differences at the time of the later reading; a value below the previous one
    means the counter restarted from zero, so the new value itself is the increment."""
    out: list[tuple[datetime, Decimal]] = []
    previous: Decimal | None = None
    for reading in sorted(readings, key=lambda r: r.at):
        if previous is not None:
            delta = reading.value - previous if reading.value >= previous else reading.value
            if delta:
                out.append((reading.at, delta))
        previous = reading.value
    return out


@dataclass(frozen=True)
class MachineInput:
    """What is known about one machine over a range of time."""

    changes: Sequence[StateChange]
    total: Sequence[tuple[datetime, Decimal]]  # increments of the total count, in time order
    scrap: Sequence[tuple[datetime, Decimal]]  # increments of the reject count, in time order
    ideal_cycle_s: Decimal | None
    small_stop: timedelta = timedelta(minutes=5)
    startup_window: timedelta = timedelta(minutes=10)


def machine_kpi(data: MachineInput, period: Period) -> Kpi:
    """KPIs of one machine over one period (see the module docstring for definitions)."""
    # States from a little before the period, so a fault that began earlier is not a new one.
    spans = intervals(data.changes, period.start - data.startup_window, period.end)
    kpi = Kpi(downtime_s={})
    startups: list[datetime] = [period.start]
    previous: Interval | None = None
    for span in spans:
        if span.state == RUNNING and (
            previous is None or not _is_small_stop(previous, data.small_stop)
        ):
            startups.append(span.start)
        if span.state == FAULT and previous is not None and span.start >= period.start:
            kpi.failures += 1
        previous = span
        start, end = max(span.start, period.start), min(span.end, period.end)
        if end <= start:
            continue
        length = seconds(end - start)
        if span.state == PLANNED_STOP:
            continue
        kpi.planned_s += length
        if span.state == RUNNING:
            kpi.running_s += length
            kpi.run_s += length
        elif span.state == IDLE and _is_small_stop(span, data.small_stop):
            kpi.small_stops_s += length
            kpi.run_s += length
        else:
            kpi.downtime_s[span.state] = kpi.downtime_s.get(span.state, ZERO) + length
    kpi.total = sum((n for _, n in _within(data.total, period)), ZERO)
    kpi.scrap = sum((n for _, n in _within(data.scrap, period)), ZERO)
    startups.sort()
    kpi.startup_scrap = sum(
        (n for at, n in _within(data.scrap, period) if _after_startup(at, startups, data)),
        ZERO,
    )
    kpi.losses_s = {
        "breakdowns": kpi.downtime_s.get(FAULT, ZERO),
        "setup_adjustments": kpi.downtime_s.get(SETUP, ZERO),
        "small_stops_idling": kpi.small_stops_s,
        "other_stops": kpi.downtime_s.get(IDLE, ZERO) + kpi.downtime_s.get(NO_DATA, ZERO),
    }
    if data.ideal_cycle_s is None:
        kpi.unrated = 1
        return kpi
    kpi.ideal_total_s = data.ideal_cycle_s * kpi.total
    kpi.net_run_s = min(kpi.ideal_total_s, kpi.run_s)
    per_piece = kpi.net_run_s / kpi.total if kpi.total else ZERO
    kpi.valuable_s = per_piece * kpi.good
    kpi.rated_planned_s, kpi.rated_run_s, kpi.rated_total = kpi.planned_s, kpi.run_s, kpi.total
    kpi.losses_s["reduced_speed"] = max(kpi.run_s - kpi.small_stops_s - kpi.net_run_s, ZERO)
    kpi.losses_s["startup_rejects"] = per_piece * kpi.startup_scrap
    kpi.losses_s["production_rejects"] = per_piece * (kpi.scrap - kpi.startup_scrap)
    return kpi


def _is_small_stop(span: Interval, threshold: timedelta) -> bool:
    return span.state == IDLE and span.end - span.start < threshold


def _within(
    items: Sequence[tuple[datetime, Decimal]], period: Period
) -> Sequence[tuple[datetime, Decimal]]:
    """The counts a period owns, (start, end] (a count belongs to the reading reporting it);
    `items` are in time order, so a month of minute readings is not scanned per shift."""
    lo = bisect_right(items, period.start, key=lambda item: item[0])
    hi = bisect_right(items, period.end, key=lambda item: item[0])
    return items[lo:hi]


def _after_startup(at: datetime, startups: list[datetime], data: MachineInput) -> bool:
    i = bisect_right(startups, at) - 1
    return i >= 0 and at - startups[i] <= data.startup_window


def combine(parts: Iterable[Kpi]) -> Kpi:
    """A group's KPIs from its members' (sums of times and counts, never means of ratios)."""
    out = Kpi(downtime_s={}, members=0)
    for k in parts:
        out.planned_s += k.planned_s
        out.running_s += k.running_s
        out.run_s += k.run_s
        for reason, s in k.downtime_s.items():
            out.downtime_s[reason] = out.downtime_s.get(reason, ZERO) + s
        out.small_stops_s += k.small_stops_s
        out.total += k.total
        out.scrap += k.scrap
        out.startup_scrap += k.startup_scrap
        out.failures += k.failures
        out.ideal_total_s += k.ideal_total_s
        out.net_run_s += k.net_run_s
        out.valuable_s += k.valuable_s
        out.rated_planned_s += k.rated_planned_s
        out.rated_run_s += k.rated_run_s
        out.rated_total += k.rated_total
        out.unrated += k.unrated
        out.members += k.members
        for name, s in k.losses_s.items():
            out.losses_s[name] = out.losses_s.get(name, ZERO) + s
    return out


def shift_periods(
    shifts: Sequence[dict[str, Any]],
    exceptions: Sequence[dict[str, Any]],
    tz: str,
    start: datetime,
    end: datetime,
) -> list[Period]:
    """The calendar's shifts (local times at the site) overlapping [start, end), clipped to it.

    A shift ending at or before its start time ends the next day; a dated exception with
    ``working: false`` drops that day, ``working: true`` works every shift that day. Without
    shifts the whole day is one period named ``day``.
    """
    zone = ZoneInfo(tz)
    off = {str(e.get("date")): bool(e.get("working")) for e in exceptions if e.get("date")}
    plan = list(shifts) or [{"name": "day", "start": "00:00", "end": "00:00"}]
    out: list[Period] = []
    day = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date()
    while day <= last:
        working = off.get(day.isoformat())
        for shift in plan:
            weekdays = shift.get("weekdays", list(range(7)))
            if working is False or (working is None and day.weekday() not in weekdays):
                continue
            s_local = datetime.combine(day, time.fromisoformat(str(shift["start"])), zone)
            e_local = datetime.combine(day, time.fromisoformat(str(shift["end"])), zone)
            if e_local <= s_local:
                e_local += timedelta(days=1)
            s, e = max(s_local.astimezone(start.tzinfo), start), min(e_local, end)
            if s < e:
                out.append(Period(s, e.astimezone(start.tzinfo), str(shift.get("name", "")), day))
        day += timedelta(days=1)
    out.sort(key=lambda p: p.start)
    return out
