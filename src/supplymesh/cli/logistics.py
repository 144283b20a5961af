"""`supplymesh logistics`: delivery routes, dispatch by area and dock plans from the shell.

Thin, like the API routers: requests are the API's JSON bodies (a file, or options for the
common route case), answers are the API's JSON (with `--json`) or a short table.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from supplymesh.cli.cleanly import cleanly

logistics_app = typer.Typer(
    help="Delivery routes, order dispatch by area (分单), dock appointments.",
    no_args_is_help=True,
)

EnterpriseOpt = Annotated[str, typer.Option("--enterprise", "-e", help="enterprise code")]
JsonOpt = Annotated[bool, typer.Option("--json", help="print the API's JSON answer")]


def _read_json(file: Path) -> Any:
    try:
        return json.loads(file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{file}: not JSON ({exc.msg} at line {exc.lineno})") from exc


def _validated(model: Any, body: Any, source: str) -> Any:
    from pydantic import ValidationError

    try:
        return model.model_validate(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ValueError(f"{source}: {where}: {first['msg']}") from exc


def _vehicle(spec: str) -> dict[str, Any]:
    parts = spec.split(":")
    if len(parts) not in (2, 3) or not all(p.strip() for p in parts):
        raise ValueError(f"--vehicle {spec!r}: use NAME:CAPACITY_KG[:COUNT]")
    out: dict[str, Any] = {"name": parts[0], "capacity_kg": int(parts[1])}
    if len(parts) == 3:
        out["count"] = int(parts[2])
    return out


@logistics_app.command("route")
@cleanly
def route(
    enterprise: EnterpriseOpt,
    depot: Annotated[str, typer.Option("--depot", help="depot site code")],
    day: Annotated[str, typer.Option("--date", help="plan open orders requested for YYYY-MM-DD")],
    vehicle: Annotated[
        list[str], typer.Option("--vehicle", help="NAME:CAPACITY_KG[:COUNT], repeatable")
    ],
    time_limit: Annotated[float, typer.Option("--time-limit", min=0.1, max=600)] = 5.0,
    as_json: JsonOpt = False,
) -> None:
    """Plan delivery routes from DEPOT for the day's open sales and transfer orders."""
    from sqlalchemy import select

    from supplymesh.cli.context import database, enterprise_context
    from supplymesh.logistics.route_plans import create_route_plan
    from supplymesh.logistics.route_schemas import RoutePlanCreate
    from supplymesh.network.model import Site
    from supplymesh.platform.errors import NotFound

    db = database()
    ctx = enterprise_context(db, enterprise)
    with db.unit_of_work(ctx) as uow:
        site = uow.session.scalar(
            select(Site).where(Site.enterprise_id == ctx.enterprise_id, Site.code == depot)
        )
        if site is None:
            raise NotFound("site", depot)
        body = {
            "name": f"{depot} {day}",
            "depot_site_id": site.id,
            "date": day,
            "vehicles": [_vehicle(v) for v in vehicle],
            "time_limit_s": time_limit,
        }
        plan = create_route_plan(uow, _validated(RoutePlanCreate, body, "options"))
        uow.commit()
    if as_json:
        typer.echo(plan.model_dump_json())
        return
    typer.echo(
        f"plan {plan.id}: {plan.orders} orders, {plan.vehicles_used} trucks, "
        f"{plan.distance_km:.1f} km, {'feasible' if plan.feasible else 'INFEASIBLE'}"
    )
    for r in plan.routes:
        stops = " → ".join(f"{s.site_code}@{s.service_start}" for s in r.stops)
        typer.echo(
            f"  {r.vehicle} ({r.load_kg}/{r.capacity_kg} kg, {r.distance_km:.1f} km): {stops}"
        )
    for v in plan.violations:
        typer.echo(f"  violation: {v}")


@logistics_app.command("dispatch")
@cleanly
def dispatch(
    enterprise: EnterpriseOpt,
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="dispatch request JSON")
    ],
    as_json: JsonOpt = False,
) -> None:
    """Assign orders to delivery stations by geofence (the body of POST /dispatch/assign)."""
    from supplymesh.cli.context import database, enterprise_context
    from supplymesh.logistics.dispatch import dispatch as run_dispatch
    from supplymesh.logistics.schemas import DispatchRequest

    request = _validated(DispatchRequest, _read_json(file), str(file))
    db = database()
    with db.unit_of_work(enterprise_context(db, enterprise)) as uow:
        answer = run_dispatch(uow, request)
    if as_json:
        typer.echo(answer.model_dump_json())
        return
    for row in answer.model_dump()["assignments"]:
        typer.echo("  ".join(f"{k}={v}" for k, v in row.items() if v not in (None, [], "")))


@logistics_app.command("docks")
@cleanly
def docks(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="dock plan request JSON")
    ],
    as_json: JsonOpt = False,
) -> None:
    """Plan dock appointments for booked trucks (the body of POST /docks/plan)."""
    from supplymesh.logistics.docks import plan
    from supplymesh.logistics.schemas import DockPlanRequest

    answer = plan(_validated(DockPlanRequest, _read_json(file), str(file)))
    if as_json:
        typer.echo(answer.model_dump_json())
        return
    for visit in answer.model_dump()["visits"]:
        typer.echo("  ".join(f"{k}={v}" for k, v in visit.items() if v is not None))


@logistics_app.command("load")
@cleanly
def load(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="loading request JSON")],
    svg: Annotated[Path | None, typer.Option("--svg", help="write the picture here")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Load a truck or container (the body of POST /loading/plan); optionally save the picture."""
    from supplymesh.logistics.loading_plans import plan_loading
    from supplymesh.logistics.loading_schemas import LoadingPlanRequest

    answer = plan_loading(_validated(LoadingPlanRequest, _read_json(file), str(file)))
    if svg is not None:
        svg.write_text(answer.picture_svg, encoding="utf-8")
    if as_json:
        typer.echo(answer.model_dump_json(exclude={"picture_svg"}))
        return
    typer.echo(
        f"{answer.loaded_boxes} boxes, {answer.utilisation_pct} % of the volume, "
        f"{answer.loaded_weight_kg} kg"
    )
    for c in answer.counts:
        typer.echo(f"  {c.label} (stop {c.stop}): {c.loaded}/{c.requested}")
    for v in answer.violations:
        typer.echo(f"  violation: {v}")


@logistics_app.command("design")
@cleanly
def design(
    enterprise: EnterpriseOpt,
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="design request JSON")],
    as_json: JsonOpt = False,
) -> None:
    """Network design over the enterprise's sites (the body of POST /network-designs)."""
    from supplymesh.cli.context import database, enterprise_context
    from supplymesh.logistics.design_schemas import NetworkDesignRequest
    from supplymesh.logistics.network_designs import design_network

    request = _validated(NetworkDesignRequest, _read_json(file), str(file))
    db = database()
    with db.unit_of_work(enterprise_context(db, enterprise)) as uow:
        answer = design_network(uow, request)
    if as_json:
        typer.echo(answer.model_dump_json())
        return
    codes = {s.site_id: s.code for s in answer.candidates}
    for s in answer.scenarios:
        cost = "—" if s.cost is None else f"{s.cost:,.0f}"
        opened = ", ".join(codes[i] for i in s.open_site_ids)
        typer.echo(f"{s.name}: {s.status}, cost {cost}, open: {opened or '—'} {s.reason}".rstrip())
