"""The model library: statsforecast's statistical models behind one interface, and combinations.

Every model answers `fit(y)` then `predict(horizon, quantiles)` with a point forecast and one
row per quantile level, so the engine, the automatic choice and the bench treat them alike
(statsforecast's own `AutoETS.fit/predict` shape, reduced to what we need).

Models with native prediction intervals (ETS, Theta, CES, ARIMA, naive) give the quantile q
as the bound of their central interval at level 100·|2q − 1|. The intermittent-demand models
(Croston 1972; SBA, Syntetos & Boylan 2005; TSB, Teunter, Syntetos & Babai 2011; ADIDA,
Nikolopoulos et al. 2011; IMAPA, Petropoulos & Kourentzes 2015) only give a mean rate; their
quantiles come from a negative binomial around that mean with the history's dispersion for
count data (the usual predictive law for intermittent demand, Kolassa 2016, IJF 32), and
from a normal with the in-sample residual spread otherwise. Everything is clipped at 0:
demand is never negative.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from scipy import stats  # type: ignore[import-untyped]

from supplymesh.planning.forecast.problem import FloatArray


@dataclass(frozen=True)
class ModelForecast:
    """A point forecast (horizon,) and quantiles (levels, horizon), non-decreasing in level."""

    point: FloatArray
    quantiles: FloatArray


class ModelFailed(RuntimeError):
    """A model could not produce finite forecasts for a series (too short, degenerate)."""


class ForecastModel(Protocol):
    """What every model in the library does: learn from a history, then forecast."""

    name: str

    def fit(self, y: FloatArray) -> ForecastModel:
        """Learn from the history `y` (oldest first); returns self."""
        ...

    def predict(self, horizon: int, quantiles: Sequence[float]) -> ModelForecast:
        """Forecast `horizon` periods: point and the given quantile levels."""
        ...


def _finite(values: Any, what: str, horizon: int) -> FloatArray:
    arr = np.asarray(values, dtype=np.float64).reshape(-1)
    if arr.shape != (horizon,) or not np.all(np.isfinite(arr)):
        raise ModelFailed(f"{what}: non-finite or mis-shaped output")
    return arr


def _finish(point: FloatArray, rows: list[FloatArray]) -> ModelForecast:
    """Clip at zero and sort the quantile rows per step, which keeps them monotone."""
    q = np.sort(np.clip(np.vstack(rows), 0.0, None), axis=0)
    return ModelForecast(np.clip(point, 0.0, None), q)


class StatsForecastModel:
    """A statsforecast model with native prediction intervals."""

    def __init__(self, name: str, model: Any) -> None:
        self.name = name
        self._model = model

    def fit(self, y: FloatArray) -> StatsForecastModel:
        """Fit the wrapped model; a failure becomes `ModelFailed` (and then a fallback)."""
        with warnings.catch_warnings():
            # statsforecast warns per series (short history, many differences) and still
            # returns a model; what counts is whether its forecasts are finite, which
            # `predict` checks. Silenced here, in this call only, not globally.
            warnings.simplefilter("ignore", UserWarning)
            try:
                self._model.fit(y)
            except Exception as exc:  # statsforecast raises bare Exception("tiny datasets")
                raise ModelFailed(f"{self.name}: {exc}") from exc
        return self

    def predict(self, horizon: int, quantiles: Sequence[float]) -> ModelForecast:
        """Point = the model's mean; quantile q = bound of its 100·|2q−1|% interval."""
        levels = sorted({_level(q) for q in quantiles if _level(q) > 0})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            try:
                out = self._model.predict(h=horizon, level=levels or None)
            except Exception as exc:
                raise ModelFailed(f"{self.name}: {exc}") from exc
        point = _finite(out["mean"], self.name, horizon)
        rows = []
        for q in quantiles:
            lv = _level(q)
            if lv == 0:
                rows.append(point)
            else:
                side = "lo" if q < 0.5 else "hi"
                rows.append(_finite(out[f"{side}-{lv}"], self.name, horizon))
        return _finish(point, rows)


def _level(q: float) -> float:
    return round(abs(2.0 * q - 1.0) * 100.0, 6)


