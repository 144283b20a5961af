"""PyVRP's iterated local search, driven step by step so that a run can take in outside help.

`pyvrp.solve` runs its search to the end in one call, with no way to hand it a better
solution found elsewhere. `Search` builds the very same components (`LocalSearch` with the
default operators and neighbourhoods, `PenaltyManager` at its mid-point penalties, a random
start improved exhaustively) from the same seed and repeats the same step: perturb and improve
the current solution, keep the best feasible one, accept by late-acceptance hill climbing
(Burke & Bykov, EJOR 2017, both enhancements of their section 4.2) over the last 300 currents,
and restart from the best after 150,000 steps without improvement. Run alone for a number of
steps it returns exactly what `pyvrp.solve` returns (a test holds it to that); `adopt` is the
one addition, a restart from a solution another process found.
"""

from __future__ import annotations

import time
from collections import deque

import pyvrp
from pyvrp import IteratedLocalSearchParams, PenaltyManager, ProblemData, Solution
from pyvrp.search import LocalSearch, PerturbationManager, compute_neighbours


class Search:
    """One search trajectory over ``data``: call `step` until time is up, read `best`."""

    def __init__(self, data: ProblemData, seed: int) -> None:
        params = pyvrp.SolveParams()
        self._data = data
        rng = pyvrp.RandomNumberGenerator(seed=seed)
        neighbours = compute_neighbours(data, params.neighbourhood)
        self._ls = LocalSearch(data, rng, neighbours, PerturbationManager(params.perturbation))
        for op in params.operators:
            if op.supports(data):
                self._ls.add_operator(op(data))
        self._pm = PenaltyManager(params.penalty.midpoint_penalties(data), params.penalty)
        self._ils: IteratedLocalSearchParams = params.ils
        start = Solution.make_random(data, rng)
        self._init = self._ls(start, self._pm.max_cost_evaluator(), exhaustive=True)
        self.best = self.current = self._init
        self._history: deque[Solution | None] = deque(maxlen=self._ils.history_length)
        self._clear_history()
        self._since_improvement = 0
        self.steps = 0

    def _clear_history(self) -> None:
        # A ring of "no entry yet" slots: the slot read is the one the next write replaces.
        self._history.clear()
        self._history.extend([None] * self._ils.history_length)

    def best_cost(self) -> int | None:
        """Objective of the best solution when it is feasible, else None."""
        if not self.best.is_feasible():
            return None
        return int(self._pm.cost_evaluator().cost(self.best))

    def step(self) -> None:
        """One perturb-and-improve step with late acceptance (one `pyvrp.solve` iteration)."""
        self.steps += 1
        if self._since_improvement == self._ils.num_iters_no_improvement:
            self._clear_history()
            self.current = self.best
            self._since_improvement = 0

        evaluator = self._pm.cost_evaluator()
        candidate = self._ls(self.current, evaluator, exhaustive=False)
        self._pm.register(candidate)
        self._since_improvement += 1
        if evaluator.cost(candidate) < evaluator.cost(self.best):
            self.best = candidate
            self._since_improvement = 0
            if self._ils.exhaustive_on_best:
                # As in PyVRP, the polished solution also goes on as the candidate.
                candidate = self._ls(candidate, evaluator, exhaustive=True)
                if candidate.is_feasible():
                    self.best = candidate

        candidate_cost = evaluator.penalised_cost(candidate)
        current_cost = evaluator.penalised_cost(self.current)
        late = self._history[0]
        late_cost = evaluator.penalised_cost(late if late is not None else self._init)
        if candidate_cost < late_cost or candidate_cost < current_cost:
            self.current, current_cost = candidate, candidate_cost
        # The ring advances either way; it is only overwritten by a current that beats it.
        keep = current_cost < late_cost or late is None
        self._history.append(self.current if keep else late)

    def adopt(self, solution: Solution) -> None:
        """Restart from ``solution`` (better than our best, found by another process).

        The acceptance history is filled with it rather than emptied: an empty history
        accepts every candidate until it fills, a walk away from the very plan adopted.
        """
        self.best = self.current = solution
        self._history.clear()
        self._history.extend([solution] * self._ils.history_length)
        self._since_improvement = 0

    def run_until(self, deadline: float, max_steps: int | None = None) -> None:
        """Step until ``time.time()`` passes ``deadline`` or ``max_steps`` steps are done."""
        while time.time() < deadline and (max_steps is None or self.steps < max_steps):
            self.step()
