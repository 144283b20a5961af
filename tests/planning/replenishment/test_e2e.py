"""The learned policy decides from decision-time inputs only, and learns the cost fractile."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from supplymesh.planning.replenishment import e2e
from supplymesh.planning.replenishment.baselines import BASELINES
from supplymesh.planning.replenishment.jd import (
    Decisions,
    MalformedJdData,
    Outcomes,
    read_decisions,
    read_outcomes,
)
from supplymesh.planning.replenishment.simulate import evaluate
from tests.planning.replenishment.synthetic import write_jd_folder

SMALL = e2e.E2eParams(n_estimators=40, min_data_in_leaf=20, ensemble=1, calibrate=False)


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> tuple[Decisions, Outcomes]:
    folder = tmp_path_factory.mktemp("jd")
    write_jd_folder(folder, pairs=60, seed=1)
    decisions = read_decisions(folder)
    return decisions, read_outcomes(folder, decisions)


def test_decisions_refuse_realised_columns(data: tuple[Decisions, Outcomes]) -> None:
    decisions, outcomes = data
    leaked = decisions.rounds.assign(demand_total=outcomes.demand_total)
    with pytest.raises(MalformedJdData, match="demand_total"):
        Decisions(leaked, decisions.forecast)


def test_reading_rounds_keeps_only_decision_time_columns(tmp_path: Path) -> None:
    write_jd_folder(tmp_path, pairs=4)
    rounds = tmp_path / "rounds.csv"
    pd.read_csv(rounds).assign(vlt=5.0, target_OPT=9).to_csv(rounds, index=False)
    columns = set(read_decisions(tmp_path).rounds.columns)
    assert not columns & {"vlt", "target_OPT"}


def test_an_evaluated_pairs_outcomes_never_reach_its_target(
    data: tuple[Decisions, Outcomes],
) -> None:
    decisions, outcomes = data
    before = e2e.cross_validate(decisions, outcomes, SMALL, folds=3).targets
    # Scramble the realised demand of every round of one product: its targets must not move.
    sku = decisions.rounds["sku"].iat[0]
    mine = (decisions.rounds["sku"] == sku).to_numpy()
    scrambled = Outcomes(
        outcomes.lead_days,
        [d * 50 + 7 if m else d for d, m in zip(outcomes.demand, mine, strict=True)],
    )
    after = e2e.cross_validate(decisions, scrambled, SMALL, folds=3).targets
    assert np.array_equal(before[mine], after[mine])
    assert not np.array_equal(before[~mine], after[~mine])  # others did train on them


def test_folds_keep_every_dc_of_a_product_together(data: tuple[Decisions, Outcomes]) -> None:
    decisions, _ = data
    fold = e2e.product_folds(decisions, 3, seed=1)
    per_product = decisions.rounds.assign(fold=fold).groupby("sku")["fold"].nunique()
    assert (per_product == 1).all()
    assert set(fold) == {0, 1, 2}


def test_learned_policy_beats_the_median_forecast(data: tuple[Decisions, Outcomes]) -> None:
    decisions, outcomes = data
    train = (decisions.rounds["sku"] % 2 == 0).to_numpy()
    policy = e2e.fit(decisions.subset(train), outcomes.subset(train), SMALL)
    test, test_outcomes = decisions.subset(~train), outcomes.subset(~train)
    ours = evaluate(test, test_outcomes, policy.targets(test)).summary()
    plain = evaluate(test, test_outcomes, BASELINES["pto_forecast_sum"](test)).summary()
    assert ours.total_cost < plain.total_cost
    # Trained at the 0.9 fractile, it holds more than the plain mean forecast does.
    assert ours.stockout_cost < plain.stockout_cost


def test_calibration_picks_a_factor_from_the_grid(data: tuple[Decisions, Outcomes]) -> None:
    decisions, outcomes = data
    params = e2e.E2eParams(n_estimators=20, min_data_in_leaf=20, ensemble=1, inner_folds=2)
    policy = e2e.fit(decisions, outcomes, params)
    assert policy.factor in params.calibration_grid
    assert np.all(np.isfinite(policy.targets(decisions)))
