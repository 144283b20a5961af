"""Parameters of the container packer, checked on construction."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LoadingParams:
    """How much to search.

    Parameters
    ----------
    time_limit_s
        Wall-clock cap for one solve, seconds (default 10; the search stops looking at 90 %
        of it). A safety net: the search normally stops on `effort` first, which keeps runs
        repeatable for a given seed (on problems with many box types the clock may come first).
    seed
        Breaks ties between blocks of equal volume.
    effort_per_s
        Block placements the search may try per second of `time_limit_s` (default 30 000).
        Round 3 compiled the hot loops (candidate scan, space cut, greedy completion), which
        made a try about 10 times cheaper on BR1–BR7 (3000/s before, a third of what an idle
        core did then): 300 000 tries take about 2 s on one core at a load average of 5 on
        the two cores, so a run on a busy machine still usually ends on effort, not on the
        clock. More effort only extends the same search (no plan ending on effort gets
        worse); on BR1/BR4/BR7 (6 problems each) it gained 0 / +0.48 / +1.35 points.
    max_blocks
        Cap on the number of candidate blocks per problem (simple blocks are all kept;
        general blocks fill the rest, largest first).
    general_blocks_min_types
        Build general blocks (pairs of simple blocks) for problems with at least this many
        box types (default 21), and never under load-bearing or multi-drop rules. Measured
        here: on BR1–BR7 (3–20 types) they gained nothing and slowed the search; on
        60–100-type look-alikes of the strongly heterogeneous classes they added 0.7–2 points.
    heterogeneous_effort_per_s
        `effort_per_s` for those problems (default 30 000). Their tries cost more (larger
        block tables); round 2 used 9000 (+0.5–0.7 points on 60-type look-alikes against
        3000); in round 3, on the 10 SYN60 look-alikes, 90 000 / 180 000 / 360 000 tries
        gave 90.04 / 90.27 / 90.76 %, about 4.6 s for 360 000 on one core at a load average
        of 5. On a busier machine the clock (90 % of the limit) may stop the search first,
        and then a run is no longer repeatable.
    """

    time_limit_s: float = 10.0
    seed: int = 1
    effort_per_s: int = 30000
    max_blocks: int = 6000
    general_blocks_min_types: int = 21
    heterogeneous_effort_per_s: int = 30000

    def __post_init__(self) -> None:
        if not self.time_limit_s > 0:
            raise ValueError(f"time_limit_s must be > 0, got {self.time_limit_s}")
        if self.seed < 0:
            raise ValueError(f"seed must be ≥ 0, got {self.seed}")
        if self.effort_per_s < 1:
            raise ValueError(f"effort_per_s must be ≥ 1, got {self.effort_per_s}")
        if self.heterogeneous_effort_per_s < 1:
            raise ValueError(
                f"heterogeneous_effort_per_s must be ≥ 1, got {self.heterogeneous_effort_per_s}"
            )
        if self.general_blocks_min_types < 0:
            raise ValueError("general_blocks_min_types must be ≥ 0")
        if self.max_blocks < 1:
            raise ValueError(f"max_blocks must be ≥ 1, got {self.max_blocks}")

    @property
    def effort(self) -> int:
        """Total block placements the search may try."""
        return max(1, int(self.time_limit_s * self.effort_per_s))

    @property
    def heterogeneous_effort(self) -> int:
        """Total block placements on problems that get general blocks."""
        return max(1, int(self.time_limit_s * self.heterogeneous_effort_per_s))
