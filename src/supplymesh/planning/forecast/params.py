"""How to forecast: which models, how the automatic choice works, fallback, parallelism."""

from __future__ import annotations

from dataclasses import dataclass

from supplymesh.planning.forecast.models import DEFAULT_MODELS, check_model_name


@dataclass(frozen=True)
class ForecastParams:
    """Settings of `forecast`, checked on construction.

    Parameters
    ----------
    models
        Library models (or ``mean[A+B]`` / ``median[A+B]`` combinations) to fit to every
        series and report; default every single model except the slow AutoARIMA.
    auto
        Also produce the automatic choice, reported as model ``auto``.
    smooth_auto
        The automatic choice for a series that is not intermittent: a model or combination.
        Default the median of ETS, dynamic optimised Theta and CES (SCUM without ARIMA).
    smooth_candidates
        When not empty, the automatic choice for smooth series is the candidate (model or
        combination) with the lowest mean sMAPE when every series of the problem is cut
        `horizon` periods short and forecast over them (one rolling origin inside the
        history, pooled over the problem's series); `smooth_auto` is then only used where
        no candidate can be scored. Costs one more fit of every candidate member.
    intermittent_candidates
        Models the automatic choice picks from for an intermittent series.
    intermittent_adi
        Average inter-demand interval above which a series counts as intermittent; 1.32 is
        Syntetos, Boylan & Croston's (2005) cut-off.
    backtest_windows
        Rolling origins used to choose among `intermittent_candidates` (0 = no backtest:
        the median combination of the candidates).
    fallback
        Model used, and reported, where another cannot forecast a series.
    n_jobs
        Worker processes over series (1 = in this process).
    """

    models: tuple[str, ...] = DEFAULT_MODELS
    auto: bool = True
    smooth_auto: str = "median[AutoETS+DOTM+AutoCES]"
    smooth_candidates: tuple[str, ...] = ()
    intermittent_candidates: tuple[str, ...] = ("CrostonSBA", "TSB", "ADIDA", "IMAPA")
    intermittent_adi: float = 1.32
    backtest_windows: int = 2
    fallback: str = "Naive"
    n_jobs: int = 1

    def __post_init__(self) -> None:
        object.__setattr__(self, "models", tuple(self.models))
        object.__setattr__(self, "intermittent_candidates", tuple(self.intermittent_candidates))
        object.__setattr__(self, "smooth_candidates", tuple(self.smooth_candidates))
        if not self.models and not self.auto:
            raise ValueError("nothing to do: no models and auto=False")
        if len(set(self.models)) != len(self.models):
            raise ValueError(f"models listed twice: {self.models}")
        if "auto" in self.models:
            raise ValueError("'auto' is not a library model; set auto=True")
        named = (*self.models, self.smooth_auto, *self.smooth_candidates)
        for name in (*named, *self.intermittent_candidates, self.fallback):
            check_model_name(name)
        if not self.intermittent_candidates:
            raise ValueError("intermittent_candidates must not be empty")
        if self.intermittent_adi < 1.0:
            raise ValueError(f"intermittent_adi must be >= 1, got {self.intermittent_adi}")
        if self.backtest_windows < 0:
            raise ValueError(f"backtest_windows must be >= 0, got {self.backtest_windows}")
        if self.n_jobs < 1:
            raise ValueError(f"n_jobs must be >= 1, got {self.n_jobs}")
