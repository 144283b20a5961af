"""Work orders for the demo network, and a first published schedule, so the Gantt page has
something to show after `supplymesh demo` (`make run`)."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from supplymesh.network.model import Machine, RoutingStep, Site, WorkCenter
from supplymesh.planning.scheduling import Objective
from supplymesh.platform.db import utcnow
from supplymesh.platform.tenancy import TenantContext
from supplymesh.platform.uow import Database
from supplymesh.production.model import NothingToSchedule, Schedule, WorkOrder
from supplymesh.production.schedules import NoScheduleFound, publish
from supplymesh.production.services import run_schedule
from supplymesh.production.settings import ProductionSettings


def _plant(db: Database) -> Site | None:
    """The plant with the most routed machines (the demo's core manufacturer's first)."""
    with db.system() as uow:
        row = uow.session.execute(
            select(Machine.site_id, func.count(Machine.id))
            .group_by(Machine.site_id)
            .order_by(func.count(Machine.id).desc(), Machine.site_id)
            .limit(1)
        ).first()
        return None if row is None else uow.session.get(Site, row[0])


def add_demo_work_orders(
    db: Database, count: int = 8, now: datetime | None = None, time_limit_s: float = 5.0
) -> Schedule | None:
    """`count` work orders of routed items at the demo plant, each about half a shift of
    work per step, due over the next days; then a published schedule (None if none fits)."""
    site = _plant(db)
    if site is None:
        return None
    now = now or utcnow()
    ctx = TenantContext(site.enterprise_id, None, "admin")
    with db.unit_of_work(ctx) as uow:
        centres = select(WorkCenter.id).where(WorkCenter.site_id == site.id)
        steps = list(
            uow.session.scalars(
                select(RoutingStep)
                .where(RoutingStep.work_center_id.in_(centres))
                .order_by(RoutingStep.item_id, RoutingStep.sequence)
            )
        )
        slowest: dict[int, Decimal] = {}
        for step in steps:
            slowest[step.item_id] = max(
                slowest.get(step.item_id, Decimal(0)), step.run_minutes_per_unit
            )
        for n, (item_id, minutes) in enumerate(sorted(slowest.items())[:count]):
            quantity = max(1, math.floor(240 / max(minutes, Decimal("0.01"))))
            uow.add(
                WorkOrder(
                    number=f"WO-DEMO-{n + 1:03d}",
                    item_id=item_id,
                    site_id=site.id,
                    quantity=Decimal(quantity),
                    due_at=now + timedelta(days=2 + n % 4, hours=8),
                    priority=9 - n % 5,
                    note="demo",
                )
            )
        uow.commit()
    with db.unit_of_work(ctx) as uow:
        site = uow.session.get_one(Site, site.id)
        try:
            schedule = run_schedule(
                uow,
                site,
                Objective.TOTAL_TARDINESS,
                ProductionSettings(),
                time_limit_s=time_limit_s,
                now=now,
                reason="demo",
            )
        except (NothingToSchedule, NoScheduleFound):
            return None
        publish(uow, schedule.id)
        uow.commit()
        return schedule
