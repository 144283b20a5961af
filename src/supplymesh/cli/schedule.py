"""`supplymesh schedule`: run the finite-capacity schedule of a plant from the shell."""

from __future__ import annotations

import json
from typing import Annotated

import typer

schedule_app = typer.Typer(help="Production scheduling (APS, 排产).", no_args_is_help=True)


@schedule_app.command("run")
def run(
    site: Annotated[str, typer.Option("--site", help="plant site code")],
    enterprise: Annotated[
        str | None, typer.Option("--enterprise", "-e", help="enterprise code (if codes clash)")
    ] = None,
    time_limit: Annotated[float, typer.Option("--time-limit", min=0.1, max=600)] = 10.0,
    objective: Annotated[
        str, typer.Option("--objective", help="makespan or total_tardiness")
    ] = "total_tardiness",
    publish: Annotated[bool, typer.Option("--publish", help="publish the new schedule")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print the schedule as JSON")] = False,
) -> None:
    """Plan the open work orders of SITE into a draft schedule and print its KPIs."""
    from supplymesh.cli.main import clean_errors

    clean_errors(_run)(site, enterprise, time_limit, objective, publish, as_json)


def _run(
    site_code: str,
    enterprise: str | None,
    time_limit: float,
    objective: str,
    publish: bool,
    as_json: bool,
) -> None:
    from sqlalchemy import select

    from supplymesh.cli.context import database, enterprise_context
    from supplymesh.network.model import Enterprise, Site
    from supplymesh.planning.scheduling import Objective
    from supplymesh.platform.errors import NotFound, invalid
    from supplymesh.production import schedules
    from supplymesh.production.schemas import SchedulePublic
    from supplymesh.production.services import run_schedule
    from supplymesh.production.settings import ProductionSettings

    if objective not in {o.value for o in Objective}:
        raise invalid("objective", f"{objective!r} is not makespan or total_tardiness")
    db = database()
    with db.system() as uow:
        query = select(Site.enterprise_id, Enterprise.code).join(
            Enterprise, Enterprise.id == Site.enterprise_id
        )
        query = query.where(Site.code == site_code)
        if enterprise is not None:
            query = query.where(Enterprise.code == enterprise)
        owners = list(uow.session.execute(query))
    if not owners:
        raise NotFound("site", site_code)
    if len(owners) > 1:
        raise invalid("site", f"{site_code} exists in several enterprises: give --enterprise")
    ctx = enterprise_context(db, owners[0][1])
    with db.unit_of_work(ctx) as uow:
        found = uow.session.scalar(select(Site).where(Site.code == site_code))
        assert found is not None
        schedule = run_schedule(
            uow, found, Objective(objective), ProductionSettings(), time_limit_s=time_limit
        )
        if publish:
            schedules.publish(uow, schedule.id)
        uow.commit()
    view = SchedulePublic.model_validate(schedule)
    if as_json:
        typer.echo(view.model_dump_json())
        return
    typer.echo(
        f"schedule {schedule.id} (revision {schedule.revision}, {schedule.status}) "
        f"for {site_code}: "
        f"makespan {schedule.makespan_minutes} min, tardiness {schedule.total_tardiness_minutes} "
        f"min, {schedule.late_orders} late, solver {schedule.solver_status} "
        f"in {schedule.solver_seconds:.1f} s"
    )
    for blocked in schedule.blocked:
        typer.echo(f"  blocked {blocked['number']}: {blocked['reason']}")
    typer.echo("  utilisation " + json.dumps(schedule.utilisation, ensure_ascii=False))
