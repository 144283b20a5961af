"""Forecast runs over the tiny demo: quantiles stored in order, bad series named, executors."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from supplymesh.network.model import DemandRecord, Item, Site
from supplymesh.platform.uow import Database
from supplymesh.replan.forecasting import (
    Compute,
    ForecastRequest,
    run_forecast,
    series_of,
    values_of,
)
from supplymesh.replan.model import ForecastRun, ReplanError
from tests.replan.conftest import context_of

SMALL = ForecastRequest(horizon_days=7, service_level=0.95, item_codes=("HC-KT17S-WH",))


def _run(db: Database, request: ForecastRequest, compute: Compute | None = None) -> int:
    with db.unit_of_work(context_of(db)) as uow:
        run = run_forecast(uow, request, compute)
        uow.commit()
        return run.id


def test_a_run_stores_ordered_quantiles_for_every_series(demo_db: Database) -> None:
    run_id = _run(demo_db, SMALL)
    with demo_db.unit_of_work(context_of(demo_db)) as uow:
        run = uow.session.get(ForecastRun, run_id)
        assert run is not None and run.series_count == 3 and run.messages == []
        refs = series_of(uow, run)
        assert [r.site_code for r in refs] == ["ST-HANGZHOU", "ST-NANJING", "ST-SHANGHAI"]
        values = values_of(uow, run)
        assert len(values) == 3
        for rows in values.values():
            assert len(rows) == 7
            assert rows[0].day == run.history_end + timedelta(days=1)
            for v in rows:
                assert Decimal(0) <= v.p10 <= v.p50 <= v.p90 <= v.p_service
            assert any(v.p90 > v.p10 for v in rows)  # a real band, not a copied point


def test_a_bad_series_is_named_and_forecast_by_the_fallback(demo_db: Database) -> None:
    with demo_db.system() as uow:
        item = uow.session.scalar(select(Item).where(Item.sku == "HC-KT17S-WH"))
        site = uow.session.scalar(select(Site).where(Site.code == "ST-NANJING"))
        assert item is not None and site is not None
        rows = list(
            uow.session.scalars(
                select(DemandRecord)
                .where(DemandRecord.item_id == item.id, DemandRecord.site_id == site.id)
                .order_by(DemandRecord.day)
            )
        )
        rows[10].quantity = Decimal(-3)
        uow.session.delete(rows[20])
        uow.commit()
    run_id = _run(demo_db, SMALL)
    with demo_db.unit_of_work(context_of(demo_db)) as uow:
        run = uow.session.get(ForecastRun, run_id)
        assert run is not None and run.series_count == 3
        texts = [m["message"] for m in run.messages]
        assert any("HC-KT17S-WH@ST-NANJING" in t and "missing day" in t for t in texts)
        assert any("HC-KT17S-WH@ST-NANJING" in t and "negative demand -3" in t for t in texts)
        assert {m["fallback"] for m in run.messages} == {"ADIDA"}
        models = {r.site_code: r.model for r in series_of(uow, run)}
        assert models["ST-NANJING"] == "ADIDA"
        assert models["ST-SHANGHAI"] != "ADIDA"


def test_unknown_item_is_named(demo_db: Database) -> None:
    with pytest.raises(ReplanError, match="unknown item NOPE-1"):
        _run(demo_db, ForecastRequest(horizon_days=7, item_codes=("NOPE-1",)))


def test_a_process_pool_gives_the_same_numbers(demo_db: Database) -> None:
    local = _run(demo_db, SMALL, Compute(workers=1))
    pooled = _run(demo_db, SMALL, Compute(workers=2))
    with demo_db.unit_of_work(context_of(demo_db)) as uow:
        a, b = (uow.session.get(ForecastRun, i) for i in (local, pooled))
        assert a is not None and b is not None
        assert (a.executor, b.executor) == ("local", "pool")
        va, vb = values_of(uow, a), values_of(uow, b)
        assert {k: [v.p50 for v in rows] for k, rows in va.items()} == {
            k: [v.p50 for v in rows] for k, rows in vb.items()
        }
