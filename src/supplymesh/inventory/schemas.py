"""Schemas and master-data resources of the inventory context."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from supplymesh.inventory.model import Lot, StockMovement, StockPosition
from supplymesh.network.model import Item
from supplymesh.platform.crud import Reference, Resource
from supplymesh.platform.schemas import Input, Output, Qty, partial


class LotCreate(Input):
    item_id: int | None = None
    item_code: str | None = None
    code: str = Field(min_length=1, max_length=60)
    produced_on: date | None = None
    expires_on: date | None = None
    supplier_enterprise_id: int | None = None
    supplier_lot: str | None = None


class LotPublic(Output):
    id: int
    enterprise_id: int
    item_id: int
    code: str
    produced_on: date | None
    expires_on: date | None
    supplier_enterprise_id: int | None
    supplier_lot: str | None


class StockPositionPublic(Output):
    id: int
    enterprise_id: int
    site_id: int
    item_id: int
    lot: str
    status: str
    on_hand: Qty
    allocated: Qty
    on_order: Qty
    updated_at: datetime
    version: int


class StockMovementPublic(Output):
    id: int
    enterprise_id: int
    site_id: int
    item_id: int
    lot: str
    kind: str
    from_status: str | None
    to_status: str | None
    quantity: Qty
    reference: str | None
    at: datetime
    user_id: int | None


RESOURCES: tuple[Resource, ...] = (
    Resource("lots", Lot, LotCreate, partial(LotCreate, "LotUpdate"), LotPublic, natural_key=("item_id", "code"),
             references=(Reference("item_id", Item, "sku"),), filters=("item_id", "code")),
    Resource("stock-positions", StockPosition, Input, Input, StockPositionPublic, read_only=True,
             filters=("site_id", "item_id", "lot", "status", "enterprise_id")),
    Resource("stock-movements", StockMovement, Input, Input, StockMovementPublic, read_only=True,
             filters=("site_id", "item_id", "lot", "kind", "reference")),
)
