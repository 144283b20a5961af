"""The search's budget: counted work, not the clock, so a seed gives the same plan on a busy
or an idle machine, with the clock as a safety net.

Round 3 counted block placements; their cost varied threefold between problems (a 60-type
look-alike scans ~1000 blocks per placement, a BR1 problem a few hundred), so one try budget
either left most of the limit unused on BR1–BR7 or ran into the clock on the heterogeneous
classes. The kernels now count what they do (`kernels.py`'s work slots); weighed by their
cost, the sum tracks CPU time within about ±10 % across BR1, BR4, BR7 and the 30/60/100-type
look-alikes (non-negative least squares on 12 problems, round 4 in benchmarks/loading.md).
"""

from __future__ import annotations

import time

import numpy as np

from supplymesh.planning.loading.blocks import IntArray

# Nanoseconds of one core here (measured under load) per unit of each work slot: blocks
# examined by the scan, space pairs compared by the cut, spaces looked at for the next one,
# kernel calls, Python steps (copy, candidates, place, next space), placed blocks checked
# one by one in Python (load bearing, multi-drop).
WORK_WEIGHTS = np.asarray([8, 8, 20, 0, 8000, 300], dtype=np.int64)
# A run gives up its share of the work and takes what the clock allows when, at the pace
# so far, the clock would leave less than this part of the work left to it and later runs.
CLOCK_BINDS = 0.75


class Budget:
    """Stops a run when its weighed work reaches `limit` or the clock `deadline`.

    `pool` is the work left to this run and the later ones when it starts (`fit_to_clock`
    compares the clock with it).
    """

    def __init__(
        self, work: IntArray, limit: int, deadline: float, pool: int | None = None
    ) -> None:
        self.work = work
        self.limit = limit
        self.deadline = deadline
        self.pool = limit if pool is None else pool
        self.started = time.perf_counter()
        self.tries = 0  # block placements, reported as `evaluated`
        self.fitted = False  # the clock, not the work, sized this run

    def spend(self, placements: int = 1) -> None:
        self.tries += placements

    @property
    def spent(self) -> int:
        """Weighed work so far."""
        return int(self.work @ WORK_WEIGHTS)

    @property
    def over(self) -> bool:
        return self.spent >= self.limit or time.perf_counter() > self.deadline

    def fit_to_clock(self) -> None:
        """On a machine too slow or too busy for the budget, let this run take the work the
        clock still allows at its pace so far, so its final pass is sized to the clock
        instead of being cut short (later runs get whatever time it leaves). On a machine
        the budget was sized for, the clock leaves about twice the work and nothing changes,
        so the plan stays repeatable."""
        now = time.perf_counter()
        if self.spent <= 0 or now <= self.started:
            return
        by_clock = int(self.spent / (now - self.started) * max(0.0, self.deadline - now))
        if by_clock < CLOCK_BINDS * (self.pool - self.spent):
            self.limit = self.spent + by_clock
            self.fitted = True
