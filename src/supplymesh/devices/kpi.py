"""OEE and equipment KPIs of machines, lines and sites from the telemetry store.

What a machine must report for its KPIs:

- ``state``: a numeric code of `kpi_calc.STATE_CODES` (0 idle, 1 running, 2 fault, 3 setup,
  4 planned stop), sent whenever it changes. Stored telemetry carries numbers only and the
  store keeps only the latest ``state`` text of a status message, so the history KPIs need
  travels as this metric (a status message may carry it in ``metrics`` next to its text);
- ``part_count`` and ``scrap_count``: cumulative counters (all parts made, and the rejects
  among them), read from the minute rollups (last value per minute); differences are taken,
  a drop is a counter restart;
- the device attribute ``ideal_cycle_s`` (seconds per part at rated speed); without it the
  result says so and has no performance or OEE.

Shifts come from the machine's calendar, else its work centre's, in the site's time zone;
without a calendar the whole day is planned. Time before a machine's first state report is
not counted (it was not connected yet). A line is a work centre; `machine` filters are
device ids (the device is what reports; it may stand for a network machine).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from sqlalchemy import select

from supplymesh.devices.kpi_calc import (
    STATE_CODES,
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
from supplymesh.devices.model import (
    Device,
    DeviceKind,
    DeviceMetric,
    Resolution,
    TelemetryRollup,
    TelemetrySample,
)
from supplymesh.devices.store import bucket_of
from supplymesh.network.model import Calendar, Machine, Site, WorkCenter
from supplymesh.platform.errors import invalid
from supplymesh.platform.uow import UnitOfWork

STATE_METRIC = "state"
TOTAL_METRIC = "part_count"
SCRAP_METRIC = "scrap_count"
IDEAL_CYCLE_ATTRIBUTE = "ideal_cycle_s"
MAX_SPAN = timedelta(days=31)  # raw samples are kept 30 days by default
YEARS = (1971, 2200)  # outside these, dates are typos (and date arithmetic would overflow)

Grouping = Literal["shift", "day"]


@dataclass(frozen=True)
class Subject:
    """A machine as KPIs see it: its device, line, site and calendar."""

    device_id: int
    code: str
    name: str
    site_id: int
    line_id: int | None
    tz: str
    shifts: Sequence[dict[str, Any]]
    exceptions: Sequence[dict[str, Any]]
    ideal_cycle_s: Decimal | None
    state: str | None


@dataclass(frozen=True)
class Row:
    """KPIs of one machine, line or site over one period (or the whole range: `period` None)."""

    level: str
    id: int
    code: str
    name: str
    period: Period | None
    kpi: Kpi
    machines: int = 1

    def as_dict(self) -> dict[str, Any]:
        period = None
        if self.period is not None:
            p = self.period
            period = {"name": p.name, "day": p.day, "start": p.start, "end": p.end}
        head = {"level": self.level, "id": self.id, "code": self.code, "name": self.name}
        head["machines"] = self.machines
        return {**head, "period": period, **self.kpi.as_dict()}


@dataclass
class Report:
    start: datetime
    end: datetime
    by: Grouping
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def of(self, level: str, id_: int, whole: bool = True) -> list[Row]:
        return [
            r for r in self.rows if r.level == level and r.id == id_ and (r.period is None) == whole
        ]


def subjects(
    uow: UnitOfWork,
    site_id: int | None = None,
    device_id: int | None = None,
    line_id: int | None = None,
) -> list[Subject]:
    """The caller's machine devices matching the filters, with calendars resolved."""
    query = (
        select(Device, Machine, Site)
        .join(Site, Site.id == Device.site_id)
        .outerjoin(Machine, Machine.id == Device.machine_id)
        .where(Device.kind == DeviceKind.MACHINE.value, Device.status != "retired")
        .order_by(Device.code)
    )
    if site_id is not None:
        query = query.where(Device.site_id == site_id)
    if device_id is not None:
        query = query.where(Device.id == device_id)
    if line_id is not None:
        query = query.where(Machine.work_center_id == line_id)
    rows = uow.session.execute(query).all()
    calendars: dict[int, Calendar | None] = {}

    def calendar(cid: int | None) -> Calendar | None:
        if cid is None:
            return None
        if cid not in calendars:
            calendars[cid] = uow.session.get(Calendar, cid)
        return calendars[cid]

    out: list[Subject] = []
    for dev, machine, site in rows:
        cal = None
        line = machine.work_center_id if machine is not None else None
        if machine is not None:
            cal = calendar(machine.calendar_id)
            if cal is None and line is not None:
                centre = uow.session.get(WorkCenter, line)
                cal = calendar(centre.calendar_id if centre else None)
        out.append(
            Subject(
                dev.id,
                dev.code,
                dev.name,
                site.id,
                line,
                site.timezone or "UTC",
                cal.shifts if cal else [],
                cal.exceptions if cal else [],
                _ideal_cycle(dev.attributes or {}),
                dev.state,
            )
        )
    return out


