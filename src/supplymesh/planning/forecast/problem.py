"""What to forecast: series (ids, values, season length), the horizon and the quantiles."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


class InvalidSeries(ValueError):
    """A series cannot be forecast as given; the message names the series and the problem."""

    def __init__(self, series_id: str, problem: str) -> None:
        super().__init__(f"series {series_id!r}: {problem}")
        self.series_id = series_id


@dataclass(frozen=True)
class Series:
    """One history of demand, equally spaced, oldest first.

    Parameters
    ----------
    id
        The series' name (item × site, SKU, M3 id ...), used in every message.
    values
        Observations, one per period; converted to float64.
    season_length
        Periods per seasonal cycle (12 monthly, 4 quarterly, 7 daily, 1 none).
    exogenous
        Optional regressors known in advance (promotions, prices, calendar features), one
        row per period of the history and of the horizon; only the global model reads them.
    """

    id: str
    values: FloatArray
    season_length: int = 1
    exogenous: FloatArray | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", np.asarray(self.values, dtype=np.float64).reshape(-1))
        if self.season_length < 1:
            raise ValueError(f"series {self.id!r}: season_length must be >= 1")

    def check(self) -> None:
        """Raise `InvalidSeries` for an empty series, missing values or negative demand."""
        y = self.values
        if y.size == 0:
            raise InvalidSeries(self.id, "no observations")
        bad = np.flatnonzero(~np.isfinite(y))
        if bad.size:
            raise InvalidSeries(
                self.id, f"missing or non-finite value at position {int(bad[0])} of {y.size}"
            )
        ex = self.exogenous
        if ex is not None and (np.ndim(ex) != 2 or not np.all(np.isfinite(ex))):
            raise InvalidSeries(self.id, "exogenous regressors must be a finite 2-D table")
        neg = np.flatnonzero(y < 0)
        if neg.size:
            raise InvalidSeries(self.id, f"negative demand {y[neg[0]]:g} at position {int(neg[0])}")


@dataclass(frozen=True)
class ForecastProblem:
    """Series to forecast `horizon` periods ahead, with these quantile levels.

    Parameters
    ----------
    series
        The histories; ids must be unique.
    horizon
        Periods ahead, >= 1.
    quantiles
        Levels in (0, 1), strictly increasing; default 0.1, 0.5, 0.9.
    """

    series: tuple[Series, ...]
    horizon: int
    quantiles: tuple[float, ...] = field(default=(0.1, 0.5, 0.9))

    def __post_init__(self) -> None:
        object.__setattr__(self, "series", tuple(self.series))
        object.__setattr__(self, "quantiles", tuple(float(q) for q in self.quantiles))
        if self.horizon < 1:
            raise ValueError(f"horizon must be >= 1, got {self.horizon}")
        qs = self.quantiles
        if any(not 0.0 < q < 1.0 for q in qs) or any(a >= b for a, b in itertools.pairwise(qs)):
            raise ValueError(f"quantiles must be strictly increasing in (0, 1), got {qs}")
        ids = [s.id for s in self.series]
        if len(set(ids)) != len(ids):
            dup = next(i for i in ids if ids.count(i) > 1)
            raise ValueError(f"duplicate series id {dup!r}")
