"""Parameters of the job-shop solvers, checked on construction."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SchedulingParams:
    """How long and how wide to search.

    Parameters
    ----------
    time_limit_s
        Wall-clock budget for one solve, seconds (default 60).
    workers
        CP-SAT search workers (threads) and parallel tabu searches, default 2.
    seed
        Random seed for dispatching-rule tie-breaks, neighbourhood choice and CP-SAT.
    full_solve_share
        Share of the budget given to the first whole-model CP-SAT run before
        large-neighbourhood search takes over (default 1.0: LNS off, see solve.py); used
        only when ``tabu_share`` is 0.
    tabu_share
        Share of the budget for tabu search (default 0.85); the rest goes to a hinted
        CP-SAT run that proves bounds. 0 turns tabu search off (CP-SAT only).
    """

    time_limit_s: float = 60.0
    workers: int = 2
    seed: int = 1
    full_solve_share: float = 1.0
    tabu_share: float = 0.85

    def __post_init__(self) -> None:
        if not self.time_limit_s > 0:
            raise ValueError(f"time_limit_s must be > 0, got {self.time_limit_s}")
        if self.workers < 1:
            raise ValueError(f"workers must be ≥ 1, got {self.workers}")
        if self.seed < 0:
            raise ValueError(f"seed must be ≥ 0, got {self.seed}")
        if not 0.0 < self.full_solve_share <= 1.0:
            raise ValueError(f"full_solve_share must be in (0, 1], got {self.full_solve_share}")
        if not 0.0 <= self.tabu_share < 1.0:
            raise ValueError(f"tabu_share must be in [0, 1), got {self.tabu_share}")