def _ideal_cycle(attributes: dict[str, Any]) -> Decimal | None:
    raw = attributes.get(IDEAL_CYCLE_ATTRIBUTE)
    if raw is None or isinstance(raw, bool):
        return None
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        return None
    return value if value.is_finite() and value > 0 else None


def machine_input(
    uow: UnitOfWork, device_id: int, start: datetime, end: datetime, ideal: Decimal | None
) -> MachineInput:
    """State changes and counter increments of one device around [start, end]."""
    ids = dict(
        uow.session.execute(
            select(DeviceMetric.name, DeviceMetric.id).where(
                DeviceMetric.device_id == device_id,
                DeviceMetric.name.in_((STATE_METRIC, TOTAL_METRIC, SCRAP_METRIC)),
            )
        ).all()
    )
    states = [
        StateChange(ts, STATE_CODES.get(int(v), "idle"))
        for ts, v in _readings(uow, ids.get(STATE_METRIC), start, end)
    ]
    counts = [
        increments(
            [CounterReading(ts, _exact(v)) for ts, v in _counter(uow, ids.get(m), start, end)]
        )
        for m in (TOTAL_METRIC, SCRAP_METRIC)
    ]
    return MachineInput(states, counts[0], counts[1], ideal)


def _exact(value: float) -> Decimal:
    """Counts travel as floats; whole numbers (the usual case) come back as integers."""
    return Decimal(int(value)) if value.is_integer() else Decimal(repr(value))


def _counter(
    uow: UnitOfWork, metric_id: int | None, start: datetime, end: datetime
) -> list[tuple[datetime, float]]:
    """A counter's last value in each minute (minute rollups: a day is 1,440 rows however
    often the machine reports); a restart inside one minute loses only that minute's count
    before the restart."""
    if metric_id is None:
        return []
    r = TelemetryRollup
    first = bucket_of(start, Resolution.MINUTE)
    scope = (r.metric_id == metric_id, r.resolution == Resolution.MINUTE.value)
    before = uow.session.execute(
        select(r.last_ts, r.last_value)
        .where(*scope, r.bucket < first)
        .order_by(r.bucket.desc())
        .limit(1)
    ).all()
    inside = uow.session.execute(
        select(r.last_ts, r.last_value)
        .where(*scope, r.bucket >= first, r.bucket <= end)
        .order_by(r.bucket)
    ).all()
    return [(ts, value) for ts, value in [*before, *inside]]


def _readings(
    uow: UnitOfWork, metric_id: int | None, start: datetime, end: datetime
) -> list[tuple[datetime, float]]:
    """The last reading before `start` (the state or counter value carried in) and all
    readings in [start, end]."""
    if metric_id is None:
        return []
    sample = TelemetrySample
    before = uow.session.execute(
        select(sample.ts, sample.value)
        .where(sample.metric_id == metric_id, sample.ts < start)
        .order_by(sample.ts.desc(), sample.seq.desc())
        .limit(1)
    ).all()
    inside = uow.session.execute(
        select(sample.ts, sample.value)
        .where(sample.metric_id == metric_id, sample.ts >= start, sample.ts <= end)
        .order_by(sample.ts, sample.seq)
    ).all()
    return [(ts, value) for ts, value in [*before, *inside]]