class IntermittentModel:
    """A statsforecast intermittent-demand model (mean rate only) with a predictive law."""

    def __init__(self, name: str, model: Any) -> None:
        self.name = name
        self._model = model
        self._y: FloatArray = np.zeros(0)

    def fit(self, y: FloatArray) -> IntermittentModel:
        """Keep the history; the model is fitted in `predict`, where the horizon is known."""
        if y.size < 2:
            raise ModelFailed(f"{self.name}: needs at least 2 observations, got {y.size}")
        self._y = y
        return self

    def predict(self, horizon: int, quantiles: Sequence[float]) -> ModelForecast:
        """Mean from the model; quantiles from a negative binomial (counts) or a normal."""
        y = self._y
        try:
            out = self._model.forecast(y=y, h=horizon, fitted=True)
        except Exception as exc:
            raise ModelFailed(f"{self.name}: {exc}") from exc
        point = np.clip(_finite(out["mean"], self.name, horizon), 0.0, None)
        if np.all(y == np.round(y)):
            rows = [_count_quantile(point, y, q) for q in quantiles]
        else:
            resid = y - np.asarray(out["fitted"], dtype=np.float64)
            resid = resid[np.isfinite(resid)]
            sd = float(np.std(resid)) if resid.size > 1 else float(np.std(y))
            rows = [point + float(stats.norm.ppf(q)) * sd for q in quantiles]
        return _finish(point, rows)


def _count_quantile(mean: FloatArray, history: FloatArray, q: float) -> FloatArray:
    """Quantile q of a negative binomial with this mean and the history's variance/mean ratio.

    A ratio <= 1 (no over-dispersion) gives a Poisson. A zero mean gives zero.
    """
    hist_mean = float(np.mean(history))
    ratio = float(np.var(history, ddof=1)) / hist_mean if hist_mean > 0 else 1.0
    mu = np.maximum(mean, 1e-12)
    if ratio <= 1.0 + 1e-9:
        out = stats.poisson.ppf(q, mu)
    else:
        p = 1.0 / ratio
        n = mu * p / (1.0 - p)
        out = stats.nbinom.ppf(q, n, p)
    return np.where(mean > 0, np.asarray(out, dtype=np.float64), 0.0)


class Combination:
    """Mean or median of member models, point and each quantile level alike.

    Combining forecasts beats most single methods on M3 (Makridakis & Hibon 2000; the
    median of ETS, CES, ARIMA and Theta is Petropoulos & Svetunkov's 2020 "SCUM").
    Averaging quantile levels (Vincentisation) keeps them ordered.
    """

    def __init__(self, name: str, members: Sequence[ForecastModel], how: str) -> None:
        self.name = name
        self.members = tuple(members)
        self.how = how

    def fit(self, y: FloatArray) -> Combination:
        """Fit every member; one failing member fails the combination."""
        for m in self.members:
            m.fit(y)
        return self

    def predict(self, horizon: int, quantiles: Sequence[float]) -> ModelForecast:
        """Combine the members' forecasts."""
        return combine([m.predict(horizon, quantiles) for m in self.members], self.how)


def combine(forecasts: Sequence[ModelForecast], how: str) -> ModelForecast:
    """Mean or median across forecasts, per step and per quantile level."""
    reduce: Callable[..., Any] = np.mean if how == "mean" else np.median
    point = np.asarray(reduce([f.point for f in forecasts], axis=0), dtype=np.float64)
    qs = np.asarray(reduce([f.quantiles for f in forecasts], axis=0), dtype=np.float64)
    return ModelForecast(point, np.sort(qs, axis=0))


@dataclass(frozen=True)
class ModelSpec:
    """How to build a library model for a season length, and what it needs."""

    name: str
    family: str
    build: Callable[[int], ForecastModel]
    min_length: Callable[[int], int]


def _sf() -> Any:
    import statsforecast.models as sfm

    return sfm


def load_backend() -> None:
    """Import statsforecast now, so its import time is not charged to the first model."""
    _sf()


