"""Parameters of the facility location solvers, checked on construction."""

from __future__ import annotations

from dataclasses import dataclass

METHODS = ("auto", "strong", "plain")


@dataclass(frozen=True)
class FacilityParams:
    """How long and how to search.

    Parameters
    ----------
    time_limit_s
        Wall-clock budget for one solve, seconds (default 60).
    method
        ``auto``: the strong MILP for small models; for large ones a Lagrangian bound and
        heuristic, site fixing, then Lagrangian branch-and-bound; ``strong``: the whole
        disaggregated MILP at once; ``plain``: the textbook (aggregated) MILP, for comparison.
    threads
        HiGHS threads (default 1: the benchmark machines are shared).
    seed
        HiGHS random seed.
    mip_rel_gap
        Relative gap at which HiGHS stops and calls the plan optimal (default 1e-9).
    decompose_above_pairs
        ``auto`` hands models with at most this many allowed site–customer pairs straight to
        the strong MILP (default 20 000: the 16×50 OR-Library set solves in well under 1 s).
    lagrangian_share
        Share of the budget the Lagrangian phase may use before the site search takes over.
    local_search_share
        Share of the budget the swap search on the Lagrangian's best plan may use after it.
    """

    time_limit_s: float = 60.0
    method: str = "auto"
    threads: int = 1
    seed: int = 1
    mip_rel_gap: float = 1e-9
    decompose_above_pairs: int = 20_000
    lagrangian_share: float = 0.2
    local_search_share: float = 0.1

    def __post_init__(self) -> None:
        if not self.time_limit_s > 0:
            raise ValueError(f"time_limit_s must be > 0, got {self.time_limit_s}")
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {', '.join(METHODS)}, got {self.method!r}")
        if self.threads < 1:
            raise ValueError(f"threads must be ≥ 1, got {self.threads}")
        if self.seed < 0:
            raise ValueError(f"seed must be ≥ 0, got {self.seed}")
        if not 0.0 <= self.mip_rel_gap < 1.0:
            raise ValueError(f"mip_rel_gap must be in [0, 1), got {self.mip_rel_gap}")
        if self.decompose_above_pairs < 0:
            raise ValueError(f"decompose_above_pairs must be ≥ 0, got {self.decompose_above_pairs}")
        if not 0.0 < self.lagrangian_share < 1.0:
            raise ValueError(f"lagrangian_share must be in (0, 1), got {self.lagrangian_share}")
        if not 0.0 <= self.local_search_share < 1.0:
            raise ValueError(f"local_search_share must be in [0, 1), got {self.local_search_share}")
