"""Stock use cases: receive, issue, transfer, count, change status, allocate.

Every change of on-hand goes through `StockLedger`, which changes the position(s) and writes
exactly one `StockMovement`, so each position always equals the sum of its movements
(`StockMovement.delta_for`). A status change is one movement, out of one status and into the
other at the same site; a transfer is two (out at the source, in at the destination) because
a movement belongs to one site. Each use case flushes; the caller commits once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from supplymesh.inventory import refs
from supplymesh.inventory.model import (
    InsufficientStock,
    Lot,
    MovementKind,
    StockMovement,
    StockPosition,
    StockStatus,
)
from supplymesh.inventory.schemas import (
    StockAdjustment,
    StockAllocation,
    StockIssue,
    StockReceipt,
    StockStatusChange,
    StockTransfer,
)
from supplymesh.network.model import Item, Site
from supplymesh.platform.db import utcnow
from supplymesh.platform.errors import StaleVersion, invalid
from supplymesh.platform.events import DomainEvent
from supplymesh.platform.uow import UnitOfWork


@dataclass(frozen=True)
class StockChange:
    """What a stock command wrote: its movements and the positions they changed."""

    movements: list[StockMovement] = field(default_factory=list)
    positions: list[StockPosition] = field(default_factory=list)


class StockLedger:
    """Changes positions at the caller's own sites, one movement per change."""

    def __init__(self, uow: UnitOfWork, reference: str | None = None) -> None:
        self.uow = uow
        self.reference = reference
        self.movements: list[StockMovement] = []
        self.positions: list[StockPosition] = []

    def owner_of(self, site: Site) -> int:
        """Whose stock this ledger keeps at `site`: the site's owner, who must be the caller.

        A ledger of material consigned to another enterprise's site overrides this.
        """
        refs.require_own_site(self.uow, site)
        return site.enterprise_id

    def position(
        self, site: Site, item: Item, lot: str, status: str, create: bool = True
    ) -> StockPosition | None:
        """The owner's position (locked for update on PostgreSQL), created empty if missing."""
        owner = self.owner_of(site)
        query = (
            select(StockPosition)
            .where(
                StockPosition.enterprise_id == owner,
                StockPosition.site_id == site.id,
                StockPosition.item_id == item.id,
                StockPosition.lot == lot,
                StockPosition.status == status,
            )
            .with_for_update()
        )
        pos = self.uow.session.scalar(query)
        if pos is None and create:
            pos = StockPosition.empty(site.id, item.id, lot, status)
            pos.enterprise_id = owner
            self.uow.add(pos)
        if pos is not None and pos not in self.positions:
            self.positions.append(pos)
        return pos

    def move(
        self,
        site: Site,
        item: Item,
        lot: str,
        quantity: Decimal,
        kind: MovementKind,
        from_status: str | None,
        to_status: str | None,
    ) -> StockPosition:
        """Take `quantity` out of `from_status` and/or put it into `to_status`.

        Returns the position the stock went into, or came out of when it went nowhere.
        """
        touched: StockPosition | None = None
        if from_status is not None:
            touched = self._position(site, item, lot, from_status)
            touched.apply(-quantity, item.sku, site.code)
        if to_status is not None:
            touched = self._position(site, item, lot, to_status)
            touched.apply(quantity, item.sku, site.code)
        assert touched is not None, "a movement goes out of or into a status"
        self.record_movement(site, item, lot, quantity, kind, from_status, to_status)
        return touched

    def record_movement(
        self,
        site: Site,
        item: Item,
        lot: str,
        quantity: Decimal,
        kind: MovementKind,
        from_status: str | None,
        to_status: str | None,
    ) -> StockMovement:
        """Write the movement for a change already applied to the positions."""
        movement = StockMovement(
            enterprise_id=self.owner_of(site),
            site_id=site.id,
            item_id=item.id,
            lot=lot,
            kind=kind.value,
            from_status=from_status,
            to_status=to_status,
            quantity=quantity,
            reference=self.reference,
            at=utcnow(),
            user_id=self.uow.ctx.user_id,
        )
        self.uow.add(movement)
        self.movements.append(movement)
        return movement

    def expect(self, site: Site, item: Item, delta: Decimal) -> StockPosition:
        """Change what is on order at a site (no movement: nothing physical moved)."""
        pos = self._position(site, item, "", StockStatus.AVAILABLE)
        if delta == 0:
            return pos
        before = pos.on_order
        pos.expect(delta)
        event_data = _event_data(site, item, pos, self.reference)
        pos.record(
            DomainEvent("StockOnOrderChanged", {**event_data, "delta": pos.on_order - before})
        )
        return pos

    def event(self, pos: StockPosition, site: Site, item: Item, type_: str, **data: Any) -> None:
        """Record a named stock event on the position."""
        pos.record(DomainEvent(type_, {**_event_data(site, item, pos, self.reference), **data}))

    def result(self) -> StockChange:
        self.uow.flush()
        return StockChange(list(self.movements), list(self.positions))

    def _position(self, site: Site, item: Item, lot: str, status: str) -> StockPosition:
        pos = self.position(site, item, lot, status)
        assert pos is not None
        return pos


