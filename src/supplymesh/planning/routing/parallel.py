"""Several PyVRP searches on one problem, one per core, sharing their best solution.

PyVRP searches on one core. With more cores, each extra worker process runs its own `Search`
(seed + k) until the same deadline, and every ``sync_interval_s`` each worker visits a shared
board holding the best feasible plan found so far by anyone: it posts its own best if that is
better. A helper (k > 0) whose best is worse than the board's restarts from the board's, the
"migrate the best" scheme of cooperative parallel local search (Crainic & Toulouse, "Parallel
meta-heuristics", 2010), so spare cores intensify around the best region found. Worker 0, in
the caller's process (the answer never waits for a process start-up), never adopts: it is
`pyvrp.solve` with the caller's seed, step for step, so the plan returned (the best any worker
posted) is never worse than plain PyVRP's given the same steps, nor than any worker's own best.

Workers are started from a fork server (spawn where there is none): never a plain fork of a
caller that may run threads, such as the web server.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import time
from dataclasses import dataclass
from multiprocessing.context import ForkServerContext, SpawnContext
from multiprocessing.sharedctypes import Synchronized, SynchronizedArray
from typing import Any

import pyvrp
from pyvrp import ProblemData, Solution

from supplymesh.planning.routing.ils import Search

#: The board's "nothing posted yet" cost.
_EMPTY = 2**62
#: How long after the deadline a worker may take to finish its last step and report.
_GRACE_S = 10.0


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity where the OS tells it)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class SearchOutcome:
    """The best solution over all workers and each worker's own best feasible cost."""

    best: Solution
    worker_costs: tuple[int | None, ...]
    steps: tuple[int, ...]


def encode(solution: Solution) -> list[int]:
    """A plan as integers: route count, then each route's vehicle type, length and clients."""
    words = [solution.num_routes()]
    for route in solution.routes():
        visits = [a.idx for a in route if a.is_client()]
        words += [route.vehicle_type(), len(visits), *visits]
    return words


def decode(data: ProblemData, words: list[int]) -> Solution:
    """The inverse of `encode`."""
    routes, at = [], 1
    for _ in range(words[0]):
        vehicle_type, length = words[at], words[at + 1]
        visits = words[at + 2 : at + 2 + length]
        routes.append(pyvrp.Route(data, visits, vehicle_type))
        at += 2 + length
    return Solution(data, routes)


class Board:
    """The shared best plan: ``[version, cost, encoded plan…]`` in one locked int64 array."""

    def __init__(self, array: SynchronizedArray[Any]) -> None:
        self._array = array
        self.seen = 0

    @staticmethod
    def create(ctx: ForkServerContext | SpawnContext, data: ProblemData) -> SynchronizedArray[Any]:
        """An empty board big enough for any plan of ``data`` (at most one route per client)."""
        array = ctx.Array("q", 3 + 3 * data.num_clients, lock=True)
        array[1] = _EMPTY
        return array

    def exchange(self, search: Search, data: ProblemData, *, adopt: bool = True) -> None:
        """Post our best if it beats the board; restart from the board's if that beats ours
        (and ``adopt``)."""
        own = search.best_cost()
        with self._array.get_lock():
            version, posted = self._array[0], self._array[1]
            if own is not None and own < posted:
                words = encode(search.best)
                self._array[2 : 2 + len(words)] = words
                self._array[0], self._array[1] = version + 1, own
                self.seen = version + 1
                return
            if not adopt or version == self.seen or (own is not None and posted >= own):
                return
            words = list(self._array[2:])
            self.seen = version
        search.adopt(decode(data, words))

    def best(self, data: ProblemData) -> tuple[int, Solution] | None:
        """The posted plan and its cost, if any (None too if a killed worker left the
        board locked)."""
        lock = self._array.get_lock()
        if not lock.acquire(timeout=_GRACE_S):
            return None
        try:
            if self._array[0] == 0:
                return None
            cost = int(self._array[1])
            words = list(self._array[2:])
        finally:
            lock.release()
        return cost, decode(data, words)


def _drive(
    search: Search,
    data: ProblemData,
    deadline: float,
    sync_interval_s: float,
    board: Board,
    finals: SynchronizedArray[Any],
    index: int,
) -> None:
    """Search until ``deadline``, visiting the board at every interval, then report.

    Worker 0 only ever posts, so its trajectory is exactly that of `pyvrp.solve` with the
    caller's seed and the answer can only be better than PyVRP's own for the same steps;
    the helpers adopt the board's plan whenever it beats theirs.
    """
    next_sync = time.time() + sync_interval_s
    while time.time() < deadline:
        search.run_until(min(deadline, next_sync))
        board.exchange(search, data, adopt=index > 0 and time.time() < deadline)
        next_sync = time.time() + sync_interval_s
    cost = search.best_cost()
    finals[2 * index] = -1 if cost is None else cost
    finals[2 * index + 1] = search.steps


def _helper(
    data: ProblemData,
    seed: int,
    deadline: Synchronized[float],
    sync_interval_s: float,
    board_array: SynchronizedArray[Any],
    finals: SynchronizedArray[Any],
    index: int,
) -> None:
    """A helper process: build its start, wait for worker 0 to fix the deadline, search."""
    search = Search(data, seed)
    while deadline.value == 0.0:
        time.sleep(0.005)
    _drive(search, data, deadline.value, sync_interval_s, Board(board_array), finals, index)


def _context() -> ForkServerContext | SpawnContext:
    if "forkserver" not in mp.get_all_start_methods():
        return mp.get_context("spawn")
    ctx = mp.get_context("forkserver")
    # Forked workers then start with PyVRP and this module already imported.
    ctx.set_forkserver_preload([__name__])
    return ctx


def cooperative_search(
    data: ProblemData, seed: int, time_limit_s: float, workers: int, sync_interval_s: float
) -> SearchOutcome:
    """Run ``workers`` searches on ``data`` for ``time_limit_s``; return the best.

    As with PyVRP's `MaxRuntime`, the clock starts once worker 0 has its first solution
    (random, then improved exhaustively). Worker ``k`` uses seed ``seed + k``; worker 0 runs
    in this process, so with one worker this is `pyvrp.solve` with seed ``seed``, step for
    step.
    """
    if workers <= 1:
        search = Search(data, seed)
        search.run_until(time.time() + time_limit_s)
        return SearchOutcome(search.best, (search.best_cost(),), (search.steps,))

    ctx = _context()
    board_array = Board.create(ctx, data)
    finals = ctx.Array("q", [-1, 0] * workers, lock=True)
    deadline = ctx.Value("d", 0.0, lock=False)
    children = [
        ctx.Process(
            target=_helper,
            args=(data, seed + k, deadline, sync_interval_s, board_array, finals, k),
            daemon=True,
        )
        for k in range(1, workers)
    ]
    for child in children:
        child.start()
    try:
        own = Search(data, seed)
        deadline.value = time.time() + time_limit_s
        _drive(own, data, deadline.value, sync_interval_s, Board(board_array), finals, 0)
    finally:
        deadline.value = deadline.value or time.time()  # never leave a helper waiting
        for child in children:
            child.join(_GRACE_S)
            if child.is_alive():
                child.terminate()
                child.join()
    costs = tuple(None if finals[2 * k] < 0 else int(finals[2 * k]) for k in range(workers))
    steps = tuple(int(finals[2 * k + 1]) for k in range(workers))
    posted = Board(board_array).best(data)
    # Nothing posted means no worker found a feasible plan: return ours for the checker to judge.
    return SearchOutcome(own.best if posted is None else posted[1], costs, steps)
