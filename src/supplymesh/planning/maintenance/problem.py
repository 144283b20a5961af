"""Fleets of multivariate run-to-failure series, and reading the C-MAPSS text format."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

N_SETTINGS = 3


class MalformedSeries(ValueError):
    """A series file or array is not in the expected shape; the message says what."""


@dataclass(frozen=True, eq=False)
class FleetSeries:
    """One row per unit per cycle: unit id, cycle number, operating settings, sensors.

    Rows of a unit are contiguous and in cycle order (as in C-MAPSS files).
    """

    unit: IntArray
    cycle: IntArray
    settings: FloatArray
    sensors: FloatArray

    def __post_init__(self) -> None:
        n = len(self.unit)
        if n == 0:
            raise MalformedSeries("no rows")
        if len(self.cycle) != n or self.settings.shape[0] != n or self.sensors.shape[0] != n:
            raise MalformedSeries("unit, cycle, settings and sensors differ in length")
        if self.settings.ndim != 2 or self.sensors.ndim != 2 or self.sensors.shape[1] == 0:
            raise MalformedSeries("settings and sensors must be 2-D with at least one sensor")
        if not (np.isfinite(self.settings).all() and np.isfinite(self.sensors).all()):
            raise MalformedSeries("non-finite values")

    def units(self) -> IntArray:
        """Unit ids in order of first appearance."""
        _, first = np.unique(self.unit, return_index=True)
        return self.unit[np.sort(first)]

    def last_rows(self) -> IntArray:
        """Index of each unit's last row, in the order of `units()`."""
        change = np.flatnonzero(np.diff(self.unit) != 0)
        return np.append(change, len(self.unit) - 1).astype(np.int64)


@dataclass(frozen=True, eq=False)
class RulProblem:
    """Train run-to-failure series; predict the RUL at the last cycle of each test unit."""

    train: FleetSeries
    test: FleetSeries
    name: str = ""


def read_cmapss(path: Path) -> FleetSeries:
    """Read a C-MAPSS ``train_*``/``test_*`` file: unit, cycle, 3 settings, sensors.

    Whitespace-separated numbers, no header; rows may end with spaces. Raises
    :class:`MalformedSeries` naming the file and line.
    """
    rows: list[list[float]] = []
    width = -1
    with path.open(encoding="utf-8") as fh:
        for line_no, line in enumerate(fh, start=1):
            tokens = line.split()
            if not tokens:
                continue
            try:
                values = [float(t) for t in tokens]
            except ValueError:
                raise MalformedSeries(f"{path}: line {line_no}: non-numeric value") from None
            if width < 0:
                width = len(values)
                if width < 2 + N_SETTINGS + 1:
                    raise MalformedSeries(f"{path}: line {line_no}: only {width} columns")
            elif len(values) != width:
                raise MalformedSeries(
                    f"{path}: line {line_no}: {len(values)} columns, expected {width}"
                )
            rows.append(values)
    if not rows:
        raise MalformedSeries(f"{path}: no rows")
    data = np.asarray(rows, dtype=np.float64)
    unit, cycle = data[:, 0], data[:, 1]
    if (unit != np.round(unit)).any() or (cycle != np.round(cycle)).any():
        raise MalformedSeries(f"{path}: unit and cycle must be integers")
    unit_i = unit.astype(np.int64)
    cycle_i = cycle.astype(np.int64)
    same = unit_i[1:] == unit_i[:-1]
    if (np.diff(cycle_i)[same] <= 0).any():
        raise MalformedSeries(f"{path}: cycles of a unit must increase")
    if len(np.unique(unit_i)) != int((~same).sum()) + 1:
        raise MalformedSeries(f"{path}: rows of a unit must be contiguous")
    try:
        return FleetSeries(unit_i, cycle_i, data[:, 2:5], data[:, 5:])
    except MalformedSeries as exc:
        raise MalformedSeries(f"{path}: {exc}") from None


def read_rul(path: Path) -> FloatArray:
    """Read a ``RUL_*`` file: one true RUL per test unit, in unit order."""
    values: list[float] = []
    with path.open(encoding="utf-8") as fh:
        for line_no, line in enumerate(fh, start=1):
            tokens = line.split()
            if not tokens:
                continue
            if len(tokens) != 1:
                raise MalformedSeries(f"{path}: line {line_no}: expected one number")
            try:
                values.append(float(tokens[0]))
            except ValueError:
                raise MalformedSeries(f"{path}: line {line_no}: non-numeric value") from None
    if not values:
        raise MalformedSeries(f"{path}: no rows")
    return np.asarray(values, dtype=np.float64)
