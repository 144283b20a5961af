"""Pure rules of the inventory model: positions, movements, order and shipment states."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from supplymesh.inventory.model import (
    InsufficientStock,
    InventoryError,
    MovementKind,
    Order,
    OrderKind,
    OrderLine,
    OrderLocked,
    OrderStatus,
    Shipment,
    ShipmentStatus,
    StockMovement,
    StockPosition,
    StockStatus,
)
from supplymesh.platform.errors import IllegalTransition

D = Decimal


def _position(on_hand: str = "0", allocated: str = "0", status: str = "available") -> StockPosition:
    pos = StockPosition.empty(site_id=1, item_id=2, lot="L1", status=status)
    pos.on_hand, pos.allocated = D(on_hand), D(allocated)
    return pos


def _order(kind: str = OrderKind.PURCHASE, status: str = OrderStatus.DRAFT) -> Order:
    return Order(number="PO-000001", kind=kind, status=status, order_date=date(2026, 1, 5))


def _line(quantity: str, shipped: str = "0", received: str = "0") -> OrderLine:
    return OrderLine(
        line_no=1,
        item_id=2,
        quantity=D(quantity),
        quantity_shipped=D(shipped),
        quantity_received=D(received),
    )


def test_a_new_position_holds_nothing() -> None:
    pos = StockPosition.empty(1, 2, "", StockStatus.AVAILABLE)
    assert (pos.on_hand, pos.allocated, pos.on_order, pos.free) == (0, 0, 0, 0)


def test_apply_adds_and_removes_exact_decimals() -> None:
    pos = _position("1.1")
    pos.apply(D("2.2"))
    pos.apply(D("-0.3"))
    assert pos.on_hand == D("3.0")


def test_apply_refuses_negative_stock_naming_item_site_lot_and_quantities() -> None:
    pos = _position("5")
    with pytest.raises(InsufficientStock) as err:
        pos.apply(D("-8"), item="WIDGET", site="A-PLANT")
    assert "WIDGET" in err.value.message and "A-PLANT" in err.value.message
    assert "L1" in err.value.message and "5" in err.value.message and "8" in err.value.message
    assert err.value.status == 409
    assert pos.on_hand == 5


def test_apply_refuses_to_issue_allocated_stock() -> None:
    pos = _position("10", allocated="7")
    with pytest.raises(InsufficientStock, match="3 free, 4 requested"):
        pos.apply(D("-4"))
    pos.apply(D("-3"))
    assert (pos.on_hand, pos.free) == (7, 0)


def test_allocate_only_free_available_stock() -> None:
    pos = _position("10")
    pos.allocate(D("6"))
    with pytest.raises(InsufficientStock):
        pos.allocate(D("5"))
    pos.deallocate(D("2"))
    assert (pos.allocated, pos.free) == (4, 6)
    with pytest.raises(InsufficientStock):
        pos.deallocate(D("5"))
    with pytest.raises(InventoryError, match="only available stock"):
        _position("10", status=StockStatus.QC_HOLD).allocate(D("1"))


def test_count_sets_on_hand_and_cuts_allocation_to_the_count() -> None:
    pos = _position("10", allocated="8")
    assert pos.count(D("6")) == D("-4")
    assert (pos.on_hand, pos.allocated) == (6, 6)
    assert pos.count(D("9")) == D("3")
    with pytest.raises(ValueError):
        pos.count(D("-1"))


def test_on_order_never_drops_below_zero() -> None:
    pos = _position()
    pos.expect(D("5"))
    pos.expect(D("-7"))
    assert pos.on_order == 0


def test_movement_deltas_per_status() -> None:
    move = StockMovement(
        kind=MovementKind.STATUS,
        from_status=StockStatus.QC_HOLD,
        to_status=StockStatus.AVAILABLE,
        quantity=D("4"),
    )
    assert move.delta_for(StockStatus.QC_HOLD) == D("-4")
    assert move.delta_for(StockStatus.AVAILABLE) == D("4")
    assert move.delta_for(StockStatus.BLOCKED) == 0
    receipt = StockMovement(kind="receipt", from_status=None, to_status="available", quantity=D(2))
    assert receipt.delta_for("available") == 2


def test_order_follows_its_state_machine_and_records_events() -> None:
    order = _order()
    order.transition(OrderStatus.RELEASED)
    order.transition(OrderStatus.CONFIRMED)
    assert order.allowed_transitions == ["partially_shipped", "shipped", "cancelled"]
    events = order.pop_events()
    assert [(e.type, e.data["from"], e.data["to"]) for e in events] == [
        ("OrderStatusChanged", "draft", "released"),
        ("OrderStatusChanged", "released", "confirmed"),
    ]


def test_illegal_order_transition_names_the_allowed_ones() -> None:
    order = _order()
    with pytest.raises(IllegalTransition) as err:
        order.transition(OrderStatus.SHIPPED)
    assert err.value.current_state == "draft"
    assert err.value.allowed_transitions == ["released", "cancelled"]
    assert order.status == OrderStatus.DRAFT


def test_only_drafts_are_edited() -> None:
    _order().require_draft("be changed")
    with pytest.raises(OrderLocked, match="released"):
        _order(status=OrderStatus.RELEASED).require_draft("be changed")


def test_shipping_and_delivery_move_the_order_by_its_lines() -> None:
    order = _order(status=OrderStatus.RELEASED)
    lines = [_line("10", shipped="4"), _line("5", shipped="5")]
    order.after_shipping(lines)
    assert order.status == OrderStatus.PARTIALLY_SHIPPED
    lines[0].quantity_shipped = D(10)
    order.after_shipping(lines)
    assert order.status == OrderStatus.SHIPPED
    lines[0].quantity_received, lines[1].quantity_received = D(10), D(4)
    order.after_delivery(lines)
    assert order.status == OrderStatus.SHIPPED
    lines[1].quantity_received = D(5)
    order.after_delivery(lines)
    assert order.status == OrderStatus.RECEIVED


def test_a_purchase_order_expects_stock_only_while_open() -> None:
    assert not _order().expects_stock
    assert _order(status=OrderStatus.RELEASED).expects_stock
    assert not _order(status=OrderStatus.RECEIVED).expects_stock
    assert not _order(kind=OrderKind.SALES, status=OrderStatus.RELEASED).expects_stock
    assert _line("10", received="4").still_expected == 6
    assert _line("10", received="12").still_expected == 0


def test_a_draft_cannot_ship() -> None:
    with pytest.raises(IllegalTransition):
        _order().require_shippable()


def test_shipment_stamps_its_times() -> None:
    shipment = Shipment(number="SH-1", status=ShipmentStatus.PLANNED)
    shipment.transition(ShipmentStatus.SHIPPED)
    assert shipment.shipped_at is not None and shipment.allowed_transitions == ["delivered"]
    with pytest.raises(IllegalTransition):
        shipment.transition(ShipmentStatus.CANCELLED)
