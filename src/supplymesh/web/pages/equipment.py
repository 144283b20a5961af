"""The equipment board (大屏) per site and the machine detail page.

The board shows every machine's reported state, its OEE of the current shift and of today
(site time) with A/P/Q, output and open alarms, and the site's totals; it refreshes itself
from `board.json` and at once when the alarm feed reports a change. The machine page draws
telemetry per metric (with its limits), the state timeline and OEE by shift with its losses.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import Path, Query
from fastapi.responses import HTMLResponse, JSONResponse
from sqlalchemy import func, select

from supplymesh.devices import kpi
from supplymesh.devices.alarm_model import OPEN_STATES, Alarm
from supplymesh.devices.kpi_calc import LOSS_NAMES, Kpi, combine, intervals
from supplymesh.devices.model import Device, DeviceKind, DeviceMetric
from supplymesh.network.model import Site
from supplymesh.platform.db import utcnow
from supplymesh.platform.types import MAX_INT
from supplymesh.web.context import DataDep, Web, WebDep, render, render_page
from supplymesh.web.nav import NavEntry, PageSet, web_router

router = web_router()
Id = Annotated[int, Path(ge=1, le=MAX_INT)]
STATES = ("running", "idle", "fault", "setup", "planned_stop", "no_data")
#: Telemetry ranges of the machine page and the rollup each one reads.
RANGES = {"1h": (3600, "minute"), "24h": (86_400, "minute"), "7d": (7 * 86_400, "hour")}


@dataclass(frozen=True)
class MachineTile:
    id: int
    code: str
    name: str
    site_id: int
    state: str
    state_at: str | None
    shift: str | None
    oee: str | None
    availability: str | None
    performance: str | None
    quality: str | None
    day_oee: str | None
    output: str
    alarms: int


@dataclass(frozen=True)
class Totals:
    machines: int
    running: int
    faults: int
    alarms: int
    oee: str | None
    availability: str | None
    performance: str | None
    quality: str | None
    output: str


def _pct(value: Any) -> str | None:
    """A ratio as a percentage with one decimal, for people (the API keeps the exact ratio)."""
    if value is None:
        return None
    return f"{(Decimal(value) * 100).quantize(Decimal('0.1'))}"


def _state(raw: str | None) -> str:
    return raw if raw in STATES else ("no_data" if raw is None else "idle")


def _open_alarms(web: Web, device_ids: list[int]) -> dict[int, int]:
    if not device_ids:
        return {}
    rows = web.uow.session.execute(
        select(Alarm.device_id, func.count())
        .where(Alarm.device_id.in_(device_ids), Alarm.state.in_(OPEN_STATES))
        .group_by(Alarm.device_id)
    )
    return {int(d): int(n) for d, n in rows}


def _shift_name(row: kpi.Row | None) -> str | None:
    """The shift a tile shows; a machine without a calendar has one period a day, not a shift."""
    if row is None or row.period is None or row.period.name == "day":
        return None
    return row.period.name


def _today(site: Site, now: datetime) -> datetime:
    local = now.astimezone(ZoneInfo(site.timezone or "UTC"))
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def board_data(web: Web, site_id: int | None) -> dict[str, Any]:
    """Tiles and totals of the caller's machines (of one site, or all)."""
    now = utcnow()
    query = select(Site).order_by(Site.code)
    if site_id is not None:
        query = query.where(Site.id == site_id)
    sites = list(web.uow.session.scalars(query))
    devices = list(
        web.uow.session.scalars(
            select(Device)
            .where(
                Device.kind == DeviceKind.MACHINE.value,
                Device.status != "retired",
                Device.site_id.in_([s.id for s in sites]),
            )
            .order_by(Device.code)
        )
    )
    alarms = _open_alarms(web, [d.id for d in devices])
    with_devices = {d.site_id for d in devices}
    tiles: list[MachineTile] = []
    combined: list[Kpi] = []
    for site in sites:
        if site.id not in with_devices:
            continue
        report = kpi.oee(web.uow, _today(site, now), now, "shift", site_id=site.id)
        for device in (d for d in devices if d.site_id == site.id):
            shifts = report.of("machine", device.id, whole=False)
            current = next((r for r in reversed(shifts) if r.period and r.period.end >= now), None)
            whole = report.of("machine", device.id)
            day = whole[0].kpi if whole else None
            shown = current.kpi if current else day
            tiles.append(
                MachineTile(
                    id=device.id,
                    code=device.code,
                    name=device.name,
                    site_id=site.id,
                    state=_state(device.state),
                    state_at=device.state_at.isoformat() if device.state_at else None,
                    shift=_shift_name(current),
                    oee=_pct(shown.oee) if shown else None,
                    availability=_pct(shown.availability) if shown else None,
                    performance=_pct(shown.performance) if shown else None,
                    quality=_pct(shown.quality) if shown else None,
                    day_oee=_pct(day.oee) if day else None,
                    output=str(day.total if day else 0),
                    alarms=alarms.get(device.id, 0),
                )
            )
        combined.extend(r.kpi for r in report.of("site", site.id))
    total = combine(combined)
    totals = Totals(
        machines=len(tiles),
        running=sum(1 for t in tiles if t.state == "running"),
        faults=sum(1 for t in tiles if t.state == "fault"),
        alarms=sum(t.alarms for t in tiles),
        oee=_pct(total.oee) if combined else None,
        availability=_pct(total.availability) if combined else None,
        performance=_pct(total.performance) if combined else None,
        quality=_pct(total.quality) if combined else None,
        output=str(total.total),
    )
    return {
        "at": now.isoformat(),
        "sites": [{"id": s.id, "code": s.code, "name": s.name} for s in sites],
        "tiles": [asdict(t) for t in tiles],
        "totals": asdict(totals),
    }


