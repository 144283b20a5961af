"""Whatever sequence of stock commands runs, every position equals the sum of its movements."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from supplymesh.inventory import stock
from supplymesh.inventory.model import InventoryError, StockMovement, StockPosition
from supplymesh.inventory.schemas import (
    StockAdjustment,
    StockAllocation,
    StockIssue,
    StockReceipt,
    StockStatusChange,
    StockTransfer,
)
from supplymesh.platform.errors import ValidationFailed
from supplymesh.platform.uow import Database
from tests.inventory.world import World, build_world

quantities = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(20), places=2)
lots = st.sampled_from(["", "L1"])
statuses = st.sampled_from(["available", "qc_hold", "blocked"])
sites = st.sampled_from(["A-PLANT", "A-PLANT2"])

operations = st.one_of(
    st.builds(
        lambda s, lot, status, q: (
            stock.receive,
            StockReceipt(site_code=s, item_code="WIDGET", lot=lot, status=status, quantity=q),
        ),
        sites,
        lots,
        statuses,
        quantities,
    ),
    st.builds(
        lambda s, lot, status, q: (
            stock.issue,
            StockIssue(site_code=s, item_code="WIDGET", lot=lot, status=status, quantity=q),
        ),
        sites,
        lots,
        statuses,
        quantities,
    ),
    st.builds(
        lambda s, lot, status, q: (
            stock.adjust,
            StockAdjustment(
                site_code=s, item_code="WIDGET", lot=lot, status=status, counted_quantity=q
            ),
        ),
        sites,
        lots,
        statuses,
        quantities,
    ),
    st.builds(
        lambda s, lot, a, b, q: (
            stock.change_status,
            StockStatusChange(
                site_code=s, item_code="WIDGET", lot=lot, from_status=a, to_status=b, quantity=q
            ),
        ),
        sites,
        lots,
        statuses,
        statuses,
        quantities,
    ),
    st.builds(
        lambda s, lot, arrive, q: (
            stock.transfer,
            StockTransfer(
                from_site_code=s,
                to_site_code="A-PLANT2" if s == "A-PLANT" else "A-PLANT",
                item_code="WIDGET",
                lot=lot,
                arrive_as=arrive,
                quantity=q,
            ),
        ),
        sites,
        lots,
        st.sampled_from(["in_transit", "available"]),
        quantities,
    ),
    st.builds(
        lambda s, lot, q: (
            stock.allocate,
            StockAllocation(site_code=s, item_code="WIDGET", lot=lot, quantity=q),
        ),
        sites,
        lots,
        quantities,
    ),
)


def _check(db: Database, world: World) -> None:
    with world.uow(db, world.buyer) as uow:
        sums: dict[tuple[Any, ...], Decimal] = defaultdict(Decimal)
        positions = list(uow.session.scalars(select(StockPosition)))
        for move in uow.session.scalars(select(StockMovement)):
            for p in positions:
                if (p.site_id, p.item_id, p.lot) == (move.site_id, move.item_id, move.lot):
                    sums[(p.site_id, p.item_id, p.lot, p.status)] += move.delta_for(p.status)
        for p in positions:
            assert p.on_hand == sums[(p.site_id, p.item_id, p.lot, p.status)], p.status
            assert p.on_hand >= 0 and 0 <= p.allocated <= p.on_hand


def test_positions_equal_the_sum_of_their_movements(db: Database) -> None:
    world = build_world(db)

    @settings(
        max_examples=15,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(st.lists(operations, min_size=1, max_size=8))
    def run(ops: list[tuple[Any, Any]]) -> None:
        for use_case, command in ops:
            with world.uow(db, world.buyer) as uow:
                try:
                    use_case(uow, command)
                except (InventoryError, ValidationFailed):
                    continue  # refused commands change nothing
                uow.commit()
        _check(db, world)

    run()
