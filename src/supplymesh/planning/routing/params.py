"""How to solve: which solver, for how long, with which seed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Solver = Literal["pyvrp", "ortools"]
SOLVERS: tuple[Solver, ...] = ("pyvrp", "ortools")


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
    """

    time_limit_s: float = 10.0
    seed: int = 1
    solver: Solver = "pyvrp"

    def __post_init__(self) -> None:
        if not self.time_limit_s > 0:
            raise ValueError(f"time_limit_s must be positive, got {self.time_limit_s}")
        if self.seed < 0:
            raise ValueError(f"seed must be non-negative, got {self.seed}")
        if self.solver not in SOLVERS:
            raise ValueError(f"solver must be one of {SOLVERS}, got {self.solver!r}")
