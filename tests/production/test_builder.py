"""Work orders → APS problem → stored schedule on a small plant (both backends)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from supplymesh.network.model import Site
from supplymesh.planning.scheduling import Objective, SchedulingParams, check_aps, solve_aps
from supplymesh.platform.uow import Database
from supplymesh.production.builder import build_problem, operations_of
from supplymesh.production.model import NothingToSchedule, Schedule
from supplymesh.production.schedules import publish
from supplymesh.production.services import run_schedule
from supplymesh.production.settings import ProductionSettings
from tests.production.world import HOLIDAY, MONDAY_8AM, build_world, enterprise

SHANGHAI = ZoneInfo("Asia/Shanghai")
FRIDAY_4PM = MONDAY_8AM + timedelta(days=4, hours=8)
SETTINGS = ProductionSettings(time_limit_s=1, repair_time_limit_s=1, frozen_minutes=240)


def test_schedule_passes_the_check_and_keeps_to_shifts_and_the_holiday(db: Database) -> None:
    world = build_world(db)
    world.stock("C1", 100_000)
    for n in range(6):
        world.work_order("P1" if n % 2 else "P2", 400, FRIDAY_4PM)
    with db.unit_of_work(world.ctx) as uow:
        site = uow.session.get_one(Site, world.site_id)
        built = build_problem(uow, site, Objective.TOTAL_TARDINESS, SETTINGS, now=MONDAY_8AM)
        assert len(built.problem.jobs) == 6 and not built.blocked
        assert built.problem.setups, "two families on shared machines need changeovers"
        result = solve_aps(built.problem, SchedulingParams(time_limit_s=1, tabu_share=0))
        assert result.schedule is not None
        assert check_aps(built.problem, result.schedule) == []
        schedule = run_schedule(uow, site, Objective.MAKESPAN, SETTINGS, now=MONDAY_8AM)
        uow.commit()
        ops = operations_of(uow, schedule.id)
    assert len(ops) == 12
    days = set()
    for op in ops:
        start, end = op.start_at.astimezone(SHANGHAI), op.end_at.astimezone(SHANGHAI)
        assert start.date() == end.date() or end.time() == datetime.min.time(), op
        assert start.weekday() < 5 and start.date() != HOLIDAY, op
        assert (start.hour, start.minute) >= (8, 0) and (end.hour, end.minute) <= (16, 0), op
        if op.setup_start_at is not None:
            setup = op.setup_start_at.astimezone(SHANGHAI)
            assert setup.date() == start.date() and setup.hour >= 8, op
        days.add(start.date())
    # 2400 minutes of cutting on two machines do not fit Monday and Tuesday: Thursday works.
    assert HOLIDAY + timedelta(days=1) in days
    assert schedule.status == "draft" and schedule.makespan_minutes
    assert set(schedule.utilisation) == {"ASM-01", "CUT-01", "CUT-02"}
    assert all(0 < pct <= 100 for pct in schedule.utilisation.values())


def test_missing_material_blocks_the_order_naming_the_item(db: Database) -> None:
    world = build_world(db)
    supplier_id, _, _ = enterprise(db, "SUPP")
    world.stock("C1", 1_000)
    thursday = HOLIDAY + timedelta(days=1)
    world.incoming("C3", 20, thursday, supplier_id)
    ok = world.work_order("P1", 10, FRIDAY_4PM)
    short = world.work_order("P3", 10, FRIDAY_4PM)
    bought = world.work_order("P4", 10, FRIDAY_4PM)
    with db.unit_of_work(world.ctx) as uow:
        site = uow.session.get_one(Site, world.site_id)
        schedule = run_schedule(uow, site, Objective.TOTAL_TARDINESS, SETTINGS, now=MONDAY_8AM)
        uow.commit()
        ops = operations_of(uow, schedule.id)
    [blocked] = schedule.blocked
    assert blocked["work_order_id"] == short and "C2" in blocked["reason"]
    assert {op.work_order_id for op in ops} == {ok, bought}
    thursday_8am = datetime(2026, 3, 5, 0, 0, tzinfo=UTC)
    assert min(op.start_at for op in ops if op.work_order_id == bought) >= thursday_8am
    assert min(op.start_at for op in ops if op.work_order_id == ok) < thursday_8am


def test_only_blocked_orders_means_nothing_to_schedule(db: Database) -> None:
    world = build_world(db)
    world.work_order("P3", 10, FRIDAY_4PM)
    with db.unit_of_work(world.ctx) as uow:
        site = uow.session.get_one(Site, world.site_id)
        with pytest.raises(NothingToSchedule, match="C2"):
            run_schedule(uow, site, Objective.MAKESPAN, SETTINGS, now=MONDAY_8AM)


def test_published_operations_in_the_frozen_horizon_stay_put(db: Database) -> None:
    world = build_world(db)
    world.stock("C1", 100_000)
    for n in range(4):
        world.work_order("P1" if n % 2 else "P2", 200, FRIDAY_4PM)
    with db.unit_of_work(world.ctx) as uow:
        site = uow.session.get_one(Site, world.site_id)
        first = run_schedule(uow, site, Objective.MAKESPAN, SETTINGS, now=MONDAY_8AM)
        publish(uow, first.id)
        uow.commit()
        before = {(o.work_order_id, o.sequence): o for o in operations_of(uow, first.id)}
    world.work_order("P1", 100, MONDAY_8AM + timedelta(hours=6), priority=9)
    later = MONDAY_8AM + timedelta(hours=1)
    with db.unit_of_work(world.ctx) as uow:
        site = uow.session.get_one(Site, world.site_id)
        second = run_schedule(uow, site, Objective.TOTAL_TARDINESS, SETTINGS, now=later)
        uow.commit()
        after = {(o.work_order_id, o.sequence): o for o in operations_of(uow, second.id)}
        published = uow.session.scalars(select(Schedule.id).where(Schedule.status == "published"))
        assert list(published) == [first.id]
    frozen_until = later + timedelta(minutes=SETTINGS.frozen_minutes)
    kept = [key for key, op in before.items() if op.start_at < frozen_until]
    assert kept
    for key in kept:
        old, new = before[key], after[key]
        assert (new.machine_id, new.start_at, new.end_at) == (
            old.machine_id,
            old.start_at,
            old.end_at,
        )
        assert new.fixed
    assert second.based_on_id == first.id and second.revision == first.revision + 1
