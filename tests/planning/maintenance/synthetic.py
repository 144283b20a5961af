"""A small synthetic C-MAPSS-style fleet: six operating conditions, degrading sensors."""

from __future__ import annotations

from pathlib import Path

import numpy as np

CONDITIONS = np.array(
    [[0.0, 0.0, 100.0], [10.0, 0.25, 100.0], [20.0, 0.70, 100.0],
     [25.0, 0.62, 60.0], [35.0, 0.84, 100.0], [42.0, 0.84, 100.0]]
)  # fmt: skip


def fleet_rows(
    rng: np.random.Generator, units: int, truncate: bool, conditions: int = 6
) -> tuple[list[list[float]], list[int]]:
    """Rows (unit, cycle, 3 settings, 21 sensors) and, if truncated, the true RULs."""
    rows: list[list[float]] = []
    ruls: list[int] = []
    offsets = np.linspace(0.0, 50.0, 6)
    for unit in range(1, units + 1):
        life = int(rng.integers(60, 110))
        seen = int(rng.integers(20, life - 5)) if truncate else life
        ruls.append(life - seen)
        for cycle in range(1, seen + 1):
            c = int(rng.integers(0, conditions))
            settings = CONDITIONS[c] + rng.normal(0, 0.001, 3)
            wear = np.exp(-max(0, life - cycle) / 25.0)
            sensors = np.zeros(21)
            sensors[0] = 500.0 + offsets[c]  # constant within each condition
            sensors[1:11] = 100.0 + 3 * offsets[c] + 8.0 * wear + rng.normal(0, 0.5, 10)
            sensors[11:20] = 40.0 - offsets[c] - 5.0 * wear + rng.normal(0, 0.5, 9)
            sensors[20] = 7.0  # constant everywhere
            rows.append([unit, cycle, *settings, *sensors])
    return rows, ruls


def write_dataset(folder: Path, subset: str = "FD002", seed: int = 5) -> None:
    """train_/test_/RUL_ files in the C-MAPSS text layout (trailing spaces included)."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    train, _ = fleet_rows(rng, 14, truncate=False)
    test, ruls = fleet_rows(rng, 8, truncate=True)
    for name, rows in ((f"train_{subset}.txt", train), (f"test_{subset}.txt", test)):
        lines = [" ".join(_fmt(v) for v in row) + " " for row in rows]
        (folder / name).write_text("\n".join(lines) + "\n")
    (folder / f"RUL_{subset}.txt").write_text("\n".join(f"{r} " for r in ruls) + "\n")


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.4f}"
