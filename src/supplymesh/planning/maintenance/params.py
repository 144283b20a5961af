"""Parameters of the RUL engine, checked on construction."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RulParams:
    """Feature and model settings.

    Parameters
    ----------
    rul_cap
        Training target is min(RUL, rul_cap), cycles (default 125: the piecewise-linear
        target of Heimes 2008 and most C-MAPSS work; early life shows no degradation).
    windows
        Rolling-window lengths, cycles, for means, spreads and slopes.
    condition_decimals
        Operating settings are rounded to these decimals to find operating conditions
        (C-MAPSS: altitude in kft, Mach number, throttle angle).
    min_condition_share
        Rounded conditions holding fewer rows than this share are merged into the nearest
        larger one (noise across a rounding edge).
    n_estimators, learning_rate, num_leaves, min_child_samples
        LightGBM settings.
    ensemble
        Number of LightGBM models (different seeds) averaged.
    seed
        Random seed.
    threads
        LightGBM threads.
    """

    rul_cap: float = 125.0
    windows: tuple[int, ...] = (5, 10, 20, 30, 50, 80)
    condition_decimals: tuple[int, ...] = (0, 2, 0)
    min_condition_share: float = 0.005
    n_estimators: int = 500
    learning_rate: float = 0.03
    num_leaves: int = 15
    min_child_samples: int = 50
    ensemble: int = 3
    seed: int = 1
    threads: int = 1

    def __post_init__(self) -> None:
        if self.rul_cap <= 0:
            raise ValueError(f"rul_cap must be > 0, got {self.rul_cap}")
        if not self.windows or min(self.windows) < 2:
            raise ValueError(f"windows must be ≥ 2 cycles, got {self.windows}")
        if not 0 <= self.min_condition_share < 1:
            raise ValueError(
                f"min_condition_share must be in [0, 1), got {self.min_condition_share}"
            )
        if self.n_estimators < 1 or self.num_leaves < 2 or self.min_child_samples < 1:
            raise ValueError("n_estimators ≥ 1, num_leaves ≥ 2 and min_child_samples ≥ 1 needed")
        if not 0 < self.learning_rate <= 1:
            raise ValueError(f"learning_rate must be in (0, 1], got {self.learning_rate}")
        if self.ensemble < 1 or self.threads < 1 or self.seed < 0:
            raise ValueError("ensemble ≥ 1, threads ≥ 1 and seed ≥ 0 needed")
