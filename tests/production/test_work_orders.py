"""Work orders from sales-order shortfalls, and the demo's work orders (one level of BOM)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from supplymesh.inventory import orders
from supplymesh.inventory.model import OrderKind
from supplymesh.inventory.schemas import OrderCreate, OrderLineIn
from supplymesh.network.model import Site
from supplymesh.platform.uow import Database
from supplymesh.production.builder import operations_of
from supplymesh.production.demo import add_demo_work_orders
from supplymesh.production.model import WorkOrder
from supplymesh.production.work_orders import create_from_sales
from tests.production.test_builder import FRIDAY_4PM
from tests.production.world import build_world


def test_sales_shortfalls_become_work_orders_net_of_stock_and_open_work(db: Database) -> None:
    world = build_world(db)
    world.stock("P1", 10)
    world.work_order("P1", 15, FRIDAY_4PM)
    with db.unit_of_work(world.ctx) as uow:
        draft = orders.create_order(
            uow,
            OrderCreate(
                kind=OrderKind.SALES,
                ship_from_site_code="P1",
                requested_date=date(2026, 3, 10),
                lines=[
                    OrderLineIn(item_code="P1", quantity=Decimal(50)),
                    OrderLineIn(item_code="P2", quantity=Decimal(20)),
                    OrderLineIn(item_code="C1", quantity=Decimal(5)),  # bought, never made
                ],
            ),
        )
        orders.release(uow, draft.order.id)
        uow.commit()
    with db.unit_of_work(world.ctx) as uow:
        site = uow.session.get_one(Site, world.site_id)
        made = create_from_sales(uow, site)
        uow.commit()
        again = create_from_sales(uow, site)
    by_item = {world.items["P1"]: "P1", world.items["P2"]: "P2"}
    assert sorted((by_item[o.item_id], o.quantity) for o in made) == [
        ("P1", Decimal(25)),  # 50 ordered − 10 in stock − 15 already in work
        ("P2", Decimal(20)),
    ]
    assert all(o.sales_order_id == draft.order.id for o in made)
    assert all(o.due_at == datetime(2026, 3, 10, tzinfo=UTC) for o in made)
    assert again == []  # the new work orders now cover the need


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_demo_gets_work_orders_and_a_published_schedule(demo_db: Database) -> None:
    schedule = add_demo_work_orders(demo_db, count=4, time_limit_s=1)
    assert schedule is not None and schedule.status == "published"
    with demo_db.system() as uow:
        assert len(uow.session.scalars(select(WorkOrder)).all()) == 4
        assert operations_of(uow, schedule.id)
