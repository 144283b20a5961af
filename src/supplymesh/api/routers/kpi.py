"""OEE and equipment KPIs per machine, line (work centre) and site, by shift or day."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from supplymesh.api.deps import UowDep
from supplymesh.devices import kpi
from supplymesh.platform.db import utcnow
from supplymesh.platform.types import MAX_INT

router = APIRouter(prefix="/api/v1/kpi", tags=["kpi"])
OptionalId = Annotated[int | None, Query(ge=1, le=MAX_INT)]


def plain(value: Any) -> Any:
    """Decimals as strings (exact), times as RFC 3339, recursively."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


@router.get("/oee")
def oee(
    uow: UowDep,
    site: OptionalId = None,
    machine: Annotated[
        int | None, Query(ge=1, le=MAX_INT, description="the machine's device id")
    ] = None,
    line: Annotated[int | None, Query(ge=1, le=MAX_INT, description="work centre id")] = None,
    start: Annotated[datetime | None, Query(alias="from")] = None,
    end: Annotated[datetime | None, Query(alias="to")] = None,
    by: Literal["shift", "day"] = "shift",
) -> dict[str, Any]:
    """Rows per machine, line and site and period (``period: null`` = the whole range) with
    availability, performance, quality, OEE, losses in minutes and the other KPIs as decimal
    strings; the range defaults to the last 24 hours."""
    for name, value in (("from", start), ("to", end)):
        if value is not None:
            kpi.check_year(name, value)
    end = end or utcnow()
    start = start or end - timedelta(days=1)
    report = kpi.oee(uow, start, end, by, site_id=site, device_id=machine, line_id=line)
    return {
        "from": report.start.isoformat(),
        "to": report.end.isoformat(),
        "by": report.by,
        "rows": [plain(r.as_dict()) for r in report.rows],
        "notes": report.notes,
    }