def _event_data(
    site: Site, item: Item, pos: StockPosition, reference: str | None
) -> dict[str, Any]:
    return {
        "site_id": site.id,
        "site_code": site.code,
        "item_id": item.id,
        "sku": item.sku,
        "lot": pos.lot,
        "status": pos.status,
        "on_hand": pos.on_hand,
        "reference": reference,
    }


def ensure_lot(
    uow: UnitOfWork,
    site: Site,
    item: Item,
    lot: str,
    produced_on: date | None = None,
    expires_on: date | None = None,
    supplier_lot: str | None = None,
) -> None:
    """A lot-controlled item needs a lot; a lot seen for the first time gets its `Lot` row."""
    if not item.lot_controlled:
        return
    if not lot:
        raise invalid("lot", f"item {item.sku} is lot-controlled: give a lot")
    exists = uow.session.scalar(
        select(Lot.id).where(
            Lot.enterprise_id == site.enterprise_id, Lot.item_id == item.id, Lot.code == lot
        )
    )
    if exists is None:
        uow.add(
            Lot(
                enterprise_id=site.enterprise_id,
                item_id=item.id,
                code=lot,
                produced_on=produced_on,
                expires_on=expires_on,
                supplier_lot=supplier_lot,
            )
        )


def receive(uow: UnitOfWork, cmd: StockReceipt) -> StockChange:
    """Put goods into a status at one of the caller's sites."""
    site = refs.own_site(uow, cmd.site_id, cmd.site_code)
    item = refs.item(uow, cmd.item_id, cmd.item_code)
    ensure_lot(uow, site, item, cmd.lot, cmd.produced_on, cmd.expires_on, cmd.supplier_lot)
    ledger = StockLedger(uow, cmd.reference)
    pos = ledger.move(site, item, cmd.lot, cmd.quantity, MovementKind.RECEIPT, None, cmd.status)
    ledger.event(pos, site, item, "StockReceived", quantity=cmd.quantity)
    return ledger.result()


def issue(uow: UnitOfWork, cmd: StockIssue) -> StockChange:
    """Take goods out of a status at one of the caller's sites; never below zero or allocated."""
    site = refs.own_site(uow, cmd.site_id, cmd.site_code)
    item = refs.item(uow, cmd.item_id, cmd.item_code)
    ledger = StockLedger(uow, cmd.reference)
    pos = ledger.move(site, item, cmd.lot, cmd.quantity, MovementKind.ISSUE, cmd.status, None)
    ledger.event(pos, site, item, "StockIssued", quantity=cmd.quantity)
    return ledger.result()


def transfer(uow: UnitOfWork, cmd: StockTransfer) -> StockChange:
    """Move goods between two of the caller's sites, arriving in transit or available."""
    source = refs.own_site(uow, cmd.from_site_id, cmd.from_site_code, "from_site_id")
    target = refs.own_site(uow, cmd.to_site_id, cmd.to_site_code, "to_site_id")
    if source.id == target.id:
        raise invalid("to_site_id", "a transfer needs two different sites")
    if source.enterprise_id != target.enterprise_id:
        raise invalid("to_site_id", "a transfer stays within one enterprise")
    item = refs.item(uow, cmd.item_id, cmd.item_code)
    ledger = StockLedger(uow, cmd.reference)
    move_between(
        ledger, source, target, item, cmd.lot, cmd.quantity, cmd.from_status, cmd.arrive_as
    )
    return ledger.result()


