"""The scores of the C-MAPSS literature."""

from __future__ import annotations

import math
from collections.abc import Sequence


def rmse(predicted: Sequence[float], true: Sequence[float]) -> float:
    """Root mean squared error."""
    if len(predicted) != len(true) or not predicted:
        raise ValueError("predicted and true must be non-empty and of equal length")
    return math.sqrt(sum((p - t) ** 2 for p, t in zip(predicted, true, strict=True)) / len(true))


def nasa_score(predicted: Sequence[float], true: Sequence[float]) -> float:
    """PHM08 scoring function: Σ e^(−d/13) − 1 for d < 0, e^(d/10) − 1 otherwise; d = pred − true.

    Late predictions (d > 0) cost more than early ones (Saxena et al., PHM08).
    """
    if len(predicted) != len(true):
        raise ValueError("predicted and true must be of equal length")
    total = 0.0
    for p, t in zip(predicted, true, strict=True):
        d = p - t
        total += math.exp(-d / 13.0) - 1.0 if d < 0 else math.exp(d / 10.0) - 1.0
    return total
