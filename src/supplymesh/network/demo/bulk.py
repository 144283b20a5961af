"""Bulk writes: stock, lots and orders through Core, and millions of demand rows fast.

The inventory tables belong to the inventory context, which sits above `network` in the layer
contract; the demo therefore reaches them through the shared metadata by name (they are
registered once `supplymesh.bootstrap.load_models` has run, as `build_database` does) rather
than by importing that context.

Demand rows skip SQLAlchemy's per-value type processing: quantities are passed as the scaled
integers the `Quantity` column stores, days as ISO strings (SQLite's storage of `Date`) or
through PostgreSQL's COPY, in chunks, all inside the caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import repeat
from typing import Any

import numpy as np
from sqlalchemy import Connection, Table, insert

from supplymesh.network.demo.companies import CORE, RETAILER
from supplymesh.network.demo.demand import DemandHistory
from supplymesh.network.demo.ids import Ids
from supplymesh.network.demo.scale import AS_OF
from supplymesh.network.demo.stock import StockPlan
from supplymesh.platform.db import Base
from supplymesh.platform.types import QUANTITY_PLACES

CHUNK_ROWS = 50_000
SCALE = 10**QUANTITY_PLACES
DEMAND_COLUMNS = ("enterprise_id", "site_id", "item_id", "day", "quantity", "on_promotion")


def table(name: str) -> Table:
    """A table of the shared metadata; a clear error when its model was never imported."""
    try:
        return Base.metadata.tables[name]
    except KeyError:
        raise RuntimeError(
            f"table {name!r} is not mapped: build the Database with "
            "supplymesh.bootstrap.build_database (it imports every context's models)"
        ) from None


def write_inventory(conn: Connection, ids: Ids, plan: StockPlan) -> None:
    """Lots, stock positions with an opening-balance movement each, orders and their lines."""
    ent = ids.enterprise
    lots = [
        dict(
            enterprise_id=ent[CORE],
            item_id=ids.item[lot.sku],
            code=lot.code,
            produced_on=lot.produced_on,
            expires_on=lot.expires_on,
            supplier_enterprise_id=None if lot.supplier is None else ent[lot.supplier],
            supplier_lot=None if lot.supplier is None else f"{lot.supplier[:2]}{lot.code[1:]}",
        )
        for lot in plan.lots
    ]
    positions, movements = [], []
    for p in plan.positions:
        key = dict(
            enterprise_id=ent[p.owner], site_id=ids.of(p.site), item_id=ids.item[p.sku], lot=p.lot
        )
        positions.append(
            key
            | dict(
                status=p.status,
                on_hand=p.on_hand,
                allocated=Decimal(0),
                on_order=p.on_order,
                updated_at=AS_OF,
            )
        )
        if p.on_hand:  # the position is the sum of its movements: record the opening balance
            movements.append(
                key
                | dict(
                    kind="adjustment",
                    to_status=p.status,
                    quantity=p.on_hand,
                    reference="OPENING-BALANCE",
                    at=AS_OF,
                )
            )
    for name, rows in (
        ("lots", lots),
        ("stock_positions", positions),
        ("stock_movements", movements),
    ):
        if rows:
            conn.execute(insert(table(name)), rows)
    lines = _write_orders(conn, ids, plan)
    ids.counts |= {"lots": len(lots), "stock_positions": len(positions), "orders": len(plan.orders)}
    ids.counts |= {"stock_movements": len(movements), "order_lines": lines}


def _write_orders(conn: Connection, ids: Ids, plan: StockPlan) -> int:
    ent = ids.enterprise
    orders, lines = table("orders"), []
    for o in plan.orders:
        party = dict(
            enterprise_id=ent[o.owner],
            partner_enterprise_id=None if o.partner is None else ent[o.partner],
        )
        row = party | dict(
            number=o.number,
            kind=o.kind,
            status=o.status,
            ship_from_site_id=ids.of(o.ship_from),
            ship_to_site_id=ids.of(o.ship_to),
            order_date=o.order_date,
            requested_date=o.requested,
            note=o.note,
            created_at=AS_OF,
        )
        order_id = conn.execute(insert(orders).returning(orders.c.id), row).scalar_one()
        for n, line in enumerate(o.lines, start=1):
            lines.append(
                party
                | dict(
                    order_id=order_id,
                    line_no=n,
                    item_id=ids.item[line.sku],
                    quantity=line.quantity,
                    unit_price=line.unit_price,
                    requested_date=o.requested,
                    quantity_shipped=line.shipped,
                    quantity_received=line.received,
                )
            )
    if lines:
        conn.execute(insert(table("order_lines")), lines)
    return len(lines)


@dataclass(frozen=True)
class _Columns:
    """The demand rows as column lists, ordered by store, item and day."""

    site: list[int]
    item: list[int]
    day: list[str]
    scaled: list[int]  # the quantity as the integer the Quantity column stores
    promo: list[bool]


def _columns(history: DemandHistory, ids: Ids) -> _Columns:
    n_series, n_days = history.quantity.shape
    active = history.active.ravel()
    site_of = np.array([ids.site[(RETAILER, code)] for code in history.stores], dtype=np.int64)
    item_of = np.array([ids.item[sku] for sku in history.skus], dtype=np.int64)
    days = np.array([history.day(t).isoformat() for t in range(n_days)], dtype=object)
    return _Columns(
        site=np.repeat(site_of[history.series_store], n_days)[active].tolist(),
        item=np.repeat(item_of[history.series_item], n_days)[active].tolist(),
        day=days[np.tile(np.arange(n_days), n_series)[active]].tolist(),
        scaled=(history.quantity.ravel().astype(np.int64)[active] * SCALE).tolist(),
        promo=history.on_promotion.ravel()[active].tolist(),
    )


def write_demand(conn: Connection, history: DemandHistory, ids: Ids) -> int:
    """Insert every demand row of `history`; returns how many were written."""
    cols = _columns(history, ids)
    retailer = ids.enterprise[RETAILER]
    n = len(cols.site)
    chunks = [(a, min(a + CHUNK_ROWS, n)) for a in range(0, n, CHUNK_ROWS)]
    if conn.dialect.name == "postgresql":
        _copy_demand(conn, retailer, cols, chunks)
    elif conn.dialect.name == "sqlite":
        marks = ", ".join("?" * len(DEMAND_COLUMNS))
        names = ", ".join(DEMAND_COLUMNS)  # constants, not input
        sql = f"INSERT INTO demand_history ({names}) VALUES ({marks})"  # noqa: S608
        for a, b in chunks:
            rows = zip(
                repeat(retailer, b - a),
                cols.site[a:b],
                cols.item[a:b],
                cols.day[a:b],
                cols.scaled[a:b],
                cols.promo[a:b],
                strict=True,
            )
            conn.exec_driver_sql(sql, list(rows))
    else:  # any other backend: through the ORM column types
        demand = table("demand_history")
        for a, b in chunks:
            conn.execute(
                insert(demand),
                [
                    dict(
                        enterprise_id=retailer,
                        site_id=cols.site[k],
                        item_id=cols.item[k],
                        day=date.fromisoformat(cols.day[k]),
                        quantity=Decimal(cols.scaled[k]).scaleb(-QUANTITY_PLACES),
                        on_promotion=cols.promo[k],
                    )
                    for k in range(a, b)
                ],
            )
    return n


def _copy_demand(
    conn: Connection, retailer: int, cols: _Columns, chunks: list[tuple[int, int]]
) -> None:
    """COPY the rows in PostgreSQL's text format, one chunk of text at a time."""
    raw: Any = conn.connection.driver_connection
    sql = f"COPY demand_history ({', '.join(DEMAND_COLUMNS)}) FROM STDIN"
    with raw.cursor() as cursor, cursor.copy(sql) as copy:
        for a, b in chunks:
            text = "".join(
                f"{retailer}\t{s}\t{i}\t{d}\t{q}\t{'t' if p else 'f'}\n"
                for s, i, d, q, p in zip(
                    cols.site[a:b],
                    cols.item[a:b],
                    cols.day[a:b],
                    cols.scaled[a:b],
                    cols.promo[a:b],
                    strict=True,
                )
            )
            copy.write(text)
