"""What the packer returns: one placement per loaded box, and what was left out."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Placement:
    """Box of type `box_type` (index into the problem) with its minimum corner at (x, y, z)
    and extents (dx, dy, dz) in the container's axes."""

    box_type: int
    x: int
    y: int
    z: int
    dx: int
    dy: int
    dz: int

    @property
    def volume(self) -> int:
        return self.dx * self.dy * self.dz


@dataclass(frozen=True)
class LoadingResult:
    """A loading plan.

    Attributes
    ----------
    placements
        Loaded boxes.
    utilisation
        Loaded volume / container volume, in [0, 1].
    too_large
        Indices of box types that fit the empty container in no allowed orientation
        (left out, not an error, in this knapsack variant).
    evaluated
        Block placements tried by the search (the effort measure that makes runs repeatable).
    """

    placements: tuple[Placement, ...]
    utilisation: float
    too_large: tuple[int, ...] = ()
    evaluated: int = 0
    notes: dict[str, float] = field(default_factory=dict)

    @property
    def loaded_volume(self) -> int:
        return sum(p.volume for p in self.placements)
