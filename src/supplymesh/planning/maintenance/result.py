"""What an RUL prediction returns."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RulResult:
    """Predicted RUL (cycles) at the last observed cycle of each test unit, in unit order."""

    units: tuple[int, ...]
    predicted: tuple[float, ...]
    features: tuple[str, ...]
    conditions: int
    dropped_sensors: tuple[int, ...]
    seconds: float