def _board_page(web: Web, site: Site | None, screen: bool, theme: str) -> HTMLResponse:
    t = web.t
    data = board_data(web, site.id if site else None)
    with_machines = select(Device.site_id).where(Device.kind == DeviceKind.MACHINE.value)
    all_sites = list(
        web.uow.session.scalars(select(Site).where(Site.id.in_(with_machines)).order_by(Site.code))
    )
    config = {
        "data": "/equipment/board.json" + (f"?site={site.id}" if site else ""),
        "stream": "/api/v1/alarms/stream",
        "refresh_s": 15,
        "labels": {s: t(f"equipment.state.{s}") for s in STATES},
    }
    title = f"{t('nav.equipment')} · {site.name}" if site else t("nav.equipment")
    template = "equipment_board.html"
    context: dict[str, Any] = {
        "site": site,
        "all_sites": all_sites,
        "tiles": data["tiles"],
        "totals": data["totals"],
        "config": _json(config),
        "screen": screen,
        "theme": "dark" if theme == "dark" or (screen and theme != "light") else "light",
        "states": STATES,
    }
    if screen:
        return render_page(web.request, template, t, title=title, caller=web.caller, **context)
    return render(web, template, title=title, active="equipment", **context)


def _json(value: Any) -> str:
    # Safe inside <script type="application/json">: no "</" can close the element early.
    return json.dumps(value, ensure_ascii=False, default=str).replace("</", "<\\/")


@router.get("/equipment", response_class=HTMLResponse)
def board(web: WebDep, screen: bool = False, theme: str = "") -> HTMLResponse:
    """Every machine of every site the caller has."""
    return _board_page(web, None, screen, theme)


@router.get("/equipment/sites/{site_id}", response_class=HTMLResponse)
def site_board(web: WebDep, site_id: Id, screen: bool = False, theme: str = "") -> HTMLResponse:
    """One site's board; ``?screen=1`` is the wall-screen layout (dark, no navigation)."""
    site = web.uow.session.get(Site, site_id)
    if site is None:
        return _not_found(web)
    return _board_page(web, site, screen, theme)


@router.get("/equipment/board.json", response_class=JSONResponse)
def board_json(
    web: DataDep, site: Annotated[int | None, Query(ge=1, le=MAX_INT)] = None
) -> JSONResponse:
    """What the board shows, for its refresh."""
    return JSONResponse(board_data(web, site), headers={"Cache-Control": "no-store"})


