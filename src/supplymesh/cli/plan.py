"""`supplymesh plan forecast|replenish|gsm`: run the planning service as an enterprise.

Thin: parse, call the replan services in one unit of work, print a summary or one JSON
object. SQLAlchemy, statsforecast and the engines load inside the commands.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

plan_app = typer.Typer(help="Forecast, replenish and place safety stock.", no_args_is_help=True)

Enterprise = Annotated[str, typer.Option("--enterprise", "-e", help="enterprise code to plan for")]
JsonFlag = Annotated[bool, typer.Option("--json", help="print one JSON object")]


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


def _run(enterprise: str, work: Any) -> Any:
    from supplymesh.cli.context import database, enterprise_context, settings
    from supplymesh.platform.errors import DomainError
    from supplymesh.replan.forecasting import Compute

    db = database()
    try:
        ctx = enterprise_context(db, enterprise)
        with db.unit_of_work(ctx) as uow:
            out = work(uow, Compute(dask_address=settings().dask_address))
            uow.commit()
            return out
    except DomainError as exc:
        _fail(exc.message)
    finally:
        db.engine.dispose()


@plan_app.command("forecast")
def forecast(
    enterprise: Enterprise,
    horizon: Annotated[int, typer.Option(help="days ahead")] = 28,
    service_level: Annotated[float, typer.Option(help="quantile stored as p_service")] = 0.95,
    item: Annotated[list[str] | None, typer.Option(help="item SKU (repeatable)")] = None,
    site: Annotated[list[str] | None, typer.Option(help="site code (repeatable)")] = None,
    reconcile: Annotated[
        bool | None,
        typer.Option(
            "--reconcile/--no-reconcile",
            help="coherent tiers store → DC → region → total (default: when several sites)",
        ),
    ] = None,
    global_model: Annotated[
        bool,
        typer.Option(
            "--global-model", help="one LightGBM with promotions, prices, calendar as regressors"
        ),
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Forecast every item × site of the enterprise's daily demand."""
    from supplymesh.replan.forecasting import ForecastRequest, run_forecast

    request = ForecastRequest(
        horizon,
        service_level,
        tuple(item or ()),
        tuple(site or ()),
        reconcile=reconcile,
        global_model=global_model,
    )
    run = _run(enterprise, lambda uow, c: run_forecast(uow, request, c))
    summary = {
        "forecast_run_id": run.id,
        "series": run.series_count,
        "executor": run.executor,
        "seconds": run.seconds,
        "reconciliation": run.reconciliation,
        "messages": run.messages,
    }
    if as_json:
        typer.echo(json.dumps(summary, ensure_ascii=False))
        return
    typer.echo(
        f"forecast run {run.id}: {run.series_count} series, {run.horizon_days} days, "
        f"{run.executor}, {run.seconds:.1f} s"
        + (f", tiers reconciled ({run.reconciliation})" if run.reconciliation else "")
    )
    for m in run.messages:
        typer.echo(f"  {m['message']}" + (f" -> {m['fallback']}" if m.get("fallback") else ""))


@plan_app.command("replenish")
def replenish(
    enterprise: Enterprise,
    run_id: Annotated[int | None, typer.Option("--run", help="forecast run (latest)")] = None,
    fill_rate: Annotated[float, typer.Option(help="target fill rate")] = 0.95,
    as_json: JsonFlag = False,
) -> None:
    """Choose policies by simulation and propose orders from the latest forecast."""
    from supplymesh.replan.proposals import ReplenishRequest, run_replenishment

    request = ReplenishRequest(forecast_run_id=run_id, target_fill_rate=fill_rate)
    result = _run(enterprise, lambda uow, c: run_replenishment(uow, request, c))
    rows = [
        {
            "id": p.id,
            "item_id": p.item_id,
            "site_id": p.site_id,
            "quantity": str(p.quantity),
            "order_date": p.order_date.isoformat(),
            "need_date": p.need_date.isoformat(),
            "policy": p.policy,
        }
        for p in result.proposals
    ]
    if as_json:
        typer.echo(json.dumps({"proposals": rows, "skipped": result.skipped}))
        return
    typer.echo(f"{len(rows)} proposals from forecast run {result.run.id}")
    for r in rows:
        typer.echo(
            f"  #{r['id']} item {r['item_id']} site {r['site_id']}: {r['quantity']} "
            f"order {r['order_date']} need {r['need_date']} ({r['policy']})"
        )
    for s in result.skipped:
        typer.echo(f"  skipped: {s}")


@plan_app.command("gsm")
def gsm(
    enterprise: Enterprise,
    item: Annotated[str, typer.Option(help="item SKU")],
    service_level: Annotated[float, typer.Option()] = 0.95,
    as_json: JsonFlag = False,
) -> None:
    """Guaranteed-service safety stock per site of the item's distribution tree."""
    from supplymesh.replan.safety import SafetyRequest, plan_safety_stock

    plan = _run(
        enterprise, lambda uow, c: plan_safety_stock(uow, SafetyRequest(item, service_level))
    )
    stages = [
        {
            "site": s.site_code,
            "item": s.item_sku,
            "role": s.role,
            "supplier": s.supplier_site_code,
            "inbound_service_days": s.inbound_service_days,
            "outbound_service_days": s.outbound_service_days,
            "safety_stock": s.safety_stock,
        }
        for s in plan.stages
    ]
    if as_json:
        typer.echo(json.dumps({"item": plan.sku, "total_cost": plan.total_cost, "stages": stages}))
        return
    typer.echo(f"{plan.sku}: safety-stock holding cost {plan.total_cost:.2f}")
    for s in stages:
        typer.echo(
            f"  {s['site']:<14} {s['item']:<14} {s['role']:<12} "
            f"SI={s['inbound_service_days']} S={s['outbound_service_days']} "
            f"safety stock {s['safety_stock']:.1f}"
        )
