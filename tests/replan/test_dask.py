"""The Dask path: a forecast run sent to a one-worker LocalCluster gives the local numbers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from supplymesh.platform.uow import Database
from supplymesh.replan.forecasting import Compute, ForecastRequest, run_forecast, values_of
from tests.replan.conftest import context_of

REQUEST = ForecastRequest(horizon_days=7, item_codes=("HC-FN40S-WH",))


@pytest.fixture
def dask_address() -> Iterator[str]:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=1,
        threads_per_worker=1,
        processes=False,
        dashboard_address=None,
    ) as cluster:
        yield cluster.scheduler_address


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_run_on_a_dask_cluster_matches_the_local_run(
    demo_db: Database, dask_address: str
) -> None:
    ctx = context_of(demo_db)
    with demo_db.unit_of_work(ctx) as uow:
        on_dask = run_forecast(uow, REQUEST, Compute(dask_address=dask_address))
        local = run_forecast(uow, REQUEST, Compute(workers=1))
        assert on_dask.executor == "dask" and local.executor == "local"
        a, b = values_of(uow, on_dask), values_of(uow, local)
        assert len(a) == 3
        assert {k: [(v.p10, v.p50, v.p90) for v in rows] for k, rows in a.items()} == {
            k: [(v.p10, v.p50, v.p90) for v in rows] for k, rows in b.items()
        }
