"""The JD simulator: a pair costed by hand, the published reference tables, cost learning."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from supplymesh.planning.replenishment.jd import (
    FORECAST_DAYS,
    REFERENCE_POLICIES,
    Decisions,
    Outcomes,
    read_decisions,
    read_outcomes,
    read_reference_table,
    read_reference_targets,
)
from supplymesh.planning.replenishment.simulate import covered_demand, evaluate
from tests.planning.replenishment.synthetic import write_jd_folder

JD = Path(__file__).resolve().parents[4] / "shared" / "data" / "jd-e2e"
if not JD.is_dir():
    JD = Path("/work/shared/data/jd-e2e")
needs_jd = pytest.mark.skipif(
    not (JD / "rounds.csv").is_file(), reason="shared data jd-e2e is absent"
)


def _pair(initial_stock: int, rounds: int) -> Decisions:
    frame = pd.DataFrame(
        {
            "sku_dc": ["7#301"] * rounds,
            "sku": [7] * rounds,
            "dc": [301] * rounds,
            "round_index": list(range(rounds)),
            "n_rounds": [rounds] * rounds,
            "review_period": [3.0] * rounds,
            "initial_stock": [initial_stock] * rounds,
            "demand_mean": [4.0] * rounds,
            "demand_std": [1.0] * rounds,
            "vendor_vlt_mean": [2.0] * rounds,
            "vendor_vlt_std": [0.5] * rounds,
        }
    )
    return Decisions(frame, np.full((rounds, FORECAST_DAYS), 4.0))


def test_costs_a_two_round_pair_as_computed_by_hand() -> None:
    decisions = _pair(10, 2)
    outcomes = Outcomes(np.array([2, 1]), [np.array([4, 5, 6, 7, 8]), np.array([8, 9, 10])])
    costs = evaluate(decisions, outcomes, np.array([30.0, 12.0]))
    # Round 0: levels 6, 1 before arrival (not costed); order 30 − 10 = 20 lands on day 2:
    # 1 + 20 − 6 = 15, then 8; day 4 belongs to round 1. Round 1: reference = the level one
    # lead day before the end (15), order 12 − 15 = −3; arrival day 1: 8 − 3 − 9 = −4, then −14.
    assert costs.holding.tolist() == [15 + 8]
    assert costs.stockout.tolist() == [9 * (4 + 14)]
    assert costs.total.tolist() == [185]
    assert costs.stockout_rate.tolist() == [0.5]
    assert costs.days_of_inventory.tolist() == [pytest.approx((15 + 8) / 4 / 4.0)]


def test_writes_off_the_backlog_when_the_order_lands() -> None:
    decisions = _pair(2, 1)
    outcomes = Outcomes(np.array([1]), [np.array([5, 5, 1])])
    # Day 0: 2 − 5 = −3 (not costed); the order 9 − 2 = 7 lands on day 1 onto 0, not −3.
    costs = evaluate(decisions, outcomes, np.array([9.0]))
    assert costs.holding.tolist() == [2 + 1]
    assert costs.stockout.tolist() == [0]


def test_a_pair_whose_order_never_lands_costs_nothing() -> None:
    costs = evaluate(_pair(0, 1), Outcomes(np.array([5]), [np.array([3, 3, 3])]), np.array([50.0]))
    assert costs.total.tolist() == [0]
    assert costs.costed_days.tolist() == [0]


def test_covered_demand_turns_the_cost_into_a_pinball_loss(tmp_path: Path) -> None:
    write_jd_folder(tmp_path, pairs=30, seed=3)
    decisions = read_decisions(tmp_path)
    outcomes = read_outcomes(tmp_path, decisions)
    targets = np.rint(np.random.default_rng(0).uniform(0, 300, len(decisions.rounds)))
    rows, need = covered_demand(decisions, outcomes, targets)
    s = targets[rows]
    pinball = np.maximum(s - need, 0).sum() + 9 * np.maximum(need - s, 0).sum()
    assert pinball == evaluate(decisions, outcomes, targets).total.sum()


@needs_jd
def test_reproduces_the_published_reference_tables() -> None:
    decisions = read_decisions(JD)
    outcomes = read_outcomes(JD, decisions)
    targets = read_reference_targets(JD, decisions)
    per_pair = pd.read_csv(JD / "reference_costs_per_sku_dc.csv")
    table = read_reference_table(JD)
    extra = read_reference_table(JD, "reference_table_supplementary.csv")
    for policy in REFERENCE_POLICIES:
        costs = evaluate(decisions, outcomes, targets[policy])
        assert costs.pairs == per_pair["sku_dc"].tolist()
        assert costs.holding.tolist() == per_pair[f"{policy}_holding"].tolist()
        assert costs.stockout.tolist() == per_pair[f"{policy}_stockout"].tolist()
        assert costs.total.tolist() == per_pair[f"{policy}_total"].tolist()
        s = costs.summary()
        assert round(s.total_cost, 6) == table.loc["total_cost", policy]
        assert round(s.holding_cost, 6) == table.loc["holding_cost", policy]
        assert round(s.stockout_cost, 6) == table.loc["stockout_cost", policy]
        assert round(s.stockout_rate, 6) == extra.loc["stockout_rate_le0", policy]
        assert round(s.days_of_inventory, 6) == extra.loc["days_of_inventory", policy]