def oee(
    uow: UnitOfWork,
    start: datetime,
    end: datetime,
    by: Grouping = "shift",
    site_id: int | None = None,
    device_id: int | None = None,
    line_id: int | None = None,
) -> Report:
    """KPIs per machine, line and site, per shift or day and over the whole range."""
    if start.tzinfo is None or end.tzinfo is None:
        raise invalid("from", "give from and to with a time zone offset")
    if end <= start:
        raise invalid("to", f"to {end.isoformat()} is not after from {start.isoformat()}")
    for name, value in (("from", start), ("to", end)):
        check_year(name, value)
    if end - start > MAX_SPAN:
        raise invalid("to", f"a range spans at most {MAX_SPAN.days} days")
    report = Report(start, end, by)
    found = subjects(uow, site_id, device_id, line_id)
    per_period: dict[tuple[str, int], dict[tuple[date, str], list[tuple[int, Kpi]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    names: dict[tuple[str, int], tuple[str, str]] = {}
    periods: dict[tuple[date, str], Period] = {}
    for subject in found:
        data = machine_input(uow, subject.device_id, start, end, subject.ideal_cycle_s)
        if not data.changes:
            report.notes.append(f"machine {subject.code} reports no '{STATE_METRIC}' metric data")
        since = connected_since(data, start)
        for period in shift_periods(subject.shifts, subject.exceptions, subject.tz, since, end):
            kpi = machine_kpi(data, period)
            key = (period.day, period.name if by == "shift" else "")
            periods[key] = _widen(periods.get(key), period, by)
            owners = [("machine", subject.device_id), ("site", subject.site_id)]
            if subject.line_id is not None:
                owners.append(("line", subject.line_id))
            for owner in owners:
                per_period[owner][key].append((subject.device_id, kpi))
        names[("machine", subject.device_id)] = (subject.code, subject.name)
    names.update(_names(uow, Site, {i for lv, i in per_period if lv == "site"}, "site"))
    names.update(_names(uow, WorkCenter, {i for lv, i in per_period if lv == "line"}, "line"))
    for level in ("machine", "line", "site"):
        for owner, by_key in per_period.items():
            if owner[0] != level:
                continue
            code, name = names.get(owner, (str(owner[1]), str(owner[1])))
            for key in sorted(by_key):
                part = combine(k for _, k in by_key[key])
                count = len({d for d, _ in by_key[key]})
                report.rows.append(Row(level, owner[1], code, name, periods[key], part, count))
            members = [m for ms in by_key.values() for m in ms]
            whole = combine(k for _, k in members)
            count = len({d for d, _ in members})
            report.rows.append(Row(level, owner[1], code, name, None, whole, count))
    return report


def check_year(name: str, value: datetime) -> None:
    if not YEARS[0] <= value.year <= YEARS[1]:
        raise invalid(name, f"{value.isoformat()} is outside the years {YEARS[0]}..{YEARS[1]}")


def connected_since(data: MachineInput, start: datetime) -> datetime:
    """When the machine's time starts counting: at `start`, or at its first state report
    when that comes later (time before a machine was connected is not downtime)."""
    if data.changes and data.changes[0].at > start:
        return data.changes[0].at
    return start


def _widen(known: Period | None, period: Period, by: Grouping) -> Period:
    """A day's period spans all its shifts (possibly of several calendars)."""
    if by == "shift" and known is None:
        return period
    if known is None:
        return Period(period.start, period.end, period.day.isoformat(), period.day)
    return Period(min(known.start, period.start), max(known.end, period.end), known.name, known.day)


def _names(
    uow: UnitOfWork, model: type[Site] | type[WorkCenter], ids: set[int], level: str
) -> dict[tuple[str, int], tuple[str, str]]:
    if not ids:
        return {}
    rows = uow.session.execute(select(model.id, model.code, model.name).where(model.id.in_(ids)))
    return {(level, i): (code, name) for i, code, name in rows}
