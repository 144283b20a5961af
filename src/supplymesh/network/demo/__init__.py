"""The demo network: a seeded, deterministic Chinese small-appliance supply chain.

Haichuan Appliances (HCE) makes rice cookers, kettles, fans, heaters and more in Foshan and
Ningbo from steel, resin and copper bought from three raw-material suppliers and parts from six
component suppliers (two of them subcontractors); a distributor's three regional DCs serve a
retailer's forty stores in forty cities, with two years of daily demand. `tiny` is the same
network cut down (one plant, one DC, three stores, five finished goods, 120 days) for tests.

Everything is written in one transaction, so a failure leaves an empty database and
`has_data` stays false; the same seed always gives the same rows.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import date

import numpy as np
from sqlalchemy import select

from supplymesh.network.demo.bulk import write_demand, write_inventory
from supplymesh.network.demo.catalog import build_catalog
from supplymesh.network.demo.companies import DEMO_PASSWORD
from supplymesh.network.demo.demand import synthesize_demand
from supplymesh.network.demo.load import load_master
from supplymesh.network.demo.pricing import plan_prices, restricted, with_current_prices
from supplymesh.network.demo.scale import scale_named
from supplymesh.network.demo.sites import build_network
from supplymesh.network.demo.stock import plan_stock
from supplymesh.network.model import Enterprise, SiteKind
from supplymesh.platform.auth import hash_password
from supplymesh.platform.errors import Conflict
from supplymesh.platform.tenancy import TenantContext
from supplymesh.platform.uow import Database

__all__ = ["DemoReport", "generate", "has_data"]

log = logging.getLogger(__name__)

# Independent random streams, so changing one part of the demo leaves the others as they were.
_NETWORK, _PRICES, _DEMAND, _STOCK = 1, 2, 3, 4


@dataclass(frozen=True)
class DemoReport:
    """What `generate` wrote, and how long it took."""

    scale: str
    seed: int
    enterprises: int
    users: int
    sites: int
    items: int
    bom_lines: int
    routing_steps: int
    machines: int
    lanes: int
    sharing_grants: int
    price_changes: int
    promotions: int
    stock_positions: int
    orders: int
    demand_rows: int
    first_day: date
    last_day: date
    elapsed_s: float

    def summary(self) -> str:
        """One paragraph for the terminal."""
        return (
            f"demo network ({self.scale}, seed {self.seed}) ready in {self.elapsed_s:.1f} s: "
            f"{self.enterprises} enterprises, {self.users} users (password {DEMO_PASSWORD}), "
            f"{self.sites} sites, {self.items} items, {self.bom_lines} BOM lines, "
            f"{self.routing_steps} routing steps, {self.machines} machines, {self.lanes} lanes, "
            f"{self.sharing_grants} sharing grants, {self.price_changes} price changes, "
            f"{self.promotions} promotions, {self.stock_positions} stock positions, "
            f"{self.orders} orders, {self.demand_rows:,} demand rows "
            f"({self.first_day} to {self.last_day})"
        )


def has_data(db: Database) -> bool:
    """True when any enterprise exists (the demo, or anyone's real data)."""
    with db.system() as uow:
        return uow.session.scalar(select(Enterprise.id).limit(1)) is not None


def generate(db: Database, scale: str = "full", seed: int = 1) -> DemoReport:
    """Write the demo network of `scale` (tiny or full) into the empty database behind `db`."""
    started = time.perf_counter()
    spec = scale_named(scale)
    if has_data(db):
        raise Conflict("the database already holds data; the demo needs an empty one")

    def rng(stream: int) -> np.random.Generator:
        return np.random.default_rng([seed, stream])

    catalog = build_catalog(spec)
    network = build_network(spec, rng(_NETWORK))
    stores = network.of_kind(SiteKind.STORE.value)
    plan = plan_prices(spec, catalog.products, [s.code for s in stores], rng(_PRICES))
    history = synthesize_demand(spec, catalog.products, stores, plan, rng(_DEMAND))
    plan = restricted(plan, history.stocked())
    catalog = with_current_prices(catalog, plan, spec.end)
    stock = plan_stock(catalog, network, history, rng(_STOCK))
    log.info("demo %s synthesised in %.1f s", scale, time.perf_counter() - started)
    password_hash = hash_password(DEMO_PASSWORD)  # argon2 is slow by design: hash once
    session = db.factory(info={"tenant": TenantContext.system(), "bulk": True})
    with session, session.begin():
        ids = load_master(session, catalog, network, plan, password_hash, spec.machines_per_plant)
        conn = session.connection()
        write_inventory(conn, ids, stock)
        log.info("demo master data written at %.1f s", time.perf_counter() - started)
        demand_rows = write_demand(conn, history, ids)
        log.info("demo demand written at %.1f s; committing", time.perf_counter() - started)
    _tidy(db)
    counts = ids.counts
    return DemoReport(
        scale=spec.name,
        seed=seed,
        enterprises=counts["enterprises"],
        users=counts["users"],
        sites=counts["sites"],
        items=counts["items"],
        bom_lines=counts["bom_lines"],
        routing_steps=counts["routing_steps"],
        machines=counts["machines"],
        lanes=counts["lanes"],
        sharing_grants=counts["sharing_grants"],
        price_changes=counts["price_changes"],
        promotions=counts["promotions"],
        stock_positions=counts["stock_positions"],
        orders=counts["orders"],
        demand_rows=demand_rows,
        first_day=spec.start,
        last_day=spec.end,
        elapsed_s=time.perf_counter() - started,
    )


def _tidy(db: Database) -> None:
    """After a big load: fold SQLite's write-ahead log back, refresh PostgreSQL's statistics."""
    if db.dialect == "sqlite":
        with db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.exec_driver_sql("PRAGMA optimize")
    elif db.dialect == "postgresql":
        with db.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
