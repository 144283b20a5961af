"""Blocks: the building units the packer places, each a small self-supported arrangement.

*Simple* blocks are nx × ny × nz identical boxes in one orientation (Fanslau & Bortfeldt 2010;
Zhu & Lim 2012): every box stands on the block floor or on a box of the same size. *General*
blocks join two simple blocks side by side (x or y) or one on the other (z) when the pair fills
at least `MIN_FILL` of its bounding box, as in Fanslau & Bortfeldt's CLTRS; for full support,
the second block of a z-pair must stand inside the first one's *packing area* (the part of the
top that is flat at the block's full height), and only that area carries what comes above.
Blocks are sorted by decreasing volume so "the largest blocks that fit" is a prefix scan.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from supplymesh.planning.loading.problem import LoadingProblem

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
# (box type, box dx, dy, dz, nx, ny, nz, offset x, y, z) inside the block.
Part = tuple[int, int, int, int, int, int, int, int, int, int]
Rect = tuple[int, int, int, int]
Slots = tuple[tuple[int, int], ...]  # (box type, count) per type used, first part's type first
# dx, dy, dz, volume, weight, slots, packing area, parts
Row = tuple[int, int, int, int, float, Slots, Rect, tuple[Part, ...]]
MIN_FILL = 0.98
_MAX_FIRST = 1500  # first blocks of a pair, largest first
_MAX_PAIRS = 40000  # pairs generated before the largest are kept


@dataclass(frozen=True)
class BlockTable:
    """Candidate blocks as parallel arrays (index = block id, sorted best first).

    ``slots`` lists the box types a block uses with their counts (the first part's type
    first). ``area`` is the packing area (x0, y0, x1, y1)
    relative to the block's corner, at the block's top.
    """

    dx: IntArray
    dy: IntArray
    dz: IntArray
    volume: IntArray
    weight: FloatArray
    slots: list[Slots]
    area: IntArray
    parts: list[tuple[Part, ...]]

    def __len__(self) -> int:
        return int(self.dx.shape[0])


def _simple_parts(problem: LoadingProblem) -> list[Part]:
    c = problem.container
    found: list[Part] = []
    for t, box in enumerate(problem.box_types):
        if box.quantity == 0:
            continue
        for bdx, bdy, bdz in box.orientations():
            if bdx > c.length or bdy > c.width or bdz > c.height:
                continue
            max_nz = c.height // bdz
            if box.max_load_kg is not None and box.weight > 0:
                # The bottom box of the column bears the boxes above it.
                max_nz = min(max_nz, int(box.max_load_kg // box.weight) + 1)
            for nz in range(1, min(max_nz, box.quantity) + 1):
                for ny in range(1, min(c.width // bdy, box.quantity // nz) + 1):
                    for nx in range(1, min(c.length // bdx, box.quantity // (nz * ny)) + 1):
                        found.append((t, bdx, bdy, bdz, nx, ny, nz, 0, 0, 0))
    return found


def build_blocks(
    problem: LoadingProblem, max_blocks: int, seed: int, general: bool = True
) -> BlockTable:
    """All simple blocks, plus the largest general pairs (when `general`) up to `max_blocks`.

    With several stops, blocks of later stops come first (they go deepest).
    """
    types = problem.box_types
    simple = _simple_parts(problem)
    rows: list[Row] = []
    for part in simple:
        t, bdx, bdy, bdz, nx, ny, nz = part[:7]
        n = nx * ny * nz
        rows.append(
            (
                nx * bdx,
                ny * bdy,
                nz * bdz,
                n * types[t].volume,
                n * types[t].weight,
                ((t, n),),
                (0, 0, nx * bdx, ny * bdy),
                (part,),
            )
        )
    rng = random.Random(seed)
    if general and 0 < len(rows) < max_blocks:
        pairs = _general_pairs(problem, rows)
        # Every simple block stays (small ones fill the last gaps); the largest pairs join.
        rng.shuffle(pairs)
        pairs.sort(key=lambda r: -r[3])
        rows += pairs[: max_blocks - len(rows)]
    ties = [rng.random() for _ in rows]
    stop = [types[r[5][0][0]].stop for r in rows]
    order = sorted(range(len(rows)), key=lambda i: (-stop[i], -rows[i][3], ties[i]))
    chosen = [rows[i] for i in order]

    def col(k: int) -> IntArray:
        return np.asarray([r[k] for r in chosen], dtype=np.int64)

    return BlockTable(
        dx=col(0),
        dy=col(1),
        dz=col(2),
        volume=col(3),
        weight=np.asarray([r[4] for r in chosen], dtype=np.float64),
        slots=[r[5] for r in chosen],
        area=np.asarray([r[6] for r in chosen], dtype=np.int64).reshape(-1, 4),
        parts=[r[7] for r in chosen],
    )


def _general_pairs(problem: LoadingProblem, rows: list[Row]) -> list[Row]:
    """Pairs of simple blocks that fill ≥ MIN_FILL of their bounding box (vectorised per
    first block), with their packing areas."""
    c = problem.container
    types = problem.box_types
    quantity = np.asarray([b.quantity for b in types] + [0], dtype=np.int64)
    dx = np.asarray([r[0] for r in rows], dtype=np.int64)
    dy = np.asarray([r[1] for r in rows], dtype=np.int64)
    dz = np.asarray([r[2] for r in rows], dtype=np.int64)
    vol = np.asarray([r[3] for r in rows], dtype=np.int64)
    area = np.asarray([r[6] for r in rows], dtype=np.int64).reshape(-1, 4)
    area_x, area_y = area[:, 2] - area[:, 0], area[:, 3] - area[:, 1]
    counts = np.zeros((len(rows), len(types)), dtype=np.int32)
    for k, r in enumerate(rows):
        for t, n in r[5]:
            counts[k, t] = n
    out: list[Row] = []
    order = np.argsort(-vol, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    for i in order[:_MAX_FIRST].tolist():
        ok_count = np.ones(len(rows), dtype=bool)
        for t, n in rows[i][5]:
            ok_count &= counts[:, t] + n <= quantity[t]
        # Side by side, each unordered pair once (i is the larger or equal-rank one).
        beside = ok_count & (rank >= rank[i])
        # Side by side only at equal height: a step in the top would leave the lower part
        # unable to carry anything (full support), which costs more than the pair gains.
        level = dz == dz[i]
        for axis in ("x", "y", "z"):
            if axis == "x":
                bx, by, bz = dx[i] + dx, np.maximum(dy[i], dy), dz
                fits = (bx <= c.length) & beside & level
            elif axis == "y":
                bx, by, bz = np.maximum(dx[i], dx), dy[i] + dy, dz
                fits = (by <= c.width) & beside & level
            else:
                # j stands on i, inside i's packing area (a simple block's is its whole top).
                bx, by, bz = dx[i], dy[i], dz[i] + dz
                fits = (bz <= c.height) & ok_count & (dx <= area_x[i]) & (dy <= area_y[i])
            fits &= (vol[i] + vol) >= MIN_FILL * bx * by * bz
            for j in np.flatnonzero(fits).tolist():
                out.append(_join(rows[i], rows[j], axis))
        if len(out) > _MAX_PAIRS:
            break
    return out


def _join(a: Row, b: Row, axis: str) -> Row:
    """The general block of `a` and `b` (b after a along `axis`) with its packing area."""
    ax, ay, az = a[0], a[1], a[2]
    bx, by, bz = b[0], b[1], b[2]
    merged = dict(a[5])
    for t, n in b[5]:
        merged[t] = merged.get(t, 0) + n
    slots = tuple(merged.items())
    pa, pb = a[6], b[6]
    if axis == "x":
        dims = (ax + bx, max(ay, by), max(az, bz))
        shift = (ax, 0, 0)
    elif axis == "y":
        dims = (max(ax, bx), ay + by, max(az, bz))
        shift = (0, ay, 0)
    else:
        dims = (ax, ay, az + bz)
        shift = (pa[0], pa[1], az)
    pb = (pb[0] + shift[0], pb[1] + shift[1], pb[2] + shift[0], pb[3] + shift[1])
    if axis == "z":
        area = pb
    elif az == bz:
        area = max(pa, pb, _union(pa, pb), key=_area)
    else:
        area = pa if az > bz else pb
    parts = a[7] + tuple((*p[:7], p[7] + shift[0], p[8] + shift[1], p[9] + shift[2]) for p in b[7])
    return (*dims, a[3] + b[3], a[4] + b[4], slots, area, parts)


def _area(r: Rect) -> int:
    return max(0, r[2] - r[0]) * max(0, r[3] - r[1])


def _union(p: Rect, q: Rect) -> Rect:
    """The largest rectangle inside two touching rectangles, across their shared edge."""
    if p[2] == q[0] or q[2] == p[0]:
        return (min(p[0], q[0]), max(p[1], q[1]), max(p[2], q[2]), min(p[3], q[3]))
    if p[3] == q[1] or q[3] == p[1]:
        return (max(p[0], q[0]), min(p[1], q[1]), min(p[2], q[2]), max(p[3], q[3]))
    return (0, 0, 0, 0)
