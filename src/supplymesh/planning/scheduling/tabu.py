"""Tabu search on the critical-block neighbourhood: good job-shop schedules in seconds.

CP-SAT alone, on 20×20 instances and two cores, spends most of a minute closing the last
few percent; a tabu search over machine orders gets there much faster. The search follows
the usual recipe: a schedule is a permutation per machine, its makespan the longest path of
the disjunctive graph; moves only touch critical blocks (runs of critical operations on one
machine), because no other change can shorten the critical path (E. Nowicki, C. Smutnicki,
"A fast taboo search algorithm for the job shop problem", Management Science 42(6), 1996).
The moves are N7's (C. Y. Zhang et al., "A tabu search method with a new neighborhood
structure for the job shop scheduling problem", Computers & OR 34, 2007): an operation of a
block moves to the block's front or back, or the first or last operation moves inside it.
Moves are kept acyclic by Balas and Vazacopoulos's conditions (Management Science 44(2),
1998) and ranked by an estimate that recomputes heads and tails only inside the moved
segment. When the search stalls it restarts from the best schedule after random swaps.

The kernels are compiled by numba when it is installed (they then release the GIL, so two
searches run on two cores); without numba the same code runs as plain, slow Python.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar, cast

import numpy as np
import numpy.typing as npt

from supplymesh.planning.scheduling.problem import JobShopProblem

Ints = npt.NDArray[np.int64]
_F = TypeVar("_F", bound=Callable[..., Any])

# Entries of the per-search state vector shared between the Python loop and the kernel.
_CLOCK, _BEST, _LAST_GAIN, _SEEDED, _DONE, _UNDO_M, _UNDO_FROM, _UNDO_TO = range(8)
_STATE_SIZE = 8
# Largest problem (operations) given to the search: its tabu matrix is n² integers.
MAX_OPERATIONS = 4000


def _compiled(fn: _F) -> _F:
    try:
        import numba  # type: ignore[import-untyped,unused-ignore]
    except ImportError:  # pragma: no cover - numba is a declared dependency
        return fn
    try:
        return cast(_F, numba.njit(cache=True, nogil=True)(fn))
    except RuntimeError:  # no writable cache location: compile in every process instead
        return cast(_F, numba.njit(nogil=True)(fn))


@_compiled
def _link(seq: Ints, mlen: Ints, pos: Ints, mp: Ints, ms: Ints, m: int) -> None:
    """Refresh positions and machine predecessor/successor links of machine `m`."""
    n = mlen[m]
    for i in range(n):
        u = seq[m, i]
        pos[u] = i
        mp[u] = seq[m, i - 1] if i > 0 else -1
        ms[u] = seq[m, i + 1] if i + 1 < n else -1


@_compiled
def _heads_tails(
    p: Ints, rel: Ints, jp: Ints, js: Ints, mp: Ints, ms: Ints,
    r: Ints, q: Ints, order: Ints, indeg: Ints,
) -> int:  # fmt: skip
    """Heads (earliest starts) and tails (work after the end); the makespan, or −1 on a cycle."""
    n = p.shape[0]
    tail = 0
    for u in range(n):
        indeg[u] = (1 if jp[u] >= 0 else 0) + (1 if mp[u] >= 0 else 0)
        if indeg[u] == 0:
            order[tail] = u
            tail += 1
    head = 0
    while head < tail:
        u = order[head]
        head += 1
        v = js[u]
        if v >= 0:
            indeg[v] -= 1
            if indeg[v] == 0:
                order[tail] = v
                tail += 1
        v = ms[u]
        if v >= 0:
            indeg[v] -= 1
            if indeg[v] == 0:
                order[tail] = v
                tail += 1
    if tail < n:
        return -1
    makespan = 0
    for i in range(n):
        u = order[i]
        a = rel[u]
        v = jp[u]
        if v >= 0 and r[v] + p[v] > a:
            a = r[v] + p[v]
        v = mp[u]
        if v >= 0 and r[v] + p[v] > a:
            a = r[v] + p[v]
        r[u] = a
        if a + p[u] > makespan:
            makespan = a + p[u]
    for i in range(n - 1, -1, -1):
        u = order[i]
        b = 0
        v = js[u]
        if v >= 0 and q[v] + p[v] > b:
            b = q[v] + p[v]
        v = ms[u]
        if v >= 0 and q[v] + p[v] > b:
            b = q[v] + p[v]
        q[u] = b
    return makespan


@_compiled
def _move(seq: Ints, mlen: Ints, pos: Ints, mp: Ints, ms: Ints, m: int, i: int, t: int) -> None:
    """Move the operation at position i of machine m to position t."""
    u = seq[m, i]
    if i < t:
        for k in range(i, t):
            seq[m, k] = seq[m, k + 1]
    else:
        for k in range(i, t, -1):
            seq[m, k] = seq[m, k - 1]
    seq[m, t] = u
    _link(seq, mlen, pos, mp, ms, m)


@_compiled
def _estimate(
    p: Ints, rel: Ints, jp: Ints, js: Ints, mp: Ints, ms: Ints, r: Ints, q: Ints,
    seq: Ints, mlen: Ints, m: int, i: int, t: int, buf: Ints,
) -> int:  # fmt: skip
    """Longest path through the moved segment after moving position i to t on machine m."""
    lo, hi = (i, t) if i < t else (t, i)
    k = 0
    if i < t:
        for x in range(i + 1, t + 1):
            buf[k] = seq[m, x]
            k += 1
        buf[k] = seq[m, i]
        k += 1
    else:
        buf[k] = seq[m, i]
        k += 1
        for x in range(t, i):
            buf[k] = seq[m, x]
            k += 1
    before = seq[m, lo - 1] if lo > 0 else -1
    after = seq[m, hi + 1] if hi + 1 < mlen[m] else -1
    ready = r[before] + p[before] if before >= 0 else 0
    heads = buf[k : 2 * k]
    for x in range(k):
        u = buf[x]
        a = rel[u]
        v = jp[u]
        if v >= 0 and r[v] + p[v] > a:
            a = r[v] + p[v]
        if ready > a:
            a = ready
        heads[x] = a
        ready = a + p[u]
    follow = q[after] + p[after] if after >= 0 else 0
    best = 0
    for x in range(k - 1, -1, -1):
        u = buf[x]
        b = follow
        v = js[u]
        if v >= 0 and q[v] + p[v] > b:
            b = q[v] + p[v]
        if heads[x] + p[u] + b > best:
            best = heads[x] + p[u] + b
        follow = b + p[u]
    return best


@_compiled
def _feasible(
    p: Ints, jp: Ints, js: Ints, r: Ints, q: Ints, seq: Ints, m: int, i: int, t: int
) -> bool:
    """Balas–Vazacopoulos: the move cannot close a cycle (positive durations)."""
    u = seq[m, i]
    if i < t:
        v = seq[m, t]
        w = js[u]
        return bool(w < 0 or q[v] + p[v] >= q[w] + p[w])
    v = seq[m, t]
    w = jp[u]
    return bool(w < 0 or r[v] + p[v] >= r[w] + p[w])


@_compiled
def _is_tabu(tabu: Ints, seq: Ints, m: int, i: int, t: int, clock: int) -> bool:
    u = seq[m, i]
    if i < t:
        for x in range(i + 1, t + 1):
            if tabu[seq[m, x], u] > clock:
                return True
    else:
        for x in range(t, i):
            if tabu[u, seq[m, x]] > clock:
                return True
    return False


@_compiled
def _forbid_undo(tabu: Ints, seq: Ints, m: int, i: int, t: int, until: int) -> None:
    """Before moving i to t: forbid the orders the move reverses from coming back."""
    u = seq[m, i]
    if i < t:
        for x in range(i + 1, t + 1):
            tabu[u, seq[m, x]] = until
    else:
        for x in range(t, i):
            tabu[seq[m, x], u] = until


@_compiled
def _critical_path(p: Ints, jp: Ints, mp: Ints, r: Ints, q: Ints, makespan: int, path: Ints) -> int:
    """One critical path, first operation first, into `path`; returns its length."""
    n = p.shape[0]
    end = -1
    for u in range(n):
        if r[u] + p[u] == makespan and q[u] == 0:
            end = u
            break
    k = 0
    u = end
    while u >= 0:
        path[k] = u
        k += 1
        a = mp[u]
        b = jp[u]
        tight_a = a >= 0 and r[a] + p[a] == r[u]
        tight_b = b >= 0 and r[b] + p[b] == r[u]
        if tight_a and tight_b:
            u = a if np.random.random() < 0.5 else b
        elif tight_a:
            u = a
        elif tight_b:
            u = b
        else:
            u = -1
    path[:k] = path[:k][::-1].copy()
    return k


@_compiled
def _search(
    p: Ints, rel: Ints, jp: Ints, js: Ints, mach: Ints,
    seq: Ints, mlen: Ints, pos: Ints, mp: Ints, ms: Ints, best_seq: Ints,
    tabu: Ints, state: Ints, work: Ints,
    iterations: int, lower: int, stall: int, tenure_min: int, tenure_max: int, seed: int,
) -> None:  # fmt: skip
    """Run `iterations` tabu-search steps, keeping the best machine orders in `best_seq`."""
    n = p.shape[0]
    if state[_SEEDED] == 0:
        np.random.seed(seed)
        state[_SEEDED] = 1
    r = work[0]
    q = work[1]
    order = work[2]
    indeg = work[3]
    path = work[4]
    buf = work[5]
    for _ in range(iterations):
        if state[_DONE] != 0:
            return
        clock = state[_CLOCK]
        makespan = _heads_tails(p, rel, jp, js, mp, ms, r, q, order, indeg)
        if makespan < 0:  # a zero-duration corner closed a cycle: undo the last move
            m, i, t = state[_UNDO_M], state[_UNDO_FROM], state[_UNDO_TO]
            _forbid_undo(tabu, seq, m, t, i, clock + tenure_max)
            _move(seq, mlen, pos, mp, ms, m, t, i)
            state[_CLOCK] = clock + 1
            continue
        if makespan < state[_BEST]:
            state[_BEST] = makespan
            state[_LAST_GAIN] = clock
            best_seq[:, :] = seq
            if makespan <= lower:
                state[_DONE] = 1
                return
        if clock - state[_LAST_GAIN] > stall:
            seq[:, :] = best_seq
            for m in range(mlen.shape[0]):
                _link(seq, mlen, pos, mp, ms, m)
            _kick(p, rel, jp, js, mach, seq, mlen, pos, mp, ms, work, 2 + n // 100)
            clock += tenure_max + 1  # every tabu entry expires
            state[_LAST_GAIN] = clock
            state[_CLOCK] = clock
            continue
        length = _critical_path(p, jp, mp, r, q, makespan, path)
        best_est = -1
        best_m = best_i = best_t = -1
        ties = 0
        any_m = any_i = any_t = -1
        count = 0
        a = 0
        while a < length:
            b = a
            while b + 1 < length and ms[path[b]] == path[b + 1]:
                b += 1
            if b > a:
                m = mach[path[a]]
                s = pos[path[a]]
                e = pos[path[b]]
                for i in range(s, e + 1):
                    for t in range(s, e + 1):
                        if i == t:
                            continue
                        if i == s:
                            allowed = True
                        elif i == e:
                            allowed = not (t == s and e - s == 1)
                        else:
                            allowed = (t == s and i != s + 1) or (t == e and i != e - 1)
                        if not allowed:
                            continue
                        if not _feasible(p, jp, js, r, q, seq, m, i, t):
                            continue
                        count += 1
                        if np.random.randint(count) == 0:
                            any_m, any_i, any_t = m, i, t
                        est = _estimate(p, rel, jp, js, mp, ms, r, q, seq, mlen, m, i, t, buf)
                        if _is_tabu(tabu, seq, m, i, t, clock) and est >= state[_BEST]:
                            continue
                        if best_est < 0 or est < best_est:
                            best_est, best_m, best_i, best_t, ties = est, m, i, t, 1
                        elif est == best_est:
                            ties += 1
                            if np.random.randint(ties) == 0:
                                best_m, best_i, best_t = m, i, t
            a = b + 1
        if count == 0:  # the critical path is one job's chain: nothing beats it
            state[_DONE] = 1
            return
        if best_m < 0:
            best_m, best_i, best_t = any_m, any_i, any_t
        tenure = tenure_min + np.random.randint(tenure_max - tenure_min + 1)
        _forbid_undo(tabu, seq, best_m, best_i, best_t, clock + tenure)
        _move(seq, mlen, pos, mp, ms, best_m, best_i, best_t)
        state[_UNDO_M], state[_UNDO_FROM], state[_UNDO_TO] = best_m, best_i, best_t
        state[_CLOCK] = clock + 1


@_compiled
def _kick(
    p: Ints, rel: Ints, jp: Ints, js: Ints, mach: Ints,
    seq: Ints, mlen: Ints, pos: Ints, mp: Ints, ms: Ints, work: Ints, swaps: int,
) -> None:  # fmt: skip
    """Swap random adjacent pairs of critical blocks (always acyclic) `swaps` times."""
    r = work[0]
    q = work[1]
    for _ in range(swaps):
        makespan = _heads_tails(p, rel, jp, js, mp, ms, r, q, work[2], work[3])
        if makespan < 0:
            return
        length = _critical_path(p, jp, mp, r, q, makespan, work[4])
        path = work[4]
        candidates = 0
        pick = -1
        for x in range(length - 1):
            if ms[path[x]] == path[x + 1]:
                candidates += 1
                if np.random.randint(candidates) == 0:
                    pick = x
        if pick < 0:
            return
        u = path[pick]
        _move(seq, mlen, pos, mp, ms, mach[u], pos[u], pos[u] + 1)


class _Search:
    """One search's arrays: static problem data shared, orders and state its own."""

    def __init__(self, arrays: dict[str, Ints], seq: Ints, mlen: Ints, seed: int) -> None:
        n = arrays["p"].shape[0]
        self.a = arrays
        self.seq = seq.copy()
        self.mlen = mlen
        self.best_seq = seq.copy()
        self.pos = np.zeros(n, dtype=np.int64)
        self.mp = np.zeros(n, dtype=np.int64)
        self.ms = np.zeros(n, dtype=np.int64)
        for m in range(mlen.shape[0]):
            _link(self.seq, mlen, self.pos, self.mp, self.ms, m)
        self.tabu = np.zeros((n, n), dtype=np.int64)
        self.state = np.zeros(_STATE_SIZE, dtype=np.int64)
        self.state[_BEST] = np.iinfo(np.int64).max
        self.work = np.zeros((6, 2 * n + 2), dtype=np.int64)
        self.seed = seed

    def run(self, iterations: int, lower: int, stall: int, tenure: tuple[int, int]) -> None:
        a = self.a
        _search(
            a["p"], a["rel"], a["jp"], a["js"], a["mach"],
            self.seq, self.mlen, self.pos, self.mp, self.ms, self.best_seq,
            self.tabu, self.state, self.work,
            iterations, lower, stall, tenure[0], tenure[1], self.seed,
        )  # fmt: skip

    @property
    def best(self) -> int:
        return int(self.state[_BEST])

    @property
    def done(self) -> bool:
        return bool(self.state[_DONE])


