"""`supplymesh bench rul DIR --subset FD00x`: remaining-useful-life error on C-MAPSS files.

Trains on ``train_FD00x.txt``, predicts the RUL at the last cycle of every engine in
``test_FD00x.txt`` and scores against ``RUL_FD00x.txt`` (all found under DIR): RMSE against
the true RUL as given, RMSE against min(true, 125), the PHM08 score, and the engine count.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from supplymesh.cli.bench.common import emit, fail

COLUMNS = ("engine", "predicted", "true", "error")
_SUBSET = re.compile(r"^FD\d{3}$")
TRUTH_CAP = 125.0


def _find(root: Path, name: str) -> Path:
    """The file called `name` under `root` (itself, or the first match in sorted order)."""
    if root.is_file():
        root = root.parent
    direct = root / name
    if direct.is_file():
        return direct
    matches = sorted(p for p in root.rglob(name) if p.is_file())
    if not matches:
        fail(f"{root}: no {name} found")
    return matches[0]


def register(app: typer.Typer) -> None:
    """Add the `rul` command to the bench app."""

    @app.command("rul")
    def rul(
        directory: Annotated[Path, typer.Argument(help="Folder holding the C-MAPSS files.")],
        subset: Annotated[str, typer.Option(help="Subset name, e.g. FD001.")],
        time_limit: Annotated[
            float, typer.Option(help="Ignored: training runs to completion (said on stderr).")
        ] = 60.0,
        max_instances: Annotated[
            int | None, typer.Option(help="Score only the first N test engines.")
        ] = None,
        seed: Annotated[int, typer.Option(help="Random seed.")] = 1,
        json_file: Annotated[
            Path | None, typer.Option("--json", help="Write the JSON result here ('-': stdout).")
        ] = None,
    ) -> None:
        """Train an RUL model on a C-MAPSS subset and score it on the subset's test engines."""
        from supplymesh.planning.maintenance.metrics import nasa_score, rmse
        from supplymesh.planning.maintenance.params import RulParams
        from supplymesh.planning.maintenance.problem import (
            MalformedSeries,
            RulProblem,
            read_cmapss,
            read_rul,
        )
        from supplymesh.planning.maintenance.solve import predict_rul

        subset = subset.upper()
        if not _SUBSET.match(subset):
            fail(f"--subset must look like FD001, got {subset!r}")
        if max_instances is not None and max_instances < 1:
            fail("--max-instances must be ≥ 1")
        if not directory.exists():
            fail(f"{directory} does not exist")
        typer.echo(f"note: --time-limit ({time_limit:g} s) is ignored by the rul bench", err=True)
        began = time.perf_counter()
        train_path = _find(directory, f"train_{subset}.txt")
        test_path = _find(directory, f"test_{subset}.txt")
        truth_path = _find(directory, f"RUL_{subset}.txt")
        try:
            train = read_cmapss(train_path)
            test = read_cmapss(test_path)
            truth = read_rul(truth_path)
        except MalformedSeries as exc:
            fail(str(exc))
        except (OSError, UnicodeDecodeError) as exc:
            fail(f"unreadable input: {exc}")
        units = test.units()
        if len(truth) != len(units):
            fail(f"{truth_path}: {len(truth)} values for {len(units)} test engines in {test_path}")
        if train.sensors.shape[1] != test.sensors.shape[1]:
            fail(
                f"{test_path}: {test.sensors.shape[1]} sensors, training file has "
                f"{train.sensors.shape[1]}"
            )
        params = RulParams(seed=seed)
        result = predict_rul(RulProblem(train, test, subset), params)
        count = len(units) if max_instances is None else min(max_instances, len(units))
        predicted = list(result.predicted[:count])
        true = [float(v) for v in truth[:count]]
        rows: list[dict[str, Any]] = [
            {
                "engine": int(u),
                "predicted": round(p, 3),
                "true": t,
                "error": round(p - t, 3),
            }
            for u, p, t in zip(units[:count], predicted, true, strict=True)
        ]
        summary = {
            "rmse": rmse(predicted, true),
            "rmse_capped": rmse(predicted, [min(t, TRUTH_CAP) for t in true]),
            "nasa_score": nasa_score(predicted, true),
            "engines": count,
            "subset": subset,
            "operating_conditions": result.conditions,
            "dropped_sensors": [i + 1 for i in result.dropped_sensors],
            "seconds": round(time.perf_counter() - began, 3),
            "seed": seed,
            "time_limit_ignored": True,
        }
        emit(summary, rows, json_file, COLUMNS)
