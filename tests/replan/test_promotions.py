"""Promotions, prices and the calendar reach the global model of the planning service."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from supplymesh.network.model import Item, Promotion, Site
from supplymesh.platform.uow import Database
from supplymesh.replan.forecasting import ForecastRequest, run_forecast, values_of
from supplymesh.replan.model import ForecastRun
from supplymesh.replan.regressors import COLUMNS, regressors
from supplymesh.replan.series import load_histories
from tests.replan.conftest import context_of

SKU, STORE = "HC-KT17S-WH", "ST-SHANGHAI"
GLOBAL = ForecastRequest(horizon_days=14, global_model=True, reconcile=False)


def _promoted_days_p50(db: Database) -> tuple[Decimal, Decimal, str]:
    """Sum of p50 on horizon days 4-8 at the store, the rest of the horizon, the model."""
    with db.unit_of_work(context_of(db)) as uow:
        run = run_forecast(uow, GLOBAL, None)
        uow.commit()
        run_id = run.id
    with db.unit_of_work(context_of(db)) as uow:
        run_ = uow.session.get(ForecastRun, run_id)
        assert run_ is not None and run_.models == ["LightGBM"]
        item = uow.session.scalar(select(Item.id).where(Item.sku == SKU))
        site = uow.session.scalar(select(Site.id).where(Site.code == STORE))
        rows = values_of(uow, run_, item, site)[(item, site)]
        inside = sum((v.p50 for v in rows[3:8]), Decimal(0))
        outside = sum((v.p50 for v in rows[:3] + rows[8:]), Decimal(0))
        return inside, outside, rows[0].model


def _plan_promotion(db: Database, discount: Decimal) -> None:
    ctx = context_of(db)
    with db.unit_of_work(ctx) as uow:
        item = uow.session.scalar(select(Item).where(Item.sku == SKU))
        site = uow.session.scalar(select(Site).where(Site.code == STORE))
        assert item is not None and site is not None
        last = max(h.end for h in load_histories(uow, [SKU]))
        uow.add(
            Promotion(
                enterprise_id=ctx.enterprise_id,
                item_id=item.id,
                site_id=site.id,
                name="双十二 kettle",
                start_date=last + timedelta(days=4),
                end_date=last + timedelta(days=8),
                discount_pct=discount,
            )
        )
        uow.commit()


def test_a_planned_promotion_raises_the_forecast_of_its_days(demo_db: Database) -> None:
    without, rest_without, model = _promoted_days_p50(demo_db)
    assert model == "LightGBM"
    _plan_promotion(demo_db, Decimal(30))
    with_promo, rest_with, _ = _promoted_days_p50(demo_db)
    assert with_promo > without * Decimal("1.1"), (with_promo, without)
    # The days around it barely move: the lift sits on the promotion's days.
    assert abs(rest_with - rest_without) < (with_promo - without), (rest_with, rest_without)


def test_regressors_mark_promotions_prices_and_the_festival(demo_db: Database) -> None:
    _plan_promotion(demo_db, Decimal(20))
    with demo_db.unit_of_work(context_of(demo_db)) as uow:
        histories = load_histories(uow, [SKU], [STORE])
        tables = regressors(uow, histories, 14)
    (h,) = histories
    table = tables[h.key]
    assert table.shape == (h.values.size + 14, len(COLUMNS))
    future = table[h.values.size :]
    promo, discount, price = (COLUMNS.index(c) for c in ("on_promotion", "discount", "price_index"))
    assert list(future[:, promo]) == [0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0]
    assert future[3, discount] == 0.2 and future[0, discount] == 0
    assert abs(future[3, price] - 0.8 * future[0, price]) < 1e-9
    assert table[: h.values.size, promo].sum() > 0  # past promoted days from demand records
    month = COLUMNS.index("month")
    assert set(table[:, month]) <= set(range(1, 13))
