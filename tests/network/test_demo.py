"""The demo network: deterministic, complete, and realistic enough for the engines to use."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select, text

from supplymesh.bootstrap import build_database
from supplymesh.network.demo import generate, has_data
from supplymesh.network.demo.catalog import build_catalog
from supplymesh.network.demo.demand import synthesize_demand
from supplymesh.network.demo.holidays import SPRING_FESTIVAL
from supplymesh.network.demo.pricing import plan_prices
from supplymesh.network.demo.scale import SCALES
from supplymesh.network.demo.sites import build_network
from supplymesh.network.geo import gs1_check_digit_ok
from supplymesh.network.model import (
    BomLine,
    Calendar,
    DemandRecord,
    Enterprise,
    Item,
    Lane,
    Promotion,
    SharingGrant,
    Site,
    User,
)
from supplymesh.network.services import login, uscc_problem
from supplymesh.platform.db import Base
from supplymesh.platform.errors import Conflict
from supplymesh.platform.schema import migrate
from supplymesh.platform.settings import Settings
from supplymesh.platform.uow import Database


def _digest(db: Database) -> str:
    """A hash of every stored value of every table (password hashes are salted: left out)."""
    sha = hashlib.sha256()
    with db.engine.connect() as conn:
        for name, table in sorted(Base.metadata.tables.items()):
            cols = ", ".join(c.name for c in table.columns if c.name != "password_hash")
            keys = ", ".join(c.name for c in table.primary_key.columns)
            for row in conn.exec_driver_sql(f"SELECT {cols} FROM {name} ORDER BY {keys}"):
                sha.update(repr((name, tuple(row))).encode())
    return sha.hexdigest()


def _tiny(path: Path, seed: int) -> Database:
    db = build_database(Settings(database_url=f"sqlite:///{path}", home=path.parent))
    migrate(db.engine)
    generate(db, scale="tiny", seed=seed)
    return db


def test_the_same_seed_gives_the_same_database(tmp_path: Path) -> None:
    first, second = _tiny(tmp_path / "a.db", 1), _tiny(tmp_path / "b.db", 1)
    other = _tiny(tmp_path / "c.db", 2)
    try:
        assert _digest(first) == _digest(second)
        assert _digest(first) != _digest(other)
    finally:
        for db in (first, second, other):
            db.engine.dispose()


def test_a_failed_generation_leaves_the_database_empty(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object) -> int:
        raise RuntimeError("disk full")

    monkeypatch.setattr("supplymesh.network.demo.write_demand", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        generate(db, scale="tiny")
    assert not has_data(db)
    with db.engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM users")) == 0


def test_generate_refuses_a_database_that_holds_data(demo_db: Database) -> None:
    assert has_data(demo_db)
    with pytest.raises(Conflict):
        generate(demo_db, scale="tiny")


def test_every_enterprise_has_an_admin_who_can_log_in(
    demo_db: Database, demo_settings: Settings
) -> None:
    with demo_db.system() as uow:
        enterprises = {e.code: e.id for e in uow.session.scalars(select(Enterprise))}
        roles = {u.username: u.role for u in uow.session.scalars(select(User))}
    assert len(enterprises) == 14
    assert roles["hce.planner"] == "planner" and roles["hce.operator"] == "operator"
    for code, ent_id in enterprises.items():
        _, principal = login(demo_db, demo_settings, f"{code.lower()}.admin", "demo1234", "test")
        assert (principal.enterprise_id, principal.role) == (ent_id, "admin")
        assert uscc_problem(_uscc(demo_db, ent_id)) is None


def _uscc(db: Database, ent_id: int) -> str:
    with db.system() as uow:
        ent = uow.session.get(Enterprise, ent_id)
        assert ent is not None and ent.uscc is not None
        return ent.uscc


def test_tiny_has_the_network_the_tests_rely_on(demo_db: Database) -> None:
    with demo_db.system() as uow:
        s = uow.session
        ids = {e.code: e.id for e in s.scalars(select(Enterprise))}
        sites = list(s.scalars(select(Site)))
        kinds = defaultdict(list)
        for site in sites:
            kinds[(site.enterprise_id, site.kind)].append(site)
        assert len(kinds[(ids["HCE"], "plant")]) == 1
        assert len(kinds[(ids["LFDIST"], "dc")]) == 1
        assert 2 <= len(kinds[(ids["YJRETAIL"], "store")]) <= 3
        (steel_site,) = [x for x in sites if x.enterprise_id == ids["BLSTEEL"]]
        (plant,) = kinds[(ids["HCE"], "plant")]
        lane = s.scalar(select(Lane).where(Lane.from_site_id == steel_site.id))
        assert lane is not None and lane.to_site_id == plant.id
        assert lane.lead_time_mean_days > 0 and lane.distance_km is not None
        assert (s.scalar(select(func.count()).select_from(BomLine)) or 0) > 0
        days = s.execute(select(func.min(DemandRecord.day), func.max(DemandRecord.day))).one()
        assert (days[1] - days[0]).days + 1 == 120
        fg = s.scalar(select(func.count()).where(Item.item_type == "finished"))
        assert fg is not None and 3 <= fg <= 8


def test_partners_share_demand_stock_and_a_plant(demo_db: Database) -> None:
    with demo_db.system() as uow:
        ids = {e.code: e.id for e in uow.session.scalars(select(Enterprise))}
        grants = {
            (g.enterprise_id, g.partner_enterprise_id, g.kind, g.resource_id)
            for g in uow.session.scalars(select(SharingGrant))
        }
        dc = uow.session.scalar(select(Site).where(Site.kind == "dc"))
        plant = uow.session.scalar(
            select(Site).where(Site.kind == "plant", Site.enterprise_id == ids["HCE"])
        )
        assert dc is not None and plant is not None
    assert (ids["YJRETAIL"], ids["HCE"], "site_demand", None) in grants
    assert (ids["YJRETAIL"], ids["LFDIST"], "site_demand", None) in grants
    assert (ids["LFDIST"], ids["HCE"], "site_inventory", dc.id) in grants
    assert (ids["HCE"], ids["BLSTEEL"], "site", plant.id) in grants
    with demo_db.unit_of_work(demo_db.context_for(ids["HCE"], None, "planner")) as uow:
        assert uow.session.scalar(select(func.count()).select_from(DemandRecord)) == 1800
    with demo_db.unit_of_work(demo_db.context_for(ids["BLSTEEL"], None, "viewer")) as uow:
        assert plant.id in set(uow.session.scalars(select(Site.id)))
        assert uow.session.scalar(select(func.count()).select_from(DemandRecord)) == 0


def test_stores_have_a_parent_dc_and_lanes_join_real_sites(demo_db: Database) -> None:
    with demo_db.system() as uow:
        sites = {x.id: x for x in uow.session.scalars(select(Site))}
        lanes = list(uow.session.scalars(select(Lane)))
    stores = [x for x in sites.values() if x.kind == "store"]
    assert stores and all(sites[x.parent_site_id].kind == "dc" for x in stores if x.parent_site_id)
    assert all(x.parent_site_id is not None for x in stores)
    assert all(x.latitude and 18 < x.latitude < 54 and x.longitude for x in sites.values())
    assert all(x.gln is not None and gs1_check_digit_ok(x.gln) for x in sites.values())
    assert all(lane.from_site_id in sites and lane.to_site_id in sites for lane in lanes)
    assert {sites[x.to_site_id].kind for x in lanes} >= {"plant", "dc", "store"}


def test_items_have_valid_gtins_and_an_acyclic_bom(demo_db: Database) -> None:
    with demo_db.system() as uow:
        items = list(uow.session.scalars(select(Item)))
        edges = [
            (b.parent_item_id, b.component_item_id) for b in uow.session.scalars(select(BomLine))
        ]
        calendar = uow.session.scalar(select(Calendar))
    finished = [i for i in items if i.item_type == "finished"]
    assert finished and all(i.gtin and i.gtin.startswith("695") for i in finished)
    assert all(gs1_check_digit_ok(i.gtin) for i in items if i.gtin)
    assert all(isinstance(i.price, Decimal) and i.price > 0 for i in items)
    children: dict[int, list[int]] = defaultdict(list)
    for parent, child in edges:
        children[parent].append(child)
    state: dict[int, int] = {}

    def visit(node: int) -> None:  # depth-first search; state 1 = on the stack
        assert state.get(node) != 1, f"BOM cycle through item {node}"
        if state.get(node) == 2:
            return
        state[node] = 1
        for child in children[node]:
            visit(child)
        state[node] = 2

    for parent in list(children):
        visit(parent)
    types = {i.id: i.item_type for i in items}
    assert {(types[p], types[c]) for p, c in edges} >= {
        ("finished", "component"),
        ("component", "raw"),
    }
    assert calendar is not None
    shutdown = {e["date"] for e in calendar.exceptions if not e["working"]}
    assert SPRING_FESTIVAL[2026].isoformat() in shutdown


def _daily(db: Database) -> dict[tuple[str, date], int]:
    """Units sold per SKU and day, summed over stores."""
    totals: dict[tuple[str, date], int] = defaultdict(int)
    with db.system() as uow:
        skus = {item.id: item.sku for item in uow.session.scalars(select(Item))}
        for rec in uow.session.scalars(select(DemandRecord)):
            totals[(skus[rec.item_id], rec.day)] += int(rec.quantity)
    return totals


def test_demand_is_higher_at_the_weekend(demo_db: Database) -> None:
    by_weekday: dict[bool, list[int]] = defaultdict(list)
    for (_, day), qty in _daily(demo_db).items():
        by_weekday[day.weekday() >= 5].append(qty)
    assert np.mean(by_weekday[True]) > 1.15 * np.mean(by_weekday[False])


def test_slow_movers_sell_on_few_days(demo_db: Database) -> None:
    daily = [qty for (sku, _), qty in _daily(demo_db).items() if sku == "HC-PJ-DSC"]
    assert daily and sum(q == 0 for q in daily) / len(daily) > 0.6


def test_double_eleven_outsells_the_weeks_around_it(demo_db: Database) -> None:
    daily = _daily(demo_db)
    d11 = date(2026, 11, 11)
    around = [d11 + timedelta(days=k) for k in range(-21, 10) if not -11 <= k <= 0]
    fast = sorted({sku for sku, _ in daily} - {"HC-PJ-DSC"})
    wins = [daily[(sku, d11)] > np.mean([daily[(sku, d)] for d in around]) for sku in fast]
    assert len(fast) >= 3 and sum(wins) >= 0.75 * len(fast)


def test_promotion_flags_match_the_promotions(demo_db: Database) -> None:
    with demo_db.system() as uow:
        promos = list(uow.session.scalars(select(Promotion)))
        flagged = uow.session.execute(
            select(DemandRecord.item_id, DemandRecord.site_id, DemandRecord.day).where(
                DemandRecord.on_promotion
            )
        ).all()
    assert flagged
    for item, site, day in flagged:
        assert any(
            p.item_id == item and p.site_id in (None, site) and p.start_date <= day <= p.end_date
            for p in promos
        )


def test_stock_positions_are_the_sum_of_their_movements(demo_db: Database) -> None:
    with demo_db.engine.connect() as conn:
        positions = conn.execute(
            text(
                "SELECT enterprise_id, site_id, item_id, lot, status, on_hand FROM stock_positions"
            )
        ).all()
        moved = dict(
            ((e, s, i, lot, st), q)
            for e, s, i, lot, st, q in conn.execute(
                text(
                    "SELECT enterprise_id, site_id, item_id, lot, to_status, sum(quantity) "
                    "FROM stock_movements GROUP BY enterprise_id, site_id, item_id, lot, to_status"
                )
            )
        )
        statuses = set(conn.scalars(text("SELECT DISTINCT status FROM orders")))
    assert len(positions) > 20
    for e, s, i, lot, st, on_hand in positions:
        assert moved.get((e, s, i, lot, st), 0) == on_hand
    assert {"released", "shipped", "received"} <= statuses


def test_full_scale_demand_synthesis() -> None:
    """The full scale without a database: shape, types and the big festivals."""
    scale = SCALES["full"]
    catalog = build_catalog(scale)
    network = build_network(scale, np.random.default_rng([1, 1]))
    stores = network.of_kind("store")
    plan = plan_prices(scale, catalog.products, [s.code for s in stores], np.random.default_rng(2))
    history = synthesize_demand(scale, catalog.products, stores, plan, np.random.default_rng(3))
    assert len(stores) == 40 and len({s.city for s in stores}) == 40
    assert 180 <= len(catalog.items) <= 220 and history.days >= 730
    assert history.quantity.dtype == np.int32 and history.on_promotion.dtype == np.bool_
    assert history.quantity.shape == (len(history.series_item), history.days)
    assert history.rows > 2_000_000 and history.quantity.min() >= 0
    assert 0.15 <= history.slow.mean() <= 0.25
    total = history.quantity.sum(axis=0)
    sf = (SPRING_FESTIVAL[2025] - scale.start).days
    assert total[sf : sf + 4].sum() == 0  # stores closed for the new year
    assert total[sf - 7 : sf - 1].mean() > 1.2 * total[sf - 60 : sf - 30].mean()
    june18 = (date(2025, 6, 18) - scale.start).days
    assert total[june18] > 1.8 * total[june18 - 30 : june18 - 20].mean()
    fans = [k for k, i in enumerate(history.series_item) if catalog.products[i].category == "fan"]
    july, january = (date(2025, 7, 15) - scale.start).days, (date(2025, 1, 10) - scale.start).days
    fan_total = history.quantity[fans].sum(axis=0)
    assert fan_total[july - 7 : july + 7].sum() > 5 * fan_total[january - 7 : january + 7].sum()