def _not_found(web: Web) -> HTMLResponse:
    t = web.t
    return render(
        web,
        "error.html",
        title=t("error.not_found.title"),
        message=t("equipment.not_found"),
        back_href="/equipment",
        back_label=t("error.back_to", page=t("nav.equipment")),
        status_code=404,
    )


def _timeline(web: Web, device: Device, start: datetime, end: datetime) -> list[list[Any]]:
    data = kpi.machine_input(web.uow, device.id, start, end, None)
    return [
        [i.start.isoformat(), i.end.isoformat(), i.state]
        for i in intervals(data.changes, start, end)
    ]


def _shift_oee(web: Web, device: Device, start: datetime, end: datetime) -> list[dict[str, Any]]:
    report = kpi.oee(web.uow, start, end, "shift", device_id=device.id)
    out = []
    for row in report.of("machine", device.id, whole=False):
        assert row.period is not None
        k = row.kpi.as_dict()
        out.append(
            {
                "label": f"{row.period.day.isoformat()} {row.period.name}",
                "availability": _pct(k["availability"]),
                "performance": _pct(k["performance"]),
                "quality": _pct(k["quality"]),
                "oee": _pct(k["oee"]),
                "planned_min": str(k["planned_min"]),
                "losses_min": {n: str(v) for n, v in k["losses_min"].items()},
            }
        )
    return out


@router.get("/equipment/machines/{device_id}", response_class=HTMLResponse)
def machine_page(web: WebDep, device_id: Id) -> HTMLResponse:
    """Telemetry charts with limits, the state timeline, OEE by shift, recent alarms."""
    t = web.t
    device = web.uow.session.get(Device, device_id)
    if device is None:
        return _not_found(web)
    now = utcnow()
    metrics = list(
        web.uow.session.scalars(
            select(DeviceMetric)
            .where(DeviceMetric.device_id == device.id, DeviceMetric.name != kpi.STATE_METRIC)
            .order_by(DeviceMetric.name)
        )
    )
    recent = list(
        web.uow.session.scalars(
            select(Alarm)
            .where(Alarm.device_id == device.id)
            .order_by(Alarm.last_seen_at.desc(), Alarm.id.desc())
            .limit(20)
        )
    )
    site = web.uow.session.get(Site, device.site_id)
    config = {
        "device_id": device.id,
        "telemetry": f"/api/v1/devices/{device.id}/telemetry",
        "health": f"/api/v1/devices/{device.id}/health",
        "ranges": {k: {"seconds": s, "resolution": r} for k, (s, r) in RANGES.items()},
        "metrics": [
            {"name": m.name, "unit": m.unit, "min": m.min_value, "max": m.max_value}
            for m in metrics
        ],
        "timeline": _timeline(web, device, now - timedelta(days=1), now),
        "shifts": _shift_oee(web, device, now - timedelta(days=3), now),
        "labels": {
            "states": {s: t(f"equipment.state.{s}") for s in STATES},
            "losses": {n: t(f"equipment.loss.{n}") for n in LOSS_NAMES},
            "availability": t("equipment.availability"),
            "performance": t("equipment.performance"),
            "quality": t("equipment.quality"),
            "oee": t("equipment.oee"),
            "limit_low": t("equipment.limit_low"),
            "limit_high": t("equipment.limit_high"),
            "minutes": t("equipment.minutes"),
            "no_data": t("equipment.no_data"),
            "health_index": t("equipment.health_index"),
            "limiting": t("equipment.limiting"),
            "rul": t("equipment.rul"),
        },
    }
    return render(
        web,
        "equipment_machine.html",
        title=f"{device.code} · {device.name}",
        active="equipment",
        device=device,
        state=_state(device.state),
        site=site,
        metrics=metrics,
        alarms=recent,
        ranges=list(RANGES),
        config=_json(config),
    )


PAGES = PageSet(
    router,
    (NavEntry("equipment", "/equipment", "nav.equipment", "stock", "operations", 40),),
)
