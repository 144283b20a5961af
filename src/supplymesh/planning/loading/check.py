"""Independent feasibility check of a loading plan.

Deliberately naive (pairwise loops, no shared code with the packer) so that it can be
trusted to catch the packer's mistakes. Returns human-readable violations; empty = feasible.
"""

from __future__ import annotations

from collections import Counter

from supplymesh.planning.loading.problem import LoadingProblem
from supplymesh.planning.loading.result import Placement

_EPS = 1e-9


def _overlap(a0: int, a1: int, b0: int, b1: int) -> int:
    return max(0, min(a1, b1) - max(a0, b0))


def _footprints_overlap(a: Placement, b: Placement) -> bool:
    return (
        _overlap(a.x, a.x + a.dx, b.x, b.x + b.dx) > 0
        and _overlap(a.y, a.y + a.dy, b.y, b.y + b.dy) > 0
    )


def check_loading(
    problem: LoadingProblem, placements: list[Placement] | tuple[Placement, ...]
) -> list[str]:
    """Every violated rule, one line each: containment, overlap, support, orientation,
    quantity, weight limit, load bearing (fragile and max load) and multi-drop order."""
    problems: list[str] = []
    c = problem.container
    types = problem.box_types
    for i, p in enumerate(placements):
        if not 0 <= p.box_type < len(types):
            problems.append(f"box {i}: unknown box type {p.box_type}")
            continue
        if (
            p.x < 0
            or p.y < 0
            or p.z < 0
            or p.x + p.dx > c.length
            or p.y + p.dy > c.width
            or (p.z + p.dz > c.height)
        ):
            problems.append(f"box {i}: outside the container")
        bt = types[p.box_type]
        if sorted((p.dx, p.dy, p.dz)) != sorted(bt.dims):
            problems.append(f"box {i}: extents {(p.dx, p.dy, p.dz)} are not the box {bt.dims}")
        elif not any(bt.vertical[k] and bt.dims[k] == p.dz for k in range(3)):
            problems.append(f"box {i}: edge {p.dz} may not stand vertically")
    if problems:
        return problems
    for i, a in enumerate(placements):
        for j in range(i + 1, len(placements)):
            b = placements[j]
            if (
                _overlap(a.x, a.x + a.dx, b.x, b.x + b.dx)
                and _overlap(a.y, a.y + a.dy, b.y, b.y + b.dy)
                and _overlap(a.z, a.z + a.dz, b.z, b.z + b.dz)
            ):
                problems.append(f"boxes {i} and {j} overlap")
    for i, a in enumerate(placements):
        if a.z == 0:
            continue
        covered = sum(
            _overlap(a.x, a.x + a.dx, b.x, b.x + b.dx) * _overlap(a.y, a.y + a.dy, b.y, b.y + b.dy)
            for b in placements
            if b.z + b.dz == a.z
        )
        # Supporting tops do not overlap each other (no overlap was checked), so the sum of
        # contact areas equals the supported share of the base.
        if covered < a.dx * a.dy:
            problems.append(f"box {i}: only {covered} of its base {a.dx * a.dy} is supported")
    used = Counter(p.box_type for p in placements)
    for t, n in sorted(used.items()):
        if n > types[t].quantity:
            problems.append(f"box type {t}: {n} loaded, only {types[t].quantity} available")
    total_weight = sum(types[p.box_type].weight for p in placements)
    if c.max_weight_kg is not None and total_weight > c.max_weight_kg + _EPS:
        problems.append(f"load weighs {total_weight} kg, the limit is {c.max_weight_kg} kg")
    for i, a in enumerate(placements):
        ta = types[a.box_type]
        above = [b for b in placements if b.z >= a.z + a.dz and _footprints_overlap(a, b)]
        if ta.fragile:
            for b in above:
                if not types[b.box_type].fragile:
                    problems.append(f"box {i} is fragile and carries non-fragile box(es)")
                    break
        if ta.max_load_kg is not None:
            load = sum(types[b.box_type].weight for b in above)
            if load > ta.max_load_kg + _EPS:
                problems.append(f"box {i} carries {load} kg, its limit is {ta.max_load_kg} kg")
    for i, a in enumerate(placements):
        for j, b in enumerate(placements):
            if types[b.box_type].stop <= types[a.box_type].stop:
                continue
            # b is delivered later than a: it must not stand between a and the door, nor on a.
            faces = _overlap(a.y, a.y + a.dy, b.y, b.y + b.dy) and _overlap(
                a.z, a.z + a.dz, b.z, b.z + b.dz
            )
            if faces and b.x + b.dx > a.x:
                problems.append(f"box {j} (stop {types[b.box_type].stop}) blocks box {i}")
            elif b.z >= a.z + a.dz and _footprints_overlap(a, b):
                problems.append(f"box {j} (stop {types[b.box_type].stop}) stands on box {i}")
    return problems
