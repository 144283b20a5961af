"""Inventory use cases on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from supplymesh.inventory import orders, positions, shipments, stock
from supplymesh.inventory.model import (
    InsufficientStock,
    Lot,
    Order,
    OrderLocked,
    Shipment,
    StockMovement,
    StockPosition,
)
from supplymesh.inventory.schemas import (
    OrderCreate,
    OrderLineIn,
    OrderUpdate,
    ShipmentCreate,
    ShipmentLineIn,
    StockAdjustment,
    StockAllocation,
    StockIssue,
    StockReceipt,
    StockStatusChange,
    StockTransfer,
)
from supplymesh.network.services import grant
from supplymesh.platform.audit import AuditEntry
from supplymesh.platform.errors import (
    IllegalTransition,
    NotFound,
    PermissionDenied,
    StaleVersion,
    ValidationFailed,
)
from supplymesh.platform.events import OutboxEvent
from supplymesh.platform.uow import Database
from tests.inventory.world import World, build_world

D = Decimal


@pytest.fixture
def world(db: Database) -> World:
    return build_world(db)


def _positions(db: Database, w: World, enterprise: int | None = None) -> dict[tuple, Decimal]:
    with w.uow(db, enterprise or w.buyer) as uow:
        return {
            (p.site_id, p.item_id, p.lot, p.status): p.on_hand
            for p in uow.session.scalars(select(StockPosition))
        }


def _receive(db: Database, w: World, quantity: str, site: int | None = None, **kw: object) -> None:
    with w.uow(db, w.buyer) as uow:
        stock.receive(
            uow,
            StockReceipt(site_id=site or w.plant, item_id=w.widget, quantity=quantity, **kw),
        )
        uow.commit()


# --- stock ------------------------------------------------------------------------------------


def test_receive_creates_the_position_and_one_movement(db: Database, world: World) -> None:
    with world.uow(db, world.buyer) as uow:
        change = stock.receive(
            uow, StockReceipt(site_code="A-PLANT", item_code="WIDGET", quantity="12.5")
        )
        uow.commit()
    assert [(m.kind, m.to_status, m.quantity) for m in change.movements] == [
        ("receipt", "available", D("12.5"))
    ]
    assert _positions(db, world) == {(world.plant, world.widget, "", "available"): D("12.5")}


def test_receiving_a_lot_controlled_item_needs_a_lot_and_records_it_once(
    db: Database, world: World
) -> None:
    with world.uow(db, world.buyer) as uow, pytest.raises(ValidationFailed, match="lot"):
        stock.receive(uow, StockReceipt(site_id=world.plant, item_id=world.resin, quantity="1"))
    for _ in range(2):
        with world.uow(db, world.buyer) as uow:
            stock.receive(
                uow,
                StockReceipt(site_id=world.plant, item_id=world.resin, quantity="1", lot="R-7"),
            )
            uow.commit()
    with world.uow(db, world.buyer) as uow:
        lots = [(lot.item_id, lot.code) for lot in uow.session.scalars(select(Lot))]
    assert lots == [(world.resin, "R-7")]
    assert _positions(db, world)[(world.plant, world.resin, "R-7", "available")] == 2


def test_negative_stock_is_refused_with_item_site_lot_and_quantities(
    db: Database, world: World
) -> None:
    _receive(db, world, "5")
    with world.uow(db, world.buyer) as uow, pytest.raises(InsufficientStock) as err:
        stock.issue(uow, StockIssue(site_id=world.plant, item_id=world.widget, quantity="8"))
    message = err.value.message
    assert "WIDGET" in message and "A-PLANT" in message and "lot -" in message
    assert "5 on hand, 8 requested" in message
    assert _positions(db, world)[(world.plant, world.widget, "", "available")] == 5


def test_allocated_stock_cannot_be_issued_until_released(db: Database, world: World) -> None:
    _receive(db, world, "10")
    ref = {"site_id": world.plant, "item_id": world.widget}
    with world.uow(db, world.buyer) as uow:
        stock.allocate(uow, StockAllocation(**ref, quantity="7"))
        uow.commit()
    with world.uow(db, world.buyer) as uow, pytest.raises(InsufficientStock, match="3 free"):
        stock.issue(uow, StockIssue(**ref, quantity="4"))
    with world.uow(db, world.buyer) as uow:
        stock.deallocate(uow, StockAllocation(**ref, quantity="7"))
        stock.issue(uow, StockIssue(**ref, quantity="4"))
        uow.commit()
    assert _positions(db, world)[(world.plant, world.widget, "", "available")] == 6


def test_transfer_between_own_sites_arrives_in_transit_or_available(
    db: Database, world: World
) -> None:
    _receive(db, world, "10")
    for arrive_as in ("in_transit", "available"):
        with world.uow(db, world.buyer) as uow:
            change = stock.transfer(
                uow,
                StockTransfer(
                    from_site_code="A-PLANT",
                    to_site_code="A-PLANT2",
                    item_code="WIDGET",
                    quantity="3",
                    arrive_as=arrive_as,
                    reference="T-1",
                ),
            )
            uow.commit()
        assert [(m.site_id, m.from_status, m.to_status) for m in change.movements] == [
            (world.plant, "available", None),
            (world.plant2, None, arrive_as),
        ]
    positions = _positions(db, world)
    assert positions[(world.plant, world.widget, "", "available")] == 4
    assert positions[(world.plant2, world.widget, "", "in_transit")] == 3
    assert positions[(world.plant2, world.widget, "", "available")] == 3


def test_stock_moves_only_at_own_sites(db: Database, world: World) -> None:
    shared = StockReceipt(site_id=world.supplier_site, item_id=world.widget, quantity="1")
    with world.uow(db, world.buyer) as uow, pytest.raises(PermissionDenied, match="B-WH"):
        stock.receive(uow, shared)
    hidden = StockReceipt(site_id=world.stranger_site, item_id=world.widget, quantity="1")
    with world.uow(db, world.buyer) as uow, pytest.raises(NotFound):
        stock.receive(uow, hidden)
    with world.uow(db, world.buyer, role="viewer") as uow, pytest.raises(PermissionDenied):
        stock.receive(uow, StockReceipt(site_id=world.plant, item_id=world.widget, quantity="1"))
        uow.commit()


def test_adjust_records_the_counted_difference(db: Database, world: World) -> None:
    _receive(db, world, "10")
    ref = {"site_id": world.plant, "item_id": world.widget}
    with world.uow(db, world.buyer) as uow:
        down = stock.adjust(uow, StockAdjustment(**ref, counted_quantity="7.5"))
        same = stock.adjust(uow, StockAdjustment(**ref, counted_quantity="7.5"))
        up = stock.adjust(uow, StockAdjustment(**ref, counted_quantity="9"))
        uow.commit()
    assert [(m.from_status, m.to_status, m.quantity) for m in down.movements] == [
        ("available", None, D("2.5"))
    ]
    assert same.movements == []
    assert [(m.from_status, m.to_status, m.quantity) for m in up.movements] == [
        (None, "available", D("1.5"))
    ]
    version = up.positions[0].version
    with world.uow(db, world.buyer) as uow, pytest.raises(StaleVersion):
        stock.adjust(uow, StockAdjustment(**ref, counted_quantity="1", version=version - 1))


def test_status_change_is_one_movement_out_of_one_status_into_another(
    db: Database, world: World
) -> None:
    _receive(db, world, "6", status="qc_hold")
    with world.uow(db, world.buyer) as uow:
        change = stock.change_status(
            uow,
            StockStatusChange(
                site_id=world.plant,
                item_id=world.widget,
                quantity="4",
                from_status="qc_hold",
                to_status="available",
            ),
        )
        uow.commit()
    assert [(m.kind, m.from_status, m.to_status) for m in change.movements] == [
        ("status", "qc_hold", "available")
    ]
    positions = _positions(db, world)
    assert positions[(world.plant, world.widget, "", "qc_hold")] == 2
    assert positions[(world.plant, world.widget, "", "available")] == 4


def test_stock_events_reach_the_outbox_in_the_same_transaction(db: Database, world: World) -> None:
    with world.uow(db, world.buyer) as uow:
        stock.receive(uow, StockReceipt(site_id=world.plant, item_id=world.widget, quantity="2"))
        types = set(uow.session.scalars(select(OutboxEvent.type)))
        assert {"StockReceived", "StockMovementCreated", "StockPositionCreated"} <= types
        # leaving without commit rolls the change and its events back together
    with db.system() as uow:
        stocked = select(OutboxEvent.type).where(OutboxEvent.type.like("Stock%"))
        assert list(uow.session.scalars(stocked)) == []
    _receive(db, world, "2")
    with db.system() as uow:
        received = uow.session.scalars(
            select(OutboxEvent).where(OutboxEvent.type == "StockReceived")
        ).one()
    assert received.data["sku"] == "WIDGET" and received.data["quantity"] == "2"
    assert received.enterprise_id == world.buyer


def test_summary_covers_own_sites_and_sites_shared_for_inventory(
    db: Database, world: World
) -> None:
    _receive(db, world, "10")
    with world.uow(db, world.buyer) as uow:
        stock.allocate(
            uow, StockAllocation(site_id=world.plant, item_id=world.widget, quantity="4")
        )
        uow.commit()
    _receive(db, world, "3", status="qc_hold")
    with world.uow(db, world.buyer) as uow:
        page = positions.summary(uow)
        by_status = positions.summary(uow, by_status=True)
    assert [(r.site_id, r.on_hand, r.available, r.allocated, r.free) for r in page.items] == [
        (world.plant, 13, 10, 4, 6)
    ]
    assert sorted((r.status, r.on_hand) for r in by_status.items) == [
        ("available", 10),
        ("qc_hold", 3),
    ]
    with world.uow(db, world.supplier) as uow:
        assert positions.summary(uow).items == []
    with world.uow(db, world.buyer) as uow:
        grant(uow, world.supplier, "site_inventory", world.plant)
        uow.commit()
    with world.uow(db, world.supplier) as uow:
        shared = positions.summary(uow).items
    assert [(r.enterprise_id, r.site_id, r.on_hand) for r in shared] == [
        (world.buyer, world.plant, 13)
    ]
    with db.system() as uow:  # the owner can see that its stock was read, and by whom
        reads = uow.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "read_shared")
        ).all()
        assert [(a.entity, a.entity_id, a.enterprise_id) for a in reads] == [
            ("SiteInventory", world.plant, world.supplier)
        ]
    with world.uow(db, world.stranger) as uow:
        assert positions.summary(uow).total == 0


# --- orders -----------------------------------------------------------------------------------


def _po(db: Database, w: World, quantity: str = "10", release: bool = True) -> int:
    with w.uow(db, w.buyer) as uow:
        view = orders.create_order(
            uow,
            OrderCreate(
                kind="purchase",
                partner_enterprise_code="BBB",
                ship_to_site_code="A-PLANT",
                ship_from_site_id=w.supplier_site,
                lines=[OrderLineIn(item_code="WIDGET", quantity=quantity, unit_price="2.5")],
            ),
        )
        if release:
            orders.release(uow, view.order.id)
        uow.commit()
        return view.order.id


def _on_order(db: Database, w: World) -> Decimal:
    with w.uow(db, w.buyer) as uow:
        return sum((p.on_order for p in uow.session.scalars(select(StockPosition))), start=D(0))


def test_order_numbers_are_generated_per_enterprise_and_kind(db: Database, world: World) -> None:
    _po(db, world, release=False)
    _po(db, world, release=False)
    with world.uow(db, world.buyer) as uow:
        transfer = orders.create_order(
            uow,
            OrderCreate(
                kind="transfer", ship_from_site_id=world.plant, ship_to_site_id=world.plant2
            ),
        )
        numbers = sorted(o.number for o in uow.session.scalars(select(Order)))
    assert transfer.order.number == "TO-000001"
    assert numbers == ["PO-000001", "PO-000002", "TO-000001"]


def test_orders_check_parties_and_sites(db: Database, world: World) -> None:
    cases = [
        (OrderCreate(kind="purchase", ship_to_site_id=world.plant), "supplier"),
        (OrderCreate(kind="purchase", partner_enterprise_id=world.supplier), "ship_to_site_id"),
        (
            OrderCreate(
                kind="transfer", ship_from_site_id=world.plant, ship_to_site_id=world.plant
            ),
            "two different sites",
        ),
        (
            OrderCreate(
                kind="sales", ship_from_site_id=world.plant, partner_enterprise_id=world.buyer
            ),
            "yourself",
        ),
    ]
    for cmd, message in cases:
        with world.uow(db, world.buyer) as uow, pytest.raises(ValidationFailed, match=message):
            orders.create_order(uow, cmd)
    not_partner = OrderCreate(
        kind="purchase", partner_enterprise_id=world.stranger, ship_to_site_id=world.plant
    )
    with world.uow(db, world.buyer) as uow, pytest.raises(NotFound):
        orders.create_order(uow, not_partner)


def test_release_puts_a_purchase_order_on_order_and_cancel_takes_it_back(
    db: Database, world: World
) -> None:
    order_id = _po(db, world, "10")
    assert _on_order(db, world) == 10
    with world.uow(db, world.buyer) as uow:
        orders.cancel(uow, order_id)
        uow.commit()
    assert _on_order(db, world) == 0


def test_only_draft_orders_are_edited_and_edits_need_the_current_version(
    db: Database, world: World
) -> None:
    order_id = _po(db, world, release=False)
    with world.uow(db, world.buyer) as uow:
        version = orders.get_order(uow, order_id).order.version
        view = orders.update_order(
            uow,
            order_id,
            OrderUpdate(
                version=version,
                note="urgent",
                lines=[
                    OrderLineIn(item_id=world.widget, quantity="3"),
                    OrderLineIn(item_id=world.resin, quantity="4"),
                ],
            ),
        )
        uow.commit()
    assert [(ln.line_no, ln.quantity) for ln in view.lines] == [(1, 3), (2, 4)]
    assert view.order.version == version + 1 and view.order.note == "urgent"
    with world.uow(db, world.buyer) as uow, pytest.raises(StaleVersion):
        orders.update_order(uow, order_id, OrderUpdate(version=version, note="late"))
    with world.uow(db, world.buyer) as uow:
        orders.release(uow, order_id)
        uow.commit()
    with world.uow(db, world.buyer) as uow, pytest.raises(OrderLocked):
        orders.update_order(uow, order_id, OrderUpdate(version=version + 2, note="late"))
    with world.uow(db, world.buyer) as uow, pytest.raises(IllegalTransition) as err:
        orders.release(uow, order_id)
    assert err.value.current_state == "released"
    assert err.value.allowed_transitions == [
        "confirmed",
        "partially_shipped",
        "shipped",
        "cancelled",
    ]


def test_the_supplier_reads_the_purchase_order_but_cannot_change_it(
    db: Database, world: World
) -> None:
    order_id = _po(db, world)
    with world.uow(db, world.supplier) as uow:
        view = orders.get_order(uow, order_id)
        assert view.order.number == "PO-000001" and len(view.lines) == 1
        assert orders.list_orders(uow).total == 1
        for action in (orders.confirm, orders.cancel):
            with pytest.raises(PermissionDenied):
                action(uow, order_id)
    with world.uow(db, world.stranger) as uow:
        with pytest.raises(NotFound):
            orders.get_order(uow, order_id)
        assert orders.list_orders(uow).total == 0


# --- shipments --------------------------------------------------------------------------------


def test_purchase_flow_receives_at_the_buyers_site(db: Database, world: World) -> None:
    order_id = _po(db, world, "10")
    with world.uow(db, world.buyer) as uow:
        first = shipments.create_shipment(
            uow,
            ShipmentCreate(
                order_id=order_id,
                lines=[
                    ShipmentLineIn(
                        order_line_id=orders.get_order(uow, order_id).lines[0].id, quantity="4"
                    )
                ],
            ),
        )
        rest = shipments.create_shipment(uow, ShipmentCreate(order_id=order_id))
        uow.commit()
    assert [ln.quantity for ln in rest.lines] == [6]
    assert first.shipment.from_site_id == world.supplier_site
    with world.uow(db, world.buyer) as uow:
        shipments.ship(uow, first.shipment.id)
        shipments.deliver(uow, first.shipment.id)
        uow.commit()
        assert orders.get_order(uow, order_id).order.status == "partially_shipped"
    assert _on_order(db, world) == 6
    with world.uow(db, world.buyer) as uow:
        shipments.ship(uow, rest.shipment.id)
        assert orders.get_order(uow, order_id).order.status == "shipped"
        shipments.deliver(uow, rest.shipment.id, into_status="qc_hold")
        uow.commit()
    with world.uow(db, world.buyer) as uow:
        view = orders.get_order(uow, order_id)
    assert view.order.status == "received"
    assert [(ln.quantity_shipped, ln.quantity_received) for ln in view.lines] == [(10, 10)]
    assert _on_order(db, world) == 0
    positions = _positions(db, world)
    assert positions[(world.plant, world.widget, "", "available")] == 4
    assert positions[(world.plant, world.widget, "", "qc_hold")] == 6
    with world.uow(db, world.supplier) as uow:
        assert shipments.list_shipments(uow, order_id=order_id).total == 2
    with db.system() as uow:
        changes = [
            (e.type, e.data["to"])
            for e in uow.session.scalars(
                select(OutboxEvent)
                .where(OutboxEvent.type.in_(["OrderStatusChanged", "ShipmentStatusChanged"]))
                .order_by(OutboxEvent.id)
            )
        ]
    assert changes[0] == ("OrderStatusChanged", "released")
    assert changes[-2:] == [
        ("ShipmentStatusChanged", "delivered"),
        ("OrderStatusChanged", "received"),
    ]


def test_shipments_cannot_exceed_what_is_left_on_the_order(db: Database, world: World) -> None:
    order_id = _po(db, world, "10")
    with world.uow(db, world.buyer) as uow:
        line_id = orders.get_order(uow, order_id).lines[0].id
        shipments.create_shipment(
            uow,
            ShipmentCreate(
                order_id=order_id, lines=[ShipmentLineIn(order_line_id=line_id, quantity="7")]
            ),
        )
        with pytest.raises(ValidationFailed, match="3 left to ship, 4 requested"):
            shipments.create_shipment(
                uow,
                ShipmentCreate(
                    order_id=order_id, lines=[ShipmentLineIn(order_line_id=line_id, quantity="4")]
                ),
            )


def test_transfer_order_flow_moves_stock_through_transit(db: Database, world: World) -> None:
    _receive(db, world, "10")
    with world.uow(db, world.buyer) as uow:
        view = orders.create_order(
            uow,
            OrderCreate(
                kind="transfer",
                ship_from_site_code="A-PLANT",
                ship_to_site_code="A-PLANT2",
                lines=[OrderLineIn(item_code="WIDGET", quantity="4")],
            ),
        )
        orders.release(uow, view.order.id)
        sent = shipments.create_shipment(uow, ShipmentCreate(order_number=view.order.number))
        shipments.ship(uow, sent.shipment.id)
        uow.commit()
    positions = _positions(db, world)
    assert positions[(world.plant, world.widget, "", "available")] == 6
    assert positions[(world.plant2, world.widget, "", "in_transit")] == 4
    with world.uow(db, world.buyer) as uow:
        shipments.deliver(uow, sent.shipment.id)
        uow.commit()
        assert orders.get_order(uow, view.order.id).order.status == "received"
    positions = _positions(db, world)
    assert positions[(world.plant2, world.widget, "", "in_transit")] == 0
    assert positions[(world.plant2, world.widget, "", "available")] == 4


def test_sales_shipment_issues_stock_and_refuses_to_go_negative(db: Database, world: World) -> None:
    _receive(db, world, "3")
    with world.uow(db, world.buyer) as uow:
        view = orders.create_order(
            uow,
            OrderCreate(
                kind="sales",
                ship_from_site_id=world.plant,
                ship_to_site_id=world.plant2,
                lines=[OrderLineIn(item_id=world.widget, quantity="5")],
            ),
        )
        orders.release(uow, view.order.id)
        planned = shipments.create_shipment(uow, ShipmentCreate(order_id=view.order.id))
        uow.commit()
    with world.uow(db, world.buyer) as uow, pytest.raises(InsufficientStock, match="WIDGET"):
        shipments.ship(uow, planned.shipment.id)
    _receive(db, world, "2")
    with world.uow(db, world.buyer) as uow:
        shipments.ship(uow, planned.shipment.id)
        shipments.deliver(uow, planned.shipment.id)
        uow.commit()
        assert orders.get_order(uow, view.order.id).order.status == "received"
    positions = _positions(db, world)
    assert positions[(world.plant, world.widget, "", "available")] == 0
    assert (world.plant2, world.widget, "", "available") not in positions


def test_cancelling_an_order_cancels_its_planned_shipments(db: Database, world: World) -> None:
    order_id = _po(db, world)
    with world.uow(db, world.buyer) as uow:
        planned = shipments.create_shipment(uow, ShipmentCreate(order_id=order_id))
        orders.cancel(uow, order_id)
        uow.commit()
    with world.uow(db, world.buyer) as uow:
        shipment = uow.session.get(Shipment, planned.shipment.id)
        assert shipment is not None and shipment.status == "cancelled"
        moves = list(uow.session.scalars(select(StockMovement)))
    assert moves == []
