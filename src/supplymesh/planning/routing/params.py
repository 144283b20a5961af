"""How to solve: which solver, for how long, with which seed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Solver = Literal["pyvrp", "ortools"]
SOLVERS: tuple[Solver, ...] = ("pyvrp", "ortools")
#: Shortest time limit (s) for which extra worker processes are started by default.
MIN_PARALLEL_S = 2.0


@dataclass(frozen=True)
class RoutingParams:
    """Parameters of `plan_routes`, checked on construction.

    Attributes
    ----------
    time_limit_s
        Wall-clock budget of the search, in seconds (> 0). Default 10.
    seed
        Seed of the solver's random stream (>= 0), so runs repeat. Default 1.
    solver
        ``"pyvrp"`` (hybrid genetic / iterated local search, the default) or ``"ortools"``
        (OR-Tools routing with guided local search, kept as the comparison).
    workers
        PyVRP searches run side by side, one process each, sharing their best plan (see
        `parallel`). None (default): one per available core, when the time limit is at least
        `MIN_PARALLEL_S` (a worker's start-up would eat a shorter one); 1: PyVRP alone, as
        `pyvrp.solve` runs it.
    sync_interval_s
        Seconds between a worker's visits to the shared best plan. None (default): a
        twentieth of the time limit, between 0.2 and 3 s.
    """

    time_limit_s: float = 10.0
    seed: int = 1
    solver: Solver = "pyvrp"
    workers: int | None = None
    sync_interval_s: float | None = None

    def __post_init__(self) -> None:
        if not self.time_limit_s > 0:
            raise ValueError(f"time_limit_s must be positive, got {self.time_limit_s}")
        if self.seed < 0:
            raise ValueError(f"seed must be non-negative, got {self.seed}")
        if self.solver not in SOLVERS:
            raise ValueError(f"solver must be one of {SOLVERS}, got {self.solver!r}")
        if self.workers is not None and self.workers < 1:
            raise ValueError(f"workers must be at least 1, got {self.workers}")
        if self.sync_interval_s is not None and not self.sync_interval_s > 0:
            raise ValueError(f"sync_interval_s must be positive, got {self.sync_interval_s}")

    def worker_count(self, cores: int) -> int:
        """How many searches to run given ``cores`` available cores."""
        if self.workers is not None:
            return self.workers
        return cores if self.time_limit_s >= MIN_PARALLEL_S else 1

    def sync_interval(self) -> float:
        """Seconds between visits to the shared best plan."""
        if self.sync_interval_s is not None:
            return self.sync_interval_s
        return min(3.0, max(0.2, self.time_limit_s / 20))
