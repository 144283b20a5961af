"""The JD.com end-to-end inventory benchmark (Qi et al., Management Science 2023): its files.

The folder splits into what a policy may read at review time (``rounds.csv`` and
``forecast_sf_rnn.csv``, read into `Decisions`) and what only the evaluator and training may
read (``outcomes.csv`` and ``demand_daily.csv``, read into `Outcomes`). Keeping them in two
types is what makes leakage visible: a policy function takes `Decisions` and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd  # type: ignore[import-untyped]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

FORECAST_DAYS = 31
ROUND_COLUMNS = (
    "sku_dc",
    "sku",
    "dc",
    "round_index",
    "n_rounds",
    "review_period",
    "initial_stock",
    "demand_mean",
    "demand_std",
    "vendor_vlt_mean",
    "vendor_vlt_std",
)
OUTCOME_COLUMNS = ("sku_dc", "round_index", "vlt", "lead_days", "n_days", "demand_total")
REFERENCE_POLICIES = ("OPT", "E2E_RNN", "Bm1", "Bm2", "Normal", "Gamma", "gbm")
REALISED = ("vlt", "lead_days", "n_days", "simulated_days", "demand_total", "demand")


class MalformedJdData(ValueError):
    """A file of the folder is missing or not in the documented shape; the message names it."""


@dataclass(frozen=True, eq=False)
class Decisions:
    """Decision-time inputs: one row per round in (sku_dc, round_index) order, and the forecast.

    ``forecast[i, d]`` is JD's RNN daily demand forecast for round ``i``, day ``d`` (0 = review
    day). Nothing realised after the review is in here.
    """

    rounds: pd.DataFrame
    forecast: FloatArray

    def __post_init__(self) -> None:
        leaked = [c for c in self.rounds.columns if c in REALISED or str(c).startswith("target_")]
        if leaked:
            raise MalformedJdData(f"decision-time rounds carry realised columns {leaked}")
        if self.forecast.shape != (len(self.rounds), FORECAST_DAYS):
            raise MalformedJdData(
                f"forecast has shape {self.forecast.shape}, expected ({len(self.rounds)}, 31)"
            )

    @property
    def pairs(self) -> list[str]:
        """Distinct SKU–DC pairs in sorted order."""
        return sorted(set(self.rounds["sku_dc"]))

    def subset(self, mask: npt.NDArray[np.bool_]) -> Decisions:
        """The rounds where ``mask`` is true (whole pairs should be kept together)."""
        return Decisions(self.rounds[mask].reset_index(drop=True), self.forecast[mask])


@dataclass(frozen=True, eq=False)
class Outcomes:
    """Realised outcomes aligned row for row with a `Decisions`: lead days and daily demand."""

    lead_days: IntArray
    demand: list[IntArray]

    def subset(self, mask: npt.NDArray[np.bool_]) -> Outcomes:
        """The rounds where ``mask`` is true."""
        return Outcomes(
            self.lead_days[mask], [d for d, keep in zip(self.demand, mask, strict=True) if keep]
        )

    @property
    def demand_total(self) -> FloatArray:
        """Σ daily demand per round: the hindsight (OPT) order-up-to target."""
        return np.array([float(d.sum()) for d in self.demand])


def _read(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    if not path.is_file():
        raise MalformedJdData(f"{path}: file not found")
    try:
        frame = pd.read_csv(path, dtype={"sku_dc": str})
    except (pd.errors.ParserError, UnicodeDecodeError, OSError) as exc:
        raise MalformedJdData(f"{path}: unreadable CSV ({exc})") from exc
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise MalformedJdData(f"{path}: missing columns {missing}")
    numeric = [c for c in columns if c != "sku_dc"]
    if frame[numeric].isna().any().any():
        bad = frame[numeric].isna().any(axis=1).idxmax()
        raise MalformedJdData(f"{path}: empty value on data row {int(bad) + 1}")
    return frame.sort_values(["sku_dc", "round_index"], kind="stable").reset_index(drop=True)


def read_decisions(folder: Path, max_pairs: int | None = None) -> Decisions:
    """Read ``rounds.csv`` and ``forecast_sf_rnn.csv``; keep the first ``max_pairs`` pairs."""
    rounds = _read(folder / "rounds.csv", ROUND_COLUMNS)[list(ROUND_COLUMNS)]
    if max_pairs is not None:
        keep = sorted(set(rounds["sku_dc"]))[:max_pairs]
        rounds = rounds[rounds["sku_dc"].isin(keep)].reset_index(drop=True)
    path = folder / "forecast_sf_rnn.csv"
    long = _read(path, ("sku_dc", "round_index", "day", "sf_rnn"))
    wide = long.pivot_table(
        index=["sku_dc", "round_index"], columns="day", values="sf_rnn", aggfunc="first"
    )
    if list(wide.columns) != list(range(FORECAST_DAYS)):
        raise MalformedJdData(f"{path}: days must be 0…30")
    keys = pd.MultiIndex.from_frame(rounds[["sku_dc", "round_index"]])
    aligned = wide.reindex(keys)
    if aligned.isna().any().any():
        raise MalformedJdData(f"{path}: some round lacks one of the 31 forecast days")
    return Decisions(rounds, aligned.to_numpy(dtype=np.float64))


def read_outcomes(folder: Path, decisions: Decisions) -> Outcomes:
    """Read ``outcomes.csv`` and ``demand_daily.csv`` for the rounds of ``decisions``."""
    keys = pd.MultiIndex.from_frame(decisions.rounds[["sku_dc", "round_index"]])
    path = folder / "outcomes.csv"
    outcomes = _read(path, OUTCOME_COLUMNS).set_index(["sku_dc", "round_index"]).reindex(keys)
    if outcomes["lead_days"].isna().any():
        raise MalformedJdData(f"{path}: some round of rounds.csv has no outcome")
    daily_path = folder / "demand_daily.csv"
    daily = _read(daily_path, ("sku_dc", "round_index", "day", "demand"))
    daily = daily.sort_values(["sku_dc", "round_index", "day"], kind="stable")
    groups = {
        key: group.to_numpy(dtype=np.int64)
        for key, group in daily.groupby(["sku_dc", "round_index"], sort=False)["demand"]
    }
    demand: list[IntArray] = []
    for key, n_days in zip(keys, outcomes["n_days"], strict=True):
        series = groups.get(key)
        if series is None or len(series) != int(n_days):
            raise MalformedJdData(f"{daily_path}: round {key} does not have {int(n_days)} days")
        demand.append(series)
    return Outcomes(outcomes["lead_days"].to_numpy(dtype=np.int64), demand)


def read_reference_targets(folder: Path, decisions: Decisions) -> dict[str, FloatArray]:
    """The seven published policies' targets, aligned with ``decisions`` (evaluation only)."""
    columns = tuple(f"target_{p}" for p in REFERENCE_POLICIES)
    frame = _read(folder / "reference_targets.csv", ("sku_dc", "round_index", *columns))
    keys = pd.MultiIndex.from_frame(decisions.rounds[["sku_dc", "round_index"]])
    frame = frame.set_index(["sku_dc", "round_index"]).reindex(keys)
    return {p: frame[f"target_{p}"].to_numpy(dtype=np.float64) for p in REFERENCE_POLICIES}


def read_reference_table(folder: Path, name: str = "reference_table.csv") -> pd.DataFrame:
    """A published table: one row per metric, one column per reference policy."""
    path = folder / name
    if not path.is_file():
        raise MalformedJdData(f"{path}: file not found")
    return pd.read_csv(path).set_index("metric")
