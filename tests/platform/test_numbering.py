"""Document numbers from counter rows: concurrent creators never collide (SQLite and PostgreSQL)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from supplymesh.inventory import orders
from supplymesh.inventory.model import Order
from supplymesh.inventory.schemas import OrderCreate
from supplymesh.platform.numbering import DocumentCounter
from supplymesh.platform.uow import Database
from tests.inventory.world import World, build_world


@pytest.fixture
def world(db: Database) -> World:
    return build_world(db)


def _transfer(db: Database, w: World, number: str | None = None) -> str:
    with w.uow(db, w.buyer) as uow:
        view = orders.create_order(
            uow,
            OrderCreate(
                kind="transfer",
                number=number,
                ship_from_site_id=w.plant,
                ship_to_site_id=w.plant2,
            ),
        )
        uow.commit()
        return view.order.number


def test_concurrent_creations_get_distinct_consecutive_numbers(db: Database, world: World) -> None:
    with ThreadPoolExecutor(max_workers=6) as pool:
        numbers = list(pool.map(lambda _: _transfer(db, world), range(24)))
    assert len(set(numbers)) == 24, numbers
    assert sorted(numbers) == [f"TO-{i:06d}" for i in range(1, 25)]


def test_counter_starts_after_numbers_in_use_and_skips_hand_chosen_ones(
    db: Database, world: World
) -> None:
    assert _transfer(db, world, "TO-000041") == "TO-000041"
    assert _transfer(db, world) == "TO-000042"
    assert _transfer(db, world, "TO-000043") == "TO-000043"
    assert _transfer(db, world) == "TO-000044"
    with world.uow(db, world.buyer) as uow:
        counters = {c.series: c.last for c in uow.session.scalars(select(DocumentCounter))}
        mine = sorted(o.number for o in uow.session.scalars(select(Order)))
    assert counters == {"TO": 44}
    assert mine == ["TO-000041", "TO-000042", "TO-000043", "TO-000044"]


def test_each_enterprise_counts_on_its_own(db: Database, world: World) -> None:
    _transfer(db, world)
    with world.uow(db, world.supplier) as uow:
        assert uow.session.scalars(select(DocumentCounter)).all() == []