def _specs() -> dict[str, ModelSpec]:
    def native(name: str, family: str, make: Callable[[Any, int], Any], need: int = 3) -> ModelSpec:
        return ModelSpec(
            name, family, lambda m: StatsForecastModel(name, make(_sf(), m)), lambda m: need
        )

    def inter(name: str, make: Callable[[Any], Any]) -> ModelSpec:
        return ModelSpec(
            name, "intermittent", lambda m: IntermittentModel(name, make(_sf())), lambda m: 2
        )

    specs = [
        native("Naive", "naive", lambda s, m: s.Naive(), need=2),
        ModelSpec(
            "SeasonalNaive",
            "naive",
            lambda m: StatsForecastModel("SeasonalNaive", _sf().SeasonalNaive(season_length=m)),
            lambda m: max(2, m + 1),
        ),
        native("AutoETS", "ets", lambda s, m: s.AutoETS(season_length=m)),
        native("AutoTheta", "theta", lambda s, m: s.AutoTheta(season_length=m)),
        native("DOTM", "theta", lambda s, m: s.DynamicOptimizedTheta(season_length=m)),
        native("AutoCES", "ces", lambda s, m: s.AutoCES(season_length=m)),
        native("AutoARIMA", "arima", lambda s, m: s.AutoARIMA(season_length=m)),
        inter("CrostonClassic", lambda s: s.CrostonClassic()),
        inter("CrostonSBA", lambda s: s.CrostonSBA()),
        inter("TSB", lambda s: s.TSB(alpha_d=0.2, alpha_p=0.2)),
        inter("ADIDA", lambda s: s.ADIDA()),
        inter("IMAPA", lambda s: s.IMAPA()),
    ]
    return {s.name: s for s in specs}


LIBRARY: dict[str, ModelSpec] = _specs()
"""Every single model by name."""

SLOW_MODELS = ("AutoARIMA",)
"""Left out of the default set: AutoARIMA costs ~0.3–0.65 s per series (STACK-NOTES.md)."""

DEFAULT_MODELS: tuple[str, ...] = tuple(n for n in LIBRARY if n not in SLOW_MODELS)

GLOBAL_MODELS: tuple[str, ...] = ("LightGBM", "MLForecast")
"""Models trained across every series of a problem at once, not per series: our direct
LightGBM (`global_model`) and the same learner through Nixtla's mlforecast
(`mlforecast_model`). `forecast` fits them before the per-series work; they are not in the
default set."""


def parse_combination(name: str) -> tuple[str, tuple[str, ...]] | None:
    """``mean[AutoETS+AutoTheta]`` → ("mean", ("AutoETS", "AutoTheta")); None if not one."""
    for how in ("mean", "median"):
        if name.startswith(how + "[") and name.endswith("]"):
            members = tuple(p.strip() for p in name[len(how) + 1 : -1].split("+") if p.strip())
            return how, members
    return None


def check_model_name(name: str) -> None:
    """ValueError naming the model and the known ones if `name` is not in the library."""
    combo = parse_combination(name)
    members = combo[1] if combo else (name,)
    if combo is not None and len(members) < 2:
        raise ValueError(f"combination {name!r} needs at least two members")
    for member in members:
        if member not in LIBRARY and member not in GLOBAL_MODELS:
            known = ", ".join((*LIBRARY, *GLOBAL_MODELS))
            raise ValueError(f"unknown model {member!r}; known: {known}")


def min_length(name: str, season_length: int) -> int:
    """Shortest history the model (every member, for a combination) accepts."""
    combo = parse_combination(name)
    members = combo[1] if combo else (name,)
    return max(LIBRARY[m].min_length(season_length) if m in LIBRARY else 2 for m in members)


def build(name: str, season_length: int) -> ForecastModel:
    """A fresh model by library name or ``mean[...]`` / ``median[...]`` combination."""
    check_model_name(name)
    combo = parse_combination(name)
    members = combo[1] if combo else (name,)
    if any(m in GLOBAL_MODELS for m in members):
        raise ValueError(f"{name!r} uses a global model: it is fitted across series by `forecast`")
    if combo is None:
        return LIBRARY[name].build(season_length)
    how, members = combo
    return Combination(name, [LIBRARY[m].build(season_length) for m in members], how)
