"""The container loading problem: box types with allowed orientations, read from thpack files.

A box type's three dimensions each carry a flag saying whether that dimension may stand
vertically (the OR-Library thpack convention of Bischoff & Ratcliff 1995); turning a box
about the vertical axis is always allowed. Weight, fragility, load-bearing and the delivery
stop are optional attributes that the thpack files do not carry.
"""

from __future__ import annotations

from dataclasses import dataclass

Dims = tuple[int, int, int]


class MalformedProblem(ValueError):
    """A problem text or value is not a valid loading problem; the message says where."""


@dataclass(frozen=True)
class Container:
    """The load space, length (x, towards the door), width (y) and height (z), integer units."""

    length: int
    width: int
    height: int
    max_weight_kg: float | None = None

    def __post_init__(self) -> None:
        for name, value in (
            ("length", self.length),
            ("width", self.width),
            ("height", self.height),
        ):
            if value <= 0:
                raise MalformedProblem(f"container {name} must be > 0, got {value}")
        if self.max_weight_kg is not None and self.max_weight_kg < 0:
            raise MalformedProblem(f"container max_weight_kg must be ≥ 0, got {self.max_weight_kg}")

    @property
    def volume(self) -> int:
        return self.length * self.width * self.height


@dataclass(frozen=True)
class BoxType:
    """`quantity` identical boxes.

    Parameters
    ----------
    dims
        The three edge lengths (integer units).
    vertical
        For each of `dims`, whether that edge may be the vertical one.
    quantity
        Boxes available (the packer may load fewer).
    weight_kg
        Weight of one box; ``None`` counts as 0 for the weight limit.
    fragile
        A fragile box may carry only fragile boxes (nothing heavy on fragile goods).
    max_load_kg
        Most weight that may rest above one box (all boxes whose footprint overlaps it).
    stop
        Delivery stop, 1 = unloaded first; a later stop's box must not lie between an
        earlier stop's box and the door (the x = length face) nor on top of it.
    """

    dims: Dims
    vertical: tuple[bool, bool, bool] = (True, True, True)
    quantity: int = 1
    weight_kg: float | None = None
    fragile: bool = False
    max_load_kg: float | None = None
    stop: int = 1
    label: str = ""

    def __post_init__(self) -> None:
        name = self.label or str(self.dims)
        if len(self.dims) != 3 or any(d <= 0 for d in self.dims):
            raise MalformedProblem(f"box type {name}: dimensions must be three values > 0")
        if self.quantity < 0:
            raise MalformedProblem(f"box type {name}: quantity must be ≥ 0, got {self.quantity}")
        if not any(self.vertical):
            raise MalformedProblem(f"box type {name}: no dimension may stand vertically")
        if self.weight_kg is not None and self.weight_kg < 0:
            raise MalformedProblem(f"box type {name}: weight_kg must be ≥ 0")
        if self.max_load_kg is not None and self.max_load_kg < 0:
            raise MalformedProblem(f"box type {name}: max_load_kg must be ≥ 0")
        if self.stop < 1:
            raise MalformedProblem(f"box type {name}: stop must be ≥ 1, got {self.stop}")

    @property
    def volume(self) -> int:
        return self.dims[0] * self.dims[1] * self.dims[2]

    @property
    def weight(self) -> float:
        return self.weight_kg or 0.0

    def orientations(self) -> list[Dims]:
        """Distinct (dx, dy, dz) placements the flags allow (vertical edge last)."""
        found: list[Dims] = []
        for k in range(3):
            if not self.vertical[k]:
                continue
            a, b = (self.dims[i] for i in range(3) if i != k)
            for dx, dy in ((a, b), (b, a)):
                option = (dx, dy, self.dims[k])
                if option not in found:
                    found.append(option)
        return found


@dataclass(frozen=True)
class LoadingProblem:
    """One container and the box types on offer; maximise the loaded volume."""

    container: Container
    box_types: tuple[BoxType, ...]
    name: str = ""

    def __post_init__(self) -> None:
        if not self.box_types:
            raise MalformedProblem(f"problem {self.name or '?'} has no box types")

    def fits(self, box: BoxType) -> bool:
        """Whether some allowed orientation of `box` fits the empty container."""
        c = self.container
        return any(
            dx <= c.length and dy <= c.width and dz <= c.height for dx, dy, dz in box.orientations()
        )


def parse_thpack(text: str, source: str = "<text>") -> list[LoadingProblem]:
    """Problems of an OR-Library thpack file (Bischoff–Ratcliff BR1–BR15 layout).

    Layout: ``P``; then per problem ``p seed`` / ``L W H`` / ``n`` / n lines
    ``i l a w b h c q``. Errors name `source` and the line number.
    """
    lines = [(no, line.split()) for no, line in enumerate(text.splitlines(), start=1)]
    lines = [(no, tokens) for no, tokens in lines if tokens]
    pos = 0

    def take(count: int, what: str) -> tuple[int, list[int]]:
        nonlocal pos
        if pos >= len(lines):
            raise MalformedProblem(f"{source}: file ends where {what} was expected")
        no, tokens = lines[pos]
        pos += 1
        if len(tokens) != count:
            raise MalformedProblem(
                f"{source} line {no}: {what} needs {count} numbers, got {len(tokens)}"
            )
        try:
            return no, [int(t) for t in tokens]
        except ValueError:
            raise MalformedProblem(f"{source} line {no}: {what} must be integers") from None

    _, (count,) = take(1, "the number of problems")
    problems = []
    for _ in range(count):
        _, (number, _seed) = take(2, "'problem seed'")
        no, (length, width, height) = take(3, "the container 'L W H'")
        try:
            container = Container(length, width, height)
        except MalformedProblem as exc:
            raise MalformedProblem(f"{source} line {no}: {exc}") from None
        _, (n_types,) = take(1, "the number of box types")
        types = []
        for _ in range(n_types):
            no, (ident, d1, a, d2, b, d3, c, q) = take(8, "box type 'i l a w b h c q'")
            if any(flag not in (0, 1) for flag in (a, b, c)):
                raise MalformedProblem(f"{source} line {no}: orientation flags must be 0 or 1")
            try:
                types.append(
                    BoxType((d1, d2, d3), (a == 1, b == 1, c == 1), q, label=f"{number}.{ident}")
                )
            except MalformedProblem as exc:
                raise MalformedProblem(f"{source} line {no}: {exc}") from None
        problems.append(LoadingProblem(container, tuple(types), name=str(number)))
    if pos != len(lines):
        raise MalformedProblem(
            f"{source} line {lines[pos][0]}: unexpected data after the last problem"
        )
    return problems
