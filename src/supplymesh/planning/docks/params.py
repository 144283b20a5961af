"""Parameters of the dock planner, checked on construction."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DockParams:
    """Search budget and the price of lateness.

    Parameters
    ----------
    time_limit_s
        CP-SAT wall-clock budget in seconds (default 5: a park re-plans while a driver waits).
    workers
        CP-SAT search workers (default 1).
    seed
        CP-SAT random seed.
    lateness_weight
        Cost of one minute started after a booked window, in minutes of waiting (default 10):
        a broken appointment costs the carrier its next job, so it weighs more than a queue.
    """

    time_limit_s: float = 5.0
    workers: int = 1
    seed: int = 1
    lateness_weight: int = 10

    def __post_init__(self) -> None:
        if not self.time_limit_s > 0:
            raise ValueError(f"time_limit_s must be > 0, got {self.time_limit_s}")
        if self.workers < 1:
            raise ValueError(f"workers must be ≥ 1, got {self.workers}")
        if self.seed < 0:
            raise ValueError(f"seed must be ≥ 0, got {self.seed}")
        if self.lateness_weight < 0:
            raise ValueError(f"lateness_weight must be ≥ 0, got {self.lateness_weight}")
