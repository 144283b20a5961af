"""A partial packing: free maximal spaces with supported floors, placed blocks, what is left.

Free space is kept as *maximal spaces* (Lai & Chan 1997; Parreño et al. 2008): cuboids that
may overlap, each as large as possible. Full support (Fanslau & Bortfeldt 2010) is kept as
an invariant: the whole floor of every free space lies on the container floor or on block
tops at exactly that height, so a block put on a space's floor is always fully supported.
When a block cuts a space, the part above the block is therefore shrunk to the block's top.
The per-step loops (candidate scan, space cut, next space) are compiled (`kernels.py`); this
module keeps the state and the rules that need the placed blocks (load bearing, multi-drop).
"""

from __future__ import annotations

from bisect import bisect_left

import numpy as np
import numpy.typing as npt

from supplymesh.planning.loading.blocks import BlockTable, IntArray
from supplymesh.planning.loading.kernels import (
    PY_PAIRS,
    PY_STEPS,
    WORK_SLOTS,
    cut_spaces,
    greedy_fill,
    nearest_space,
    scan_blocks,
)
from supplymesh.planning.loading.problem import LoadingProblem

Space = tuple[int, int, int, int, int, int]  # x0, y0, z0, x1, y1, z1
Box = tuple[int, int, int, int, int, int]


class Rules:
    """Per-problem data the packing steps share (read-only)."""

    def __init__(self, problem: LoadingProblem, blocks: BlockTable) -> None:
        c = problem.container
        self.length, self.width, self.height = c.length, c.width, c.height
        self.blocks = blocks
        self.max_weight = c.max_weight_kg
        types = problem.box_types
        self.fragile = [b.fragile for b in types]
        self.stop = [b.stop for b in types]
        self.bottom_spare = [
            float("inf") if b.max_load_kg is None else b.max_load_kg for b in types
        ]
        self.weight = [b.weight for b in types]
        self.bearing = any(b.fragile or b.max_load_kg is not None for b in types)
        self.multi_drop = len({b.stop for b in types}) > 1
        # Python lists are faster than numpy scalars in the per-step loops.
        self.dx = blocks.dx.tolist()
        self.dy = blocks.dy.tolist()
        self.dz = blocks.dz.tolist()
        self.kind = [slots[0][0] for slots in blocks.slots]
        self.slots = blocks.slots
        self.area = blocks.area.tolist()
        self.volume = blocks.volume.tolist()
        self.block_weight = blocks.weight.tolist()
        orients = [o for b in types for o in b.orientations()] or [(1, 1, 1)]
        self.min_edge = min(min(o) for o in orients)
        flat = {e for b in types if b.quantity for o in b.orientations() for e in o[:2]}
        upright = {o[2] for b in types if b.quantity for o in b.orientations()}
        self.fill_flat = _fillable(flat, max(c.length, c.width))
        self.fill_up = _fillable(upright, c.height)
        # Contiguous copies for the per-step scans, and which blocks use each box type (a
        # block's availability only changes when one of its types is used).
        # Per box type: the blocks using it, most boxes of it first, and how many they use,
        # negated (ascending for searchsorted): those needing more than what is left are a prefix.
        self.users: list[IntArray] = []
        self.neg_need: list[list[int]] = []
        by_type: list[list[tuple[int, int]]] = [[] for _ in types]
        for block, slots in enumerate(blocks.slots):
            for t, n in slots:
                by_type[t].append((-n, block))
        for pairs in by_type:
            pairs.sort()
            self.users.append(np.asarray([b for _, b in pairs], dtype=np.int64))
            self.neg_need.append([n for n, _ in pairs])
        # Pruning by volume rank is exact only when blocks are sorted by volume alone.
        self.by_volume = not self.multi_drop and not self.bearing
        # The compiled scan's inputs and output buffers (one packer per process thread).
        self.dx_arr, self.dy_arr, self.dz_arr = blocks.dx, blocks.dy, blocks.dz
        self.volume_arr, self.weight_arr = blocks.volume, blocks.weight
        self.dims_buffer = np.zeros(3, dtype=np.int64)
        self.cut_buffer = np.zeros(6, dtype=np.int64)
        self.top_buffer = np.zeros(4, dtype=np.int64)
        self.out_ids = np.zeros(len(blocks), dtype=np.int64)
        self.out_fit = np.zeros(len(blocks), dtype=np.int64)
        # The compiled greedy completion's tables: blocks as rows (dx, dy, dz, volume,
        # packing area), the slots and the per-type users flattened with start offsets.
        self.block_rows = np.ascontiguousarray(
            np.column_stack((blocks.dx, blocks.dy, blocks.dz, blocks.volume, blocks.area)),
            dtype=np.int64,
        ).reshape(-1, 8)
        self.slot_rows = np.asarray(
            [pair for slots in blocks.slots for pair in slots], dtype=np.int64
        ).reshape(-1, 2)
        self.slot_start = np.cumsum([0] + [len(slots) for slots in blocks.slots], dtype=np.int64)
        self.users_flat = np.concatenate([np.zeros(0, dtype=np.int64), *self.users])
        self.neg_need_flat = np.asarray(
            [n for needs in self.neg_need for n in needs], dtype=np.int64
        )
        self.user_start = np.cumsum([0] + [len(u) for u in self.users], dtype=np.int64)
        self.container_row = np.asarray([self.length, self.width, self.min_edge], dtype=np.int64)
        # Work done by every state of this problem (kernels.py's slots): the search's budget.
        self.work = np.zeros(WORK_SLOTS, dtype=np.int64)

    def available(self, remaining: IntArray) -> npt.NDArray[np.bool_]:
        """Blocks whose boxes are all still there."""
        ok = np.ones(len(self.dx), dtype=bool)
        for t, users in enumerate(self.users):
            ok[users[: self.short(t, remaining)]] = False
        return ok

    def short(self, t: int, remaining: IntArray) -> int:
        """How many of type `t`'s blocks (a prefix of `users[t]`) need more than is left."""
        return bisect_left(self.neg_need[t], -int(remaining[t]))


