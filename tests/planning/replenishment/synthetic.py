"""A small folder in the jd-e2e format (random but seeded), for tests that need no shared data."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

DCS = (301, 401, 501, 601)


def write_jd_folder(folder: Path, pairs: int = 24, seed: int = 0, first_sku: int = 1000) -> None:
    """Write rounds, forecast, outcomes, daily demand and reference targets for ``pairs`` pairs."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    rounds, forecast, outcomes, daily, targets = [], [], [], [], []
    for p in range(pairs):
        sku, dc = first_sku + p // 2, DCS[p % len(DCS)]
        key = f"{sku}#{dc}"
        n_rounds = 1 if p % 3 else 2
        level = float(rng.lognormal(2.5, 1.0))
        for r in range(n_rounds):
            review = float(rng.uniform(3, 12))
            vlt_mean, vlt_std = float(rng.uniform(3, 8)), float(rng.uniform(0.5, 2.5))
            vlt = max(1.0, float(rng.normal(vlt_mean, vlt_std)))
            lead = round(vlt)
            n_days = int(min(30, max(lead + 2, int(review + vlt) + 1)))
            demand = rng.poisson(level * rng.uniform(0.6, 1.4), size=n_days)
            rounds.append(
                {
                    "sku_dc": key, "sku": sku, "dc": dc, "round_index": r,
                    "n_rounds": n_rounds, "source_row": len(rounds),
                    "duplicate_of_source_row": -1, "review_period": review,
                    "initial_stock": int(level * rng.uniform(2, 10)), "demand_mean": level,
                    "demand_std": level**0.5 * 1.3, "vendor_vlt_mean": vlt_mean,
                    "vendor_vlt_std": vlt_std,
                }
            )  # fmt: skip
            sf = level * rng.uniform(0.55, 0.85, size=31)  # biased low, like a median
            forecast += [
                {"sku_dc": key, "round_index": r, "day": d, "sf_rnn": float(v)}
                for d, v in enumerate(sf)
            ]
            outcomes.append(
                {
                    "sku_dc": key, "round_index": r, "vlt": vlt, "lead_days": lead,
                    "n_days": n_days, "simulated_days": n_days - (r < n_rounds - 1),
                    "demand_total": int(demand.sum()), "prev_window_overlap_days": "",
                }
            )  # fmt: skip
            daily += [
                {"sku_dc": key, "round_index": r, "day": d, "demand": int(v)}
                for d, v in enumerate(demand)
            ]
            cover = review + vlt_mean
            targets.append(
                {
                    "sku_dc": key, "round_index": r, "target_OPT": int(demand.sum()),
                    "target_E2E_RNN": sf.mean() * cover * 1.1,
                    "target_Bm1": sf.mean() * int(review + vlt),
                    "target_Bm2": sf.mean() * int(review + vlt),
                    "target_Normal": int(level * cover + 1.64 * level**0.5 * cover**0.5),
                    "target_Gamma": int(level * cover * 1.2), "target_gbm": level * cover,
                }
            )  # fmt: skip
    for name, rows in (
        ("rounds.csv", rounds),
        ("forecast_sf_rnn.csv", forecast),
        ("outcomes.csv", outcomes),
        ("demand_daily.csv", daily),
        ("reference_targets.csv", targets),
    ):
        with (folder / name).open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
