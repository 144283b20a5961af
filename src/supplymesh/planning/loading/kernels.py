"""The packer's per-step loops compiled with numba: candidate scan, space cut, next space,
and the whole greedy completion.

Round 3 profile (one 60-type look-alike, 30 000 tries): the numpy candidate scan cost about
66 µs a call, mostly fixed overhead of a dozen whole-table array operations, and the Python
maximal-space update about 90 µs; one compiled pass over the table, stopping as soon as no
later block can rank, costs a few. Each kernel gives exactly the answer of the Python code
it replaced; without numba the same functions run as plain (slow) Python.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
_F = TypeVar("_F", bound=Callable[..., Any])

PRUNE_HEAD = 48  # fitting blocks collected before the rest are pruned by volume
# Slots of the work counter (weighed in budget.py): blocks examined by the scan, space pairs
# compared by the cut, spaces looked at for the next one, kernel calls, and (counted by the
# Python steps in packing.py) Python steps and placed blocks checked against a candidate.
SCANNED, SPACE_PAIRS, SPACES_SEEN, CALLS, PY_STEPS, PY_PAIRS = range(6)
WORK_SLOTS = 6


def _compiled(fn: _F) -> _F:
    try:
        import numba  # type: ignore[import-untyped,unused-ignore]
    except ImportError:  # pragma: no cover - numba is a declared dependency
        return fn
    try:
        return cast(_F, numba.njit(cache=True, nogil=True)(fn))
    except RuntimeError:  # pragma: no cover - no writable cache: compile in each process
        return cast(_F, numba.njit(nogil=True)(fn))


@_compiled
def scan_blocks(
    dx: IntArray,
    dy: IntArray,
    dz: IntArray,
    volume: IntArray,
    weight: FloatArray,
    avail: BoolArray,
    space: IntArray,
    weight_cap: float,
    fill_flat: IntArray,
    fill_up: IntArray,
    limit: int,
    prune: bool,
    out_ids: IntArray,
    out_fit: IntArray,
    work: IntArray,
) -> int:
    """Blocks that fit `space` (its three lengths), with their fit (volume less the side
    slabs no box edges can fill), written to `out_ids`/`out_fit`; returns how many.

    With `prune` (blocks sorted by non-increasing volume, fit ≤ volume), blocks that cannot
    be among the `limit` best by (fit desc, id asc) may be left out: those larger than the
    space, and, once `PRUNE_HEAD + limit` were found, those whose volume is below the
    `limit`-th best fit so far. With `limit` 1 the single best is returned directly.
    """
    n = dx.shape[0]
    sx, sy, sz = space[0], space[1], space[2]
    start = 0
    if prune:
        cap = sx * sy * sz
        lo, hi = 0, n
        while lo < hi:  # first block no larger than the space
            mid = (lo + hi) // 2
            if volume[mid] > cap:
                lo = mid + 1
            else:
                hi = mid
        start = lo
    head = PRUNE_HEAD + limit
    count = 0
    have_bar = False
    bar = 0
    single = prune and limit == 1
    seen = 0
    for i in range(start, n):
        v = volume[i]
        if have_bar and (v <= bar if single else v < bar):
            break
        seen += 1
        a, b, c = dx[i], dy[i], dz[i]
        if a > sx or b > sy or c > sz or not avail[i] or weight[i] > weight_cap:
            continue
        rx, ry, rz = sx - a, sy - b, sz - c
        fit = v - (
            (rx - fill_flat[rx]) * b * c + (ry - fill_flat[ry]) * a * c + (rz - fill_up[rz]) * a * b
        )
        if single:
            if count == 0 or fit > out_fit[0]:
                out_ids[0] = i
                out_fit[0] = fit
                count = 1
                have_bar = True
                bar = fit
            continue
        out_ids[count] = i
        out_fit[count] = fit
        count += 1
        if prune and count == head:
            bar = np.sort(out_fit[:count])[count - limit]
            have_bar = True
    work[SCANNED] += seen
    work[CALLS] += 1
    return count


@_compiled
def cut_spaces(
    spaces: IntArray,
    block: IntArray,
    area: IntArray,
    min_edge: int,
    work: IntArray,
) -> IntArray:
    """The maximal spaces after a block fills `block` (x0, y0, z0, x1, y1, z1).

    Spaces the block misses stay, in order; each one it cuts leaves up to six pieces (the
    one above the block shrunk to its packing `area`, x0, y0, x1, y1, so every floor stays
    fully supported); pieces thinner than `min_edge` go; a new top is also joined with an
    old space on the same floor height that it touches along an edge (so a later block can
    bridge two equal tops); then every new piece inside another space goes.
    """
    n = spaces.shape[0]
    bx0, by0, bz0, bx1, by1, bz1 = block[0], block[1], block[2], block[3], block[4], block[5]
    ax0, ay0, ax1, ay1 = area[0], area[1], area[2], area[3]
    kept = np.empty((n, 6), dtype=np.int64)
    fresh = np.empty((6 * n, 6), dtype=np.int64)
    nk = 0
    nf = 0
    piece = np.empty(6, dtype=np.int64)
    for k in range(n):
        x0, y0, z0, x1, y1, z1 = (
            spaces[k, 0], spaces[k, 1], spaces[k, 2], spaces[k, 3], spaces[k, 4], spaces[k, 5]
        )  # fmt: skip
        if not (x0 < bx1 and bx0 < x1 and y0 < by1 and by0 < y1 and z0 < bz1 and bz0 < z1):
            kept[nk, :] = spaces[k, :]
            nk += 1
            continue
        for side in range(6):
            piece[0], piece[1], piece[2], piece[3], piece[4], piece[5] = x0, y0, z0, x1, y1, z1
            if side == 0:
                if not x0 < bx0:
                    continue
                piece[3] = bx0
            elif side == 1:
                if not bx1 < x1:
                    continue
                piece[0] = bx1
            elif side == 2:
                if not y0 < by0:
                    continue
                piece[4] = by0
            elif side == 3:
                if not by1 < y1:
                    continue
                piece[1] = by1
            elif side == 4:
                if not z0 < bz0:
                    continue
                piece[5] = bz0
            else:
                if not bz1 < z1:
                    continue
                piece[0], piece[1], piece[2] = max(x0, ax0), max(y0, ay0), bz1
                piece[3], piece[4] = min(x1, ax1), min(y1, ay1)
                if not (piece[0] < piece[3] and piece[1] < piece[4]):
                    continue
            if (
                piece[3] - piece[0] >= min_edge
                and piece[4] - piece[1] >= min_edge
                and piece[5] - piece[2] >= min_edge
            ):
                fresh[nf, :] = piece
                nf += 1
    # Joined tops.
    extra = np.empty((max(1, nf * nk), 6), dtype=np.int64)
    ne = 0
    for f in range(nf):
        if fresh[f, 2] != bz1:
            continue
        for o in range(nk):
            if kept[o, 2] != bz1:
                continue
            top_z1 = min(fresh[f, 5], kept[o, 5])
            if kept[o, 3] == fresh[f, 0] or fresh[f, 3] == kept[o, 0]:
                lo, hi = max(fresh[f, 1], kept[o, 1]), min(fresh[f, 4], kept[o, 4])
                if hi - lo >= min_edge:
                    extra[ne, 0], extra[ne, 1], extra[ne, 2] = min(fresh[f, 0], kept[o, 0]), lo, bz1
                    extra[ne, 3], extra[ne, 4], extra[ne, 5] = (
                        max(fresh[f, 3], kept[o, 3]),
                        hi,
                        top_z1,
                    )
                    ne += 1
            elif kept[o, 4] == fresh[f, 1] or fresh[f, 4] == kept[o, 1]:
                lo, hi = max(fresh[f, 0], kept[o, 0]), min(fresh[f, 3], kept[o, 3])
                if hi - lo >= min_edge:
                    extra[ne, 0], extra[ne, 1], extra[ne, 2] = lo, min(fresh[f, 1], kept[o, 1]), bz1
                    extra[ne, 3], extra[ne, 4], extra[ne, 5] = (
                        hi,
                        max(fresh[f, 4], kept[o, 4]),
                        top_z1,
                    )
                    ne += 1
    pool = np.empty((nk + nf + ne, 6), dtype=np.int64)
    pool[:nk] = kept[:nk]
    pool[nk : nk + nf] = fresh[:nf]
    pool[nk + nf :] = extra[:ne]
    total = nk + nf + ne
    out = np.empty((total, 6), dtype=np.int64)
    out[:nk] = kept[:nk]
    count = nk
    for me in range(nk, total):
        inside = False
        for j in range(total):
            if j == me:
                continue
            if (
                pool[j, 0] <= pool[me, 0]
                and pool[j, 1] <= pool[me, 1]
                and pool[j, 2] <= pool[me, 2]
                and pool[me, 3] <= pool[j, 3]
                and pool[me, 4] <= pool[j, 4]
                and pool[me, 5] <= pool[j, 5]
            ):
                same = (
                    pool[j, 0] == pool[me, 0]
                    and pool[j, 1] == pool[me, 1]
                    and pool[j, 2] == pool[me, 2]
                    and pool[j, 3] == pool[me, 3]
                    and pool[j, 4] == pool[me, 4]
                    and pool[j, 5] == pool[me, 5]
                )
                if not same or j < me:
                    inside = True
                    break
        if not inside:
            out[count, :] = pool[me, :]
            count += 1
    work[SPACE_PAIRS] += n + nf * nk + (total - nk) * total
    work[CALLS] += 1
    return out[:count]


@_compiled
def nearest_space(
    spaces: IntArray, length: int, width: int, from_back: bool, work: IntArray
) -> int:
    """Index of the space whose floor corner is nearest a container corner (Zhu & Lim's
    anchor distance: the three wall distances sorted, compared in turn), larger first on
    ties, first in order on full ties. With `from_back` only the x = 0 wall counts along x
    (multi-drop: the door at x = length is loaded last)."""
    best = 0
    k0 = k1 = k2 = k3 = 0
    for i in range(spaces.shape[0]):
        x0, y0, z0, x1, y1, z1 = (
            spaces[i, 0], spaces[i, 1], spaces[i, 2], spaces[i, 3], spaces[i, 4], spaces[i, 5]
        )  # fmt: skip
        ddx = x0 if from_back else min(x0, length - x1)
        ddy = min(y0, width - y1)
        a, b, c = ddx, ddy, z0
        if a > b:
            a, b = b, a
        if b > c:
            b, c = c, b
        if a > b:
            a, b = b, a
        d = -(x1 - x0) * (y1 - y0) * (z1 - z0)
        if i == 0 or (a, b, c, d) < (k0, k1, k2, k3):
            best = i
            k0, k1, k2, k3 = a, b, c, d
    work[SPACES_SEEN] += spaces.shape[0]
    return best


@_compiled
def greedy_fill(
    spaces: IntArray,
    blocks: IntArray,
    weight: FloatArray,
    avail: BoolArray,
    remaining: IntArray,
    slots: IntArray,
    slot_start: IntArray,
    users: IntArray,
    neg_need: IntArray,
    user_start: IntArray,
    fill_flat: IntArray,
    fill_up: IntArray,
    container: IntArray,
    max_weight: float,
    loaded_weight: float,
    out_ids: IntArray,
    out_fit: IntArray,
    work: IntArray,
) -> tuple[IntArray, float]:
    """The greedy completion (largest-fit block into the nearest space until no space is
    left) of a packing without load-bearing or multi-drop rules, all in compiled code.

    `blocks` rows: dx, dy, dz, volume, packing area x0, y0, x1, y1; `slots` rows (box type,
    count), block b's from `slot_start[b]`; `users`/`neg_need` per box type (from
    `user_start[t]`): the blocks using it, by decreasing need, and that need negated.
    `avail` and `remaining` are updated in place. Returns the placed blocks as rows
    (x0, y0, z0, x1, y1, z1, block) and the loaded weight. The Python steps it replaces
    (`Packing.pick_space`, `candidates`, `place`) give the same plan.
    """
    length, width, min_edge = container[0], container[1], container[2]
    dx = blocks[:, 0]
    dy = blocks[:, 1]
    dz = blocks[:, 2]
    volume = blocks[:, 3]
    total = 1
    for t in range(remaining.shape[0]):
        total += max(0, remaining[t])
    placed = np.empty((total, 7), dtype=np.int64)
    n_placed = 0
    dims = np.empty(3, dtype=np.int64)
    cut = np.empty(6, dtype=np.int64)
    top = np.empty(4, dtype=np.int64)
    while spaces.shape[0] > 0:
        i = nearest_space(spaces, length, width, False, work)
        x0, y0, z0, x1, y1, z1 = (
            spaces[i, 0], spaces[i, 1], spaces[i, 2], spaces[i, 3], spaces[i, 4], spaces[i, 5]
        )  # fmt: skip
        dims[0], dims[1], dims[2] = x1 - x0, y1 - y0, z1 - z0
        cap = max_weight - loaded_weight + 1e-9
        found = scan_blocks(
            dx, dy, dz, volume, weight, avail, dims, cap, fill_flat, fill_up, 1, True,
            out_ids, out_fit, work,
        )  # fmt: skip
        if found == 0:
            rest = np.empty((spaces.shape[0] - 1, 6), dtype=np.int64)
            rest[:i] = spaces[:i]
            rest[i:] = spaces[i + 1 :]
            spaces = rest
            continue
        b = out_ids[0]
        bx = x0 if x0 <= length - x1 else x1 - dx[b]
        by = y0 if y0 <= width - y1 else y1 - dy[b]
        cut[0], cut[1], cut[2] = bx, by, z0
        cut[3], cut[4], cut[5] = bx + dx[b], by + dy[b], z0 + dz[b]
        placed[n_placed, :6] = cut
        placed[n_placed, 6] = b
        n_placed += 1
        for s in range(slot_start[b], slot_start[b + 1]):
            t = slots[s, 0]
            remaining[t] -= slots[s, 1]
            lo, hi = user_start[t], user_start[t + 1]
            bar = -remaining[t]
            while lo < hi:  # blocks of type t needing more than is left: a prefix
                mid = (lo + hi) // 2
                if neg_need[mid] < bar:
                    lo = mid + 1
                else:
                    hi = mid
            for k in range(user_start[t], lo):
                avail[users[k]] = False
        loaded_weight += weight[b]
        top[0], top[1] = bx + blocks[b, 4], by + blocks[b, 5]
        top[2], top[3] = bx + blocks[b, 6], by + blocks[b, 7]
        spaces = cut_spaces(spaces, cut, top, min_edge, work)
    return placed[:n_placed], loaded_weight