class Packing:
    """A partial solution; `copy` is cheap enough to branch on."""

    __slots__ = ("avail", "placed", "remaining", "rules", "spaces", "spare", "volume", "weight")

    def __init__(self, rules: Rules, remaining: IntArray) -> None:
        self.rules = rules
        # Free maximal spaces, one (x0, y0, z0, x1, y1, z1) row each.
        self.spaces: IntArray = np.asarray(
            [(0, 0, 0, rules.length, rules.width, rules.height)], dtype=np.int64
        )
        self.remaining = remaining
        self.avail = rules.available(remaining)
        # Placed blocks: (x0, y0, z0, x1, y1, z1, block id).
        self.placed: list[tuple[int, int, int, int, int, int, int]] = []
        self.spare: list[float] = []
        self.volume = 0
        self.weight = 0.0

    def copy(self) -> Packing:
        other = Packing.__new__(Packing)
        other.rules = self.rules
        self.rules.work[PY_STEPS] += 1
        other.spaces = self.spaces  # never changed in place: place/drop_space make new arrays
        other.remaining = self.remaining.copy()
        other.avail = self.avail.copy()
        other.placed = list(self.placed)
        other.spare = list(self.spare)
        other.volume = self.volume
        other.weight = self.weight
        return other

    def pick_space(self) -> int:
        """Index of the space to fill next: the one whose floor corner is nearest a container
        corner (Zhu & Lim's anchor distance, compared as a sorted tuple), larger first on ties."""
        r = self.rules
        r.work[PY_STEPS] += 1
        return int(nearest_space(self.spaces, r.length, r.width, r.multi_drop, r.work))

    @property
    def has_space(self) -> bool:
        return bool(self.spaces.shape[0] > 0)

    def space(self, i: int) -> Space:
        """Space `i` as a plain tuple (cheaper than numpy scalars in the per-step code)."""
        x0, y0, z0, x1, y1, z1 = self.spaces[i].tolist()
        return (x0, y0, z0, x1, y1, z1)

    def drop_space(self, i: int) -> None:
        """Forget space `i` (no block fits it)."""
        self.spaces = np.concatenate((self.spaces[:i], self.spaces[i + 1 :]))

    def fill_greedily(self) -> int:
        """The greedy completion in compiled code (only without load-bearing or multi-drop
        rules, which look at every placed block); returns how many blocks it placed."""
        r = self.rules
        placed, self.weight = greedy_fill(
            self.spaces, r.block_rows, r.weight_arr, self.avail, self.remaining, r.slot_rows,
            r.slot_start, r.users_flat, r.neg_need_flat, r.user_start, r.fill_flat, r.fill_up,
            r.container_row, np.inf if r.max_weight is None else float(r.max_weight),
            self.weight, r.out_ids, r.out_fit, r.work,
        )  # fmt: skip
        rows: list[tuple[int, int, int, int, int, int, int]] = [
            (x0, y0, z0, x1, y1, z1, b) for x0, y0, z0, x1, y1, z1, b in placed.tolist()
        ]
        self.placed.extend(rows)
        self.spare.extend([0.0] * len(rows))
        self.volume += sum(r.volume[row[6]] for row in rows)
        self.spaces = self.spaces[:0]
        return len(rows)

    def corner_box(self, space: Space, block: int) -> Box:
        """Where `block` goes in `space`: on its floor, in the corner nearest the walls."""
        r = self.rules
        x0, y0, z0, x1, y1, _ = space
        bdx, bdy, bdz = r.dx[block], r.dy[block], r.dz[block]
        bx = x0 if r.multi_drop or x0 <= r.length - x1 else x1 - bdx
        by = y0 if y0 <= r.width - y1 else y1 - bdy
        return (bx, by, z0, bx + bdx, by + bdy, z0 + bdz)

    def candidates(self, space: Space, limit: int) -> list[tuple[int, Box]]:
        """Up to `limit` largest blocks that fit `space` and every rule, with their position."""
        r = self.rules
        x0, y0, z0, x1, y1, z1 = space
        dims = r.dims_buffer
        dims[0], dims[1], dims[2] = x1 - x0, y1 - y0, z1 - z0
        cap = np.inf if r.max_weight is None else r.max_weight - self.weight + 1e-9
        count = scan_blocks(
            r.dx_arr, r.dy_arr, r.dz_arr, r.volume_arr, r.weight_arr, self.avail, dims, cap,
            r.fill_flat, r.fill_up, limit, r.by_volume, r.out_ids, r.out_fit, r.work,
        )  # fmt: skip
        r.work[PY_STEPS] += 1
        if count > 1:
            order = r.out_ids[:count][np.argsort(-r.out_fit[:count], kind="stable")].tolist()
        else:
            order = r.out_ids[:count].tolist()
        found: list[tuple[int, Box]] = []
        for block in order:
            box = self.corner_box(space, block)
            if (r.bearing or r.multi_drop) and not self._allowed(block, box):
                continue
            found.append((block, box))
            if len(found) >= limit:
                break
        return found

    def _fit(self, space: Space, order: IntArray) -> IntArray:
        """Block volume less the slabs beside it that no combination of box edges can fill."""
        r = self.rules
        bl = r.blocks
        x0, y0, z0, x1, y1, z1 = space
        a, b, c = bl.dx[order], bl.dy[order], bl.dz[order]
        sx, sy, sz = x1 - x0 - a, y1 - y0 - b, z1 - z0 - c
        waste = (
            (sx - r.fill_flat[sx]) * b * c
            + (sy - r.fill_flat[sy]) * a * c
            + (sz - r.fill_up[sz]) * a * b
        )
        fit: IntArray = bl.volume[order] - waste
        return fit

    def _allowed(self, block: int, box: Box) -> bool:
        """Load bearing and multi-drop order against the blocks already placed."""
        r = self.rules
        kind = r.kind[block]
        weight = r.block_weight[block]
        bx0, by0, bz0, bx1, by1, bz1 = box
        r.work[PY_PAIRS] += len(self.placed)
        for i, (px0, py0, pz0, px1, py1, pz1, pblock) in enumerate(self.placed):
            pkind = r.kind[pblock]
            footprint = px0 < bx1 and bx0 < px1 and py0 < by1 and by0 < py1
            below = footprint and pz1 <= bz0
            if below and (
                self.spare[i] < weight - 1e-9 or (r.fragile[pkind] and not r.fragile[kind])
            ):
                return False
            if r.stop[pkind] != r.stop[kind]:
                faces = py0 < by1 and by0 < py1 and pz0 < bz1 and bz0 < pz1
                if r.stop[pkind] > r.stop[kind]:
                    # The placed block is delivered later: it must lie behind the new one.
                    if (faces and px1 > bx0) or (footprint and pz0 >= bz1):
                        return False
                elif (faces and bx1 > px0) or (footprint and bz0 >= pz1):
                    return False
        return True

    def place(self, block: int, box: Box) -> None:
        """Load `block` at `box` and update the free spaces."""
        r = self.rules
        kind = r.kind[block]
        bx0, by0, bz0, bx1, by1, bz1 = box
        r.work[PY_STEPS] += 1
        if r.bearing:
            r.work[PY_PAIRS] += len(self.placed)
            weight = r.block_weight[block]
            for i, (px0, py0, _, px1, py1, pz1, _) in enumerate(self.placed):
                if px0 < bx1 and bx0 < px1 and py0 < by1 and by0 < py1 and pz1 <= bz0:
                    self.spare[i] -= weight
            nz = r.blocks.parts[block][0][6]
            self.spare.append(r.bottom_spare[kind] - (nz - 1) * r.weight[kind])
        else:
            self.spare.append(0.0)
        self.placed.append((bx0, by0, bz0, bx1, by1, bz1, block))
        rem = self.remaining
        for t, n in r.slots[block]:
            rem[t] -= n
            self.avail[r.users[t][: r.short(t, rem)]] = False
        ax0, ay0, ax1, ay1 = r.area[block]
        ax0, ay0, ax1, ay1 = bx0 + ax0, by0 + ay0, bx0 + ax1, by0 + ay1
        self.volume += r.volume[block]
        self.weight += r.block_weight[block]
        cut = r.cut_buffer
        cut[0], cut[1], cut[2], cut[3], cut[4], cut[5] = box
        top = r.top_buffer
        top[0], top[1], top[2], top[3] = ax0, ay0, ax1, ay1
        self.spaces = cut_spaces(self.spaces, cut, top, r.min_edge, r.work)


def _fillable(edges: set[int], top: int) -> IntArray:
    """fill[s] = the longest length ≤ s made of whole edges (unbounded knapsack on lengths)."""
    reach = np.zeros(top + 1, dtype=bool)
    reach[0] = True
    for length in range(1, top + 1):
        reach[length] = any(e <= length and reach[length - e] for e in edges)
    fill = np.zeros(top + 1, dtype=np.int64)
    best = 0
    for length in range(top + 1):
        if reach[length]:
            best = length
        fill[length] = best
    return fill