def move_between(
    ledger: StockLedger,
    source: Site,
    target: Site,
    item: Item,
    lot: str,
    quantity: Decimal,
    from_status: str,
    arrive_as: str,
) -> None:
    """Out of `source` and into `target`: two movements, one `StockTransferred` event."""
    out_position = ledger.move(
        source, item, lot, quantity, MovementKind.TRANSFER, from_status, None
    )
    ledger.move(target, item, lot, quantity, MovementKind.TRANSFER, None, arrive_as)
    ledger.event(
        out_position,
        source,
        item,
        "StockTransferred",
        quantity=quantity,
        to_site_id=target.id,
        to_site_code=target.code,
        arrive_as=arrive_as,
    )


def adjust(uow: UnitOfWork, cmd: StockAdjustment) -> StockChange:
    """Set a position to a counted quantity, recording the difference as one adjustment."""
    site = refs.own_site(uow, cmd.site_id, cmd.site_code)
    item = refs.item(uow, cmd.item_id, cmd.item_code)
    ledger = StockLedger(uow, cmd.reference)
    pos = ledger.position(site, item, cmd.lot, cmd.status, create=cmd.counted_quantity > 0)
    if pos is None:  # counted nothing where nothing was: no change to record
        return ledger.result()
    if cmd.version is not None and pos.id is not None and pos.version != cmd.version:
        raise StaleVersion("StockPosition", pos.id, cmd.version, pos.version)
    allocated_before = pos.allocated
    delta = pos.count(cmd.counted_quantity)
    if delta != 0:
        into, out_of = (cmd.status, None) if delta > 0 else (None, cmd.status)
        ledger.record_movement(
            site, item, cmd.lot, abs(delta), MovementKind.ADJUSTMENT, out_of, into
        )
        ledger.event(
            pos,
            site,
            item,
            "StockAdjusted",
            delta=delta,
            allocation_cut=allocated_before - pos.allocated,
        )
    return ledger.result()


def change_status(uow: UnitOfWork, cmd: StockStatusChange) -> StockChange:
    """Move stock from one status to another at the same site (one movement)."""
    if cmd.from_status == cmd.to_status:
        raise invalid("to_status", "from_status and to_status are the same")
    site = refs.own_site(uow, cmd.site_id, cmd.site_code)
    item = refs.item(uow, cmd.item_id, cmd.item_code)
    ledger = StockLedger(uow, cmd.reference)
    pos = ledger.move(
        site, item, cmd.lot, cmd.quantity, MovementKind.STATUS, cmd.from_status, cmd.to_status
    )
    ledger.event(
        pos,
        site,
        item,
        "StockStatusChanged",
        quantity=cmd.quantity,
        from_status=cmd.from_status.value,
    )
    return ledger.result()


def allocate(uow: UnitOfWork, cmd: StockAllocation) -> StockChange:
    """Promise available, unallocated stock (no movement: nothing physical moved)."""
    site = refs.own_site(uow, cmd.site_id, cmd.site_code)
    item = refs.item(uow, cmd.item_id, cmd.item_code)
    ledger = StockLedger(uow, cmd.reference)
    pos = ledger.position(site, item, cmd.lot, StockStatus.AVAILABLE, create=False)
    if pos is None:
        raise InsufficientStock(
            item.sku, site.code, cmd.lot, StockStatus.AVAILABLE, Decimal(0), cmd.quantity, "free"
        )
    pos.allocate(cmd.quantity, item.sku, site.code)
    ledger.event(pos, site, item, "StockAllocated", quantity=cmd.quantity)
    return ledger.result()


def deallocate(uow: UnitOfWork, cmd: StockAllocation) -> StockChange:
    """Release a promise of stock."""
    site = refs.own_site(uow, cmd.site_id, cmd.site_code)
    item = refs.item(uow, cmd.item_id, cmd.item_code)
    ledger = StockLedger(uow, cmd.reference)
    pos = ledger.position(site, item, cmd.lot, StockStatus.AVAILABLE, create=False)
    if pos is None:
        raise InsufficientStock(
            item.sku,
            site.code,
            cmd.lot,
            StockStatus.AVAILABLE,
            Decimal(0),
            cmd.quantity,
            "allocated",
        )
    pos.deallocate(cmd.quantity, item.sku, site.code)
    ledger.event(pos, site, item, "StockDeallocated", quantity=cmd.quantity)
    return ledger.result()
