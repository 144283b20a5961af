"""Use cases that plan: run a schedule for a site, repair the published one on a breakdown."""

from __future__ import annotations

import dataclasses
import logging
from datetime import datetime, timedelta

from supplymesh.network.model import Machine, Site
from supplymesh.planning.scheduling import (
    ApsResult,
    ApsSchedule,
    Objective,
    Placement,
    SchedulingParams,
    repair,
    solve_aps,
)
from supplymesh.planning.scheduling.problem import MalformedProblem
from supplymesh.platform.errors import NotFound
from supplymesh.platform.uow import UnitOfWork
from supplymesh.production.builder import (
    BuiltProblem,
    Outage,
    build_problem,
    operations_of,
    published_schedule,
)
from supplymesh.production.model import Schedule
from supplymesh.production.schedules import publish, store
from supplymesh.production.settings import ProductionSettings

log = logging.getLogger(__name__)


def _params(time_limit_s: float) -> SchedulingParams:
    return SchedulingParams(time_limit_s=time_limit_s, workers=2, seed=1, tabu_share=0.0)


def run_schedule(
    uow: UnitOfWork,
    site: Site,
    objective: Objective,
    settings: ProductionSettings,
    time_limit_s: float | None = None,
    horizon_days: int | None = None,
    now: datetime | None = None,
    reason: str = "planner run",
) -> Schedule:
    """Plan the site's open work orders into a new draft schedule."""
    built = build_problem(uow, site, objective, settings, now, horizon_days)
    result = solve_aps(built.problem, _params(time_limit_s or settings.time_limit_s))
    return store(uow, site, built, result, reason)


def _published_plan(built: BuiltProblem, schedule: Schedule, uow: UnitOfWork) -> ApsSchedule:
    """The published operations as placements of `built` (which has exactly its orders)."""
    ops = {(op.work_order_id, op.routing_step_id): op for op in operations_of(uow, schedule.id)}
    rows = []
    for refs in built.refs:
        row = []
        for ref in refs:
            op = ops.get((ref.work_order_id, ref.routing_step_id))
            machine = None if op is None else built.machine_index(op.machine_id)
            if op is None or machine is None:
                raise MalformedProblem(f"work order {ref.work_order_id} was re-routed")
            row.append(Placement(machine, built.minutes(op.start_at), built.minutes(op.end_at)))
        rows.append(tuple(row))
    return ApsSchedule(tuple(rows), 0)


def repair_after_breakdown(
    uow: UnitOfWork,
    machine: Machine,
    at: datetime,
    settings: ProductionSettings,
    reason: str,
    alarm_id: int | None = None,
    up_at: datetime | None = None,
) -> Schedule | None:
    """Re-plan the site's published schedule from `at` with `machine` down until `up_at`.

    Work started before `at` and work within the frozen horizon on other machines stays put
    (``planning.scheduling.repair``). Returns the new draft (published too when the settings
    say so), or None when the machine has nothing in the published schedule. When the plan
    no longer matches the orders (changed since publishing), a fresh run with the machine
    marked down replaces the repair.
    """
    current = published_schedule(uow, machine.site_id)
    if current is None:
        return None
    ops = operations_of(uow, current.id)
    if not any(op.machine_id == machine.id and op.end_at > at for op in ops):
        return None
    site = uow.session.get(Site, machine.site_id)
    if site is None:
        raise NotFound("Site", machine.site_id)
    objective = Objective(current.objective)
    up_at = up_at or at + timedelta(minutes=settings.repair_minutes)
    try:
        built = build_problem(
            uow,
            site,
            objective,
            settings,
            now=at,
            origin=current.origin_at,
            only_orders={op.work_order_id for op in ops},
            freeze=False,
        )
        repaired = _repaired(uow, built, current, machine, at, up_at, settings)
    except MalformedProblem as exc:
        log.info("repair of schedule %s replaced by a fresh run: %s", current.id, exc)
        return run_schedule(
            uow, site, objective, settings, settings.repair_time_limit_s, now=at, reason=reason
        )
    schedule = store(uow, site, repaired.built, repaired.result, reason, alarm_id)
    if settings.auto_publish_repairs:
        publish(uow, schedule.id)
    return schedule


@dataclasses.dataclass(frozen=True)
class _Repair:
    built: BuiltProblem
    result: ApsResult


def _repaired(
    uow: UnitOfWork,
    built: BuiltProblem,
    current: Schedule,
    machine: Machine,
    at: datetime,
    up_at: datetime,
    settings: ProductionSettings,
) -> _Repair:
    """Run the engine's repair, and describe the problem it solved for storing the result."""
    plan = _published_plan(built, current, uow)
    # Work already placed (maybe started) keeps its place even where today's release is later.
    jobs = tuple(
        dataclasses.replace(job, release=min(job.release, row[0].start))
        for job, row in zip(built.problem.jobs, plan.placements, strict=True)
    )
    problem = dataclasses.replace(built.problem, jobs=jobs)
    down = built.machine_index(machine.id)
    assert down is not None
    start = built.minutes(at.replace(second=0, microsecond=0))
    up = max(start + 1, built.minutes(up_at))
    frozen = start + settings.frozen_minutes
    result = repair(problem, plan, down, start, _params(settings.repair_time_limit_s), up, frozen)
    if result.schedule is None:
        return _Repair(built, result)
    running_until = max(
        [start]
        + [p.end for row in plan.placements for p in row if p.machine == down and p.start < start]
    )
    fixed = {
        (j, k): p
        for j, row in enumerate(result.schedule.placements)
        for k, p in enumerate(row)
        if p == plan.placements[j][k] and p.start < frozen
    }
    downtime = dict(problem.downtime)
    outages = built.outages
    if up > running_until:
        downtime[down] = (*downtime.get(down, ()), (running_until, up))
        outages = (*outages, Outage(down, running_until, up, "alarm"))
    solved = dataclasses.replace(
        problem,
        downtime=downtime,
        fixed=fixed,
        earliest_start=max(problem.earliest_start, start),
    )
    view = dataclasses.replace(
        built, problem=solved, outages=outages, frozen_until=built.at(frozen)
    )
    return _Repair(view, result)
