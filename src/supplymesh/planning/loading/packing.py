"""A partial packing: free maximal spaces with supported floors, placed blocks, what is left.

Free space is kept as *maximal spaces* (Lai & Chan 1997; Parreño et al. 2008): cuboids that
may overlap, each as large as possible. Full support (Fanslau & Bortfeldt 2010) is kept as
an invariant: the whole floor of every free space lies on the container floor or on block
tops at exactly that height, so a block put on a space's floor is always fully supported.
When a block cuts a space, the part above the block is therefore shrunk to the block's top.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from supplymesh.planning.loading.blocks import BlockTable, IntArray
from supplymesh.planning.loading.problem import LoadingProblem

_PRUNE_HEAD = 48  # blocks scored before pruning the rest by volume
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
        self.space_keys: dict[Space, tuple[int, int, int, int]] = {}
        # Contiguous copies for the per-step scans, and which blocks use each box type (a
        # block's availability only changes when one of its types is used).
        # Per box type: the blocks using it, most boxes of it first, and how many they use,
        # negated (ascending for searchsorted): those needing more than what is left are a prefix.
        self.users: list[IntArray] = []
        self.neg_need: list[IntArray] = []
        by_type: list[list[tuple[int, int]]] = [[] for _ in types]
        for block, slots in enumerate(blocks.slots):
            for t, n in slots:
                by_type[t].append((-n, block))
        for pairs in by_type:
            pairs.sort()
            self.users.append(np.asarray([b for _, b in pairs], dtype=np.int64))
            self.neg_need.append(np.asarray([n for n, _ in pairs], dtype=np.int64))
        # Pruning by volume rank is exact only when blocks are sorted by volume alone.
        self.by_volume = not self.multi_drop and not self.bearing

    def available(self, remaining: IntArray) -> npt.NDArray[np.bool_]:
        """Blocks whose boxes are all still there."""
        ok = np.ones(len(self.dx), dtype=bool)
        for t, users in enumerate(self.users):
            ok[users[: self.short(t, remaining)]] = False
        return ok

    def short(self, t: int, remaining: IntArray) -> int:
        """How many of type `t`'s blocks (a prefix of `users[t]`) need more than is left."""
        return int(np.searchsorted(self.neg_need[t], -remaining[t], side="left"))

    def space_key(self, space: Space) -> tuple[int, int, int, int]:
        """Anchor distance of `space` (smaller is filled first)."""
        x0, y0, z0, x1, y1, z1 = space
        ddx = x0 if self.multi_drop else min(x0, self.length - x1)
        ddy = min(y0, self.width - y1)
        a, b, c = sorted((ddx, ddy, z0))
        return (a, b, c, -(x1 - x0) * (y1 - y0) * (z1 - z0))


class Packing:
    """A partial solution; `copy` is cheap enough to branch on."""

    __slots__ = ("avail", "placed", "remaining", "rules", "spaces", "spare", "volume", "weight")

    def __init__(self, rules: Rules, remaining: IntArray) -> None:
        self.rules = rules
        self.spaces: list[Space] = [(0, 0, 0, rules.length, rules.width, rules.height)]
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
        other.spaces = list(self.spaces)
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
        keys = self.rules.space_keys
        best = 0
        best_key: tuple[int, int, int, int] | None = None
        for i, space in enumerate(self.spaces):
            key = keys.get(space)
            if key is None:
                key = keys[space] = self.rules.space_key(space)
            if best_key is None or key < best_key:
                best_key, best = key, i
        return best

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
        bl = r.blocks
        x0, y0, z0, x1, y1, z1 = space
        mask = (bl.dx <= x1 - x0) & (bl.dy <= y1 - y0) & (bl.dz <= z1 - z0) & self.avail
        if r.max_weight is not None:
            mask &= bl.weight <= r.max_weight - self.weight + 1e-9
        found: list[tuple[int, Box]] = []
        order = np.flatnonzero(mask)
        if order.size > 1:
            head = _PRUNE_HEAD + limit
            if r.by_volume and order.size > head:
                # fit ≤ volume and blocks are sorted by volume: once a block's volume is below
                # the limit-th best fit among the first ones, no later block can enter the top.
                best = np.sort(self._fit(space, order[:head]))[-limit]
                order = order[: int(np.searchsorted(-bl.volume[order], -best, side="right"))]
            fit = self._fit(space, order)
            if limit == 1 and not (r.bearing or r.multi_drop):
                order = order[np.argmax(fit) : np.argmax(fit) + 1]
            else:
                order = order[np.argsort(-fit, kind="stable")]
        for block in order.tolist():
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
        if r.bearing:
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
        kept: list[Space] = []
        fresh: list[Space] = []
        for s in self.spaces:
            x0, y0, z0, x1, y1, z1 = s
            if not (x0 < bx1 and bx0 < x1 and y0 < by1 and by0 < y1 and z0 < bz1 and bz0 < z1):
                kept.append(s)
                continue
            if x0 < bx0:
                fresh.append((x0, y0, z0, bx0, y1, z1))
            if bx1 < x1:
                fresh.append((bx1, y0, z0, x1, y1, z1))
            if y0 < by0:
                fresh.append((x0, y0, z0, x1, by0, z1))
            if by1 < y1:
                fresh.append((x0, by1, z0, x1, y1, z1))
            if z0 < bz0:
                fresh.append((x0, y0, z0, x1, y1, bz0))
            if bz1 < z1:
                # Only the block's packing area supports what goes above it.
                top = (max(x0, ax0), max(y0, ay0), bz1, min(x1, ax1), min(y1, ay1), z1)
                if top[0] < top[3] and top[1] < top[4]:
                    fresh.append(top)
        m = r.min_edge
        fresh = [s for s in fresh if s[3] - s[0] >= m and s[4] - s[1] >= m and s[5] - s[2] >= m]
        fresh = _merge_tops(fresh, kept, bz1, m)
        pool = kept + fresh
        base = len(kept)
        for i, s in enumerate(fresh):
            me = base + i
            if not any(
                o[0] <= s[0]
                and o[1] <= s[1]
                and o[2] <= s[2]
                and s[3] <= o[3]
                and s[4] <= o[4]
                and s[5] <= o[5]
                and (o != s or j < me)
                for j, o in enumerate(pool)
                if j != me
            ):
                kept.append(s)
        self.spaces = kept


def _merge_tops(fresh: list[Space], kept: list[Space], top: int, min_edge: int) -> list[Space]:
    """Join a new top-of-block space with an old space on the same floor height that it
    touches along an edge, so a later block can bridge two tops of equal height."""
    extra: list[Space] = []
    for s in fresh:
        if s[2] != top:
            continue
        for o in kept:
            if o[2] != top:
                continue
            z1 = min(s[5], o[5])
            if o[3] == s[0] or s[3] == o[0]:
                y0, y1 = max(s[1], o[1]), min(s[4], o[4])
                if y1 - y0 >= min_edge:
                    extra.append((min(s[0], o[0]), y0, top, max(s[3], o[3]), y1, z1))
            elif o[4] == s[1] or s[4] == o[1]:
                x0, x1 = max(s[0], o[0]), min(s[3], o[3])
                if x1 - x0 >= min_edge:
                    extra.append((x0, min(s[1], o[1]), top, x1, max(s[4], o[4]), z1))
    return fresh + extra


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
