"""End-to-end learned replenishment: decision-time features straight to an order-up-to level.

After Qi et al. (Management Science 2023), but trained on the cost itself rather than on the
hindsight target: every costed day of a training round becomes one sample whose label is the
demand the target had to cover by that day (`simulate.covered_demand`); a day costs
h·(S − y)⁺ + b·(y − S)⁺, so minimising the summed pinball loss at b/(b + h) = 0.9 is
minimising the simulator's holding + stockout cost. Labels are divided by the round's demand
scale and weighted by it, which keeps the loss in units while letting one model serve SKUs
whose volumes differ by four orders of magnitude. A few bagged seeds are averaged, and an
optional scale factor is chosen by an inner product-level cross-validation on training data.

`fit` reads outcomes; `E2ePolicy.targets` takes `Decisions` only, so an evaluated round's
outcomes cannot reach its decision.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from supplymesh.planning.replenishment.features import demand_scale, round_features
from supplymesh.planning.replenishment.jd import Decisions, FloatArray, Outcomes
from supplymesh.planning.replenishment.simulate import (
    CRITICAL_RATIO,
    covered_demand,
    evaluate,
)


@dataclass(frozen=True)
class E2eParams:
    """Model settings. Defaults: 150 trees of 15 leaves, ≥ 200 day-samples a leaf, 3 seeds."""

    n_estimators: int = 150
    learning_rate: float = 0.03
    num_leaves: int = 15
    min_data_in_leaf: int = 200
    ensemble: int = 3
    calibrate: bool = True
    calibration_grid: tuple[float, ...] = (0.85, 0.9, 0.95, 1.0, 1.05, 1.1, 1.15)
    inner_folds: int = 4
    seed: int = 1
    threads: int = 1

    def __post_init__(self) -> None:
        if self.n_estimators < 1 or self.ensemble < 1 or self.inner_folds < 2:
            raise ValueError("n_estimators and ensemble must be ≥ 1, inner_folds ≥ 2")
        if not 0 < self.learning_rate <= 1:
            raise ValueError(f"learning_rate must be in (0, 1], got {self.learning_rate}")


@dataclass(frozen=True, eq=False)
class E2ePolicy:
    """A fitted policy: boosters over scale-free features, and the calibrated scale factor."""

    boosters: list[object]
    factor: float
    params: E2eParams = field(default_factory=E2eParams)

    def targets(self, decisions: Decisions) -> FloatArray:
        """Order-up-to level per round, from decision-time inputs only."""
        x, _ = round_features(decisions)
        ratio = np.mean([_predict(b, x) for b in self.boosters], axis=0)
        return np.asarray(self.factor * ratio * demand_scale(decisions), dtype=np.float64)


def fit(decisions: Decisions, outcomes: Outcomes, params: E2eParams | None = None) -> E2ePolicy:
    """Train on the given rounds (their outcomes included) and calibrate the scale factor."""
    params = params or E2eParams()
    boosters = _train(decisions, outcomes, params)
    factor = 1.0
    if params.calibrate:
        factor = _calibrate(decisions, outcomes, params)
    return E2ePolicy(boosters, factor, params)


def product_folds(decisions: Decisions, folds: int, seed: int) -> npt.NDArray[np.int64]:
    """Fold number per round; every DC of a product lands in the same fold."""
    sku = decisions.rounds["sku"].to_numpy()
    products = np.unique(sku)
    order = np.random.default_rng(seed).permutation(len(products)) % folds
    return np.asarray(order[np.searchsorted(products, sku)], dtype=np.int64)


@dataclass(frozen=True, eq=False)
class CrossValidated:
    """Out-of-fold targets, and the scale factor each fold's policy calibrated."""

    targets: FloatArray
    factors: list[float]


def cross_validate(
    decisions: Decisions, outcomes: Outcomes, params: E2eParams, folds: int = 5
) -> CrossValidated:
    """Out-of-fold targets: each product's rounds decided by a model that never saw it."""
    products = decisions.rounds["sku"].nunique()
    if products < folds:
        raise ValueError(f"{products} products cannot fill {folds} cross-validation folds")
    fold = product_folds(decisions, folds, params.seed)
    targets = np.zeros(len(decisions.rounds))
    factors = []
    for k in range(folds):
        train = fold != k
        policy = fit(decisions.subset(train), outcomes.subset(train), params)
        targets[~train] = policy.targets(decisions.subset(~train))
        factors.append(policy.factor)
    return CrossValidated(targets, factors)


def _train(decisions: Decisions, outcomes: Outcomes, params: E2eParams) -> list[object]:
    import lightgbm as lgb

    x, names = round_features(decisions)
    scale = demand_scale(decisions)
    # Later rounds start from the path earlier targets left; the hindsight targets stand in
    # (refitting on the model's own targets there was tried and cost more in CV).
    rows, need = covered_demand(decisions, outcomes, outcomes.demand_total)
    if len(rows) == 0:
        raise ValueError("no costed day in the training rounds")
    data = lgb.Dataset(
        x[rows],
        label=need / scale[rows],
        weight=scale[rows],
        feature_name=names,
        free_raw_data=False,
    )
    boosters: list[object] = []
    for member in range(params.ensemble):
        boosters.append(
            lgb.train(
                {
                    "objective": "quantile",
                    "alpha": CRITICAL_RATIO,
                    "learning_rate": params.learning_rate,
                    "num_leaves": params.num_leaves,
                    "min_data_in_leaf": params.min_data_in_leaf,
                    "feature_fraction": 0.8,
                    "bagging_fraction": 0.8,
                    "bagging_freq": 1,
                    "lambda_l2": 1.0,
                    "seed": params.seed + member,
                    "num_threads": params.threads,
                    "verbosity": -1,
                    "deterministic": True,
                    "force_row_wise": True,
                },
                data,
                num_boost_round=params.n_estimators,
            )
        )
    return boosters


def _predict(booster: object, x: FloatArray) -> FloatArray:
    predict = booster.predict  # type: ignore[attr-defined]
    return np.asarray(predict(x), dtype=np.float64)


def _calibrate(decisions: Decisions, outcomes: Outcomes, params: E2eParams) -> float:
    """The scale factor with the least simulated cost on inner out-of-fold targets."""
    inner = E2eParams(**{**params.__dict__, "calibrate": False})
    fold = product_folds(decisions, params.inner_folds, params.seed + 17)
    base = np.zeros(len(decisions.rounds))
    for k in range(params.inner_folds):
        train = fold != k
        if not train.any() or train.all():
            return 1.0
        policy = E2ePolicy(_train(decisions.subset(train), outcomes.subset(train), inner), 1.0)
        base[~train] = policy.targets(decisions.subset(~train))
    costs = [
        evaluate(decisions, outcomes, factor * base).summary().total_cost
        for factor in params.calibration_grid
    ]
    return float(params.calibration_grid[int(np.argmin(costs))])