def tabu_search(
    problem: JobShopProblem,
    starts: Sequence[Sequence[int]],
    seconds: float,
    seed: int,
    lower: int = 0,
    threads: int = 2,
) -> tuple[list[list[int]], int]:
    """Improve the schedule `starts` for `seconds`; returns the best (starts, makespan).

    The seconds do not count numba's compilation on the first call of a fresh install.

    `threads` independent searches (different seeds) run side by side; the search stops early
    when it reaches `lower`. Problems above :data:`MAX_OPERATIONS` operations, or schedules
    whose machine orders are not acyclic, come back unchanged.
    """
    ops = [(j, k) for j, job in enumerate(problem.jobs) for k in range(len(job.operations))]
    given = max(starts[j][k] + problem.jobs[j].operations[k].duration for j, k in ops)
    unchanged = ([list(row) for row in starts], given)
    if len(ops) > MAX_OPERATIONS or len(ops) < 2:
        return unchanged
    arrays, seq, mlen = _encode(problem, starts)
    tenure_min = 10 + problem.n_jobs // problem.n_machines
    tenure = (tenure_min, tenure_min + max(2, tenure_min * 2 // 5))
    stall = max(2000, 10 * len(ops))
    searches = [_Search(arrays, seq, mlen, seed * 7919 + i) for i in range(max(1, threads))]
    for search in searches:  # compiles on the first call (or loads numba's cache)
        search.run(1, lower, stall, tenure)
    if min(s.best for s in searches) > given:  # the given orders do not form a schedule
        return unchanged
    for search in searches:  # numba's random state is per thread: seed again in the thread
        search.state[_SEEDED] = 0
    # The clock starts after the first call: numba's one-off compilation (about ten seconds,
    # then cached on disk) should not eat the search time.
    deadline = time.perf_counter() + seconds

    def drive(search: _Search) -> None:
        chunk = 200
        while not search.done:
            left = deadline - time.perf_counter()
            if left <= 0:
                return
            began = time.perf_counter()
            search.run(chunk, lower, stall, tenure)
            spent = time.perf_counter() - began
            # Aim at ~50 ms per call so the deadline is kept closely.
            chunk = max(20, min(100_000, int(chunk * 0.05 / max(spent, 1e-4))))

    workers = [threading.Thread(target=drive, args=(s,), daemon=True) for s in searches[1:]]
    for worker in workers:
        worker.start()
    drive(searches[0])
    for worker in workers:
        worker.join()
    winner = min(searches, key=lambda s: s.best)
    return _decode(problem, arrays, winner.best_seq, mlen), winner.best


def _encode(
    problem: JobShopProblem, starts: Sequence[Sequence[int]]
) -> tuple[dict[str, Ints], Ints, Ints]:
    """Flat operation arrays and each machine's order in `starts` (ties: job, step)."""
    index: dict[tuple[int, int], int] = {}
    p: list[int] = []
    rel: list[int] = []
    jp: list[int] = []
    js: list[int] = []
    mach: list[int] = []
    per_machine: list[list[tuple[int, int, int]]] = [[] for _ in range(problem.n_machines)]
    for j, job in enumerate(problem.jobs):
        for k, op in enumerate(job.operations):
            u = len(p)
            index[(j, k)] = u
            p.append(op.duration)
            rel.append(job.release if k == 0 else 0)
            jp.append(u - 1 if k > 0 else -1)
            js.append(u + 1 if k + 1 < len(job.operations) else -1)
            mach.append(op.machine)
            per_machine[op.machine].append((starts[j][k], op.duration, u))
    width = max(1, max(len(chain) for chain in per_machine))
    seq = np.full((problem.n_machines, width), -1, dtype=np.int64)
    mlen = np.zeros(problem.n_machines, dtype=np.int64)
    for m, chain in enumerate(per_machine):
        chain.sort()
        mlen[m] = len(chain)
        for i, (_s, _d, u) in enumerate(chain):
            seq[m, i] = u
    arrays = {
        name: np.asarray(values, dtype=np.int64)
        for name, values in (("p", p), ("rel", rel), ("jp", jp), ("js", js), ("mach", mach))
    }
    return arrays, seq, mlen


def _decode(
    problem: JobShopProblem, arrays: dict[str, Ints], seq: Ints, mlen: Ints
) -> list[list[int]]:
    """Semi-active starts (every operation as early as its predecessors allow) of `seq`."""
    n = arrays["p"].shape[0]
    pos = np.zeros(n, dtype=np.int64)
    mp = np.zeros(n, dtype=np.int64)
    ms = np.zeros(n, dtype=np.int64)
    own = seq.copy()
    for m in range(mlen.shape[0]):
        _link(own, mlen, pos, mp, ms, m)
    r = np.zeros(n, dtype=np.int64)
    q = np.zeros(n, dtype=np.int64)
    _heads_tails(
        arrays["p"], arrays["rel"], arrays["jp"], arrays["js"], mp, ms, r, q,
        np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64),
    )  # fmt: skip
    out: list[list[int]] = []
    u = 0
    for job in problem.jobs:
        out.append([int(r[u + k]) for k in range(len(job.operations))])
        u += len(job.operations)
    return out
