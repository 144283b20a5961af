"""`supplymesh bench replenish DIR [--train DIR2]`: the JD.com end-to-end inventory benchmark.

Our policies see only ``rounds.csv`` and ``forecast_sf_rnn.csv`` of the evaluated pairs. The
learned policy (``ours_e2e``) is fitted on DIR2's rounds and outcomes when ``--train`` is
given, otherwise by 5-fold product-level cross-validation inside DIR. Every policy's targets
are played through the published simulator; the data's seven reference policies are played
from ``reference_targets.csv`` for comparison (never read by a policy).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from supplymesh.cli.bench.common import emit, fail

if TYPE_CHECKING:
    from supplymesh.planning.replenishment.simulate import CostSummary

COLUMNS = ("policy", "total_cost", "holding_cost", "stockout_cost", "stockout_rate")
CV_FOLDS = 5


def _folder(root: Path) -> Path:
    """The folder holding ``rounds.csv``: ``root`` itself or the first one below it."""
    if root.is_file():
        root = root.parent
    if (root / "rounds.csv").is_file():
        return root
    found = sorted(p.parent for p in root.rglob("rounds.csv") if p.is_file())
    if not found:
        fail(f"{root}: no rounds.csv found")
    return found[0]


def _row(policy: str, kind: str, s: CostSummary) -> dict[str, Any]:
    return {
        "policy": policy,
        "kind": kind,
        "total_cost": round(s.total_cost, 6),
        "holding_cost": round(s.holding_cost, 6),
        "stockout_cost": round(s.stockout_cost, 6),
        "stockout_rate": round(s.stockout_rate, 6),
        "days_of_inventory": round(s.days_of_inventory, 6),
    }


def _pct(ours: float, ref: float | None) -> float | None:
    return None if ref is None or ref == 0 else round(100.0 * (ours - ref) / ref, 4)


def register(app: typer.Typer) -> None:
    """Add the `replenish` command to the bench app."""

    @app.command("replenish")
    def replenish(
        directory: Annotated[Path, typer.Argument(help="Folder holding the jd-e2e CSV files.")],
        train: Annotated[
            Path | None,
            typer.Option(help="Fit the learned policy here (otherwise product-level CV in DIR)."),
        ] = None,
        time_limit: Annotated[
            float, typer.Option(help="Ignored: training runs to completion (said on stderr).")
        ] = 60.0,
        max_instances: Annotated[
            int | None, typer.Option(help="Only the first N SKU–DC pairs in sorted order.")
        ] = None,
        seed: Annotated[int, typer.Option(help="Random seed (folds and trees).")] = 1,
        json_file: Annotated[
            Path | None, typer.Option("--json", help="Write the JSON result here ('-': stdout).")
        ] = None,
    ) -> None:
        """Score our replenishment policies next to JD's reference policies."""
        from supplymesh.planning.replenishment import e2e
        from supplymesh.planning.replenishment.baselines import BASELINES
        from supplymesh.planning.replenishment.jd import (
            MalformedJdData,
            read_decisions,
            read_outcomes,
            read_reference_targets,
        )
        from supplymesh.planning.replenishment.simulate import evaluate

        if max_instances is not None and max_instances < 1:
            fail("--max-instances must be ≥ 1")
        for path in (directory, train):
            if path is not None and not path.exists():
                fail(f"{path} does not exist")
        typer.echo(
            f"note: --time-limit ({time_limit:g} s) is ignored by the replenish bench", err=True
        )
        began = time.perf_counter()
        folder = _folder(directory)
        params = e2e.E2eParams(seed=seed)
        try:
            decisions = read_decisions(folder, max_instances)
            outcomes = read_outcomes(folder, decisions)
            if train is not None:
                train_folder = _folder(train)
                train_decisions = read_decisions(train_folder)
                policy = e2e.fit(
                    train_decisions, read_outcomes(train_folder, train_decisions), params
                )
                ours = policy.targets(decisions)  # decision-time inputs of DIR only
                factors = [policy.factor]
                training = f"fit on {train_folder}"
            else:
                validated = e2e.cross_validate(decisions, outcomes, params, CV_FOLDS)
                ours, factors = validated.targets, validated.factors
                training = f"{CV_FOLDS}-fold product-level cross-validation in {folder}"
            references = (
                read_reference_targets(folder, decisions)
                if (folder / "reference_targets.csv").is_file()
                else {}
            )
        except (MalformedJdData, ValueError) as exc:
            fail(str(exc))
        except (OSError, UnicodeDecodeError) as exc:
            fail(f"unreadable input: {exc}")
        summaries = {"ours_e2e": evaluate(decisions, outcomes, ours).summary()}
        rows = [_row("ours_e2e", "ours", summaries["ours_e2e"])]
        for name, baseline in BASELINES.items():
            summaries[name] = evaluate(decisions, outcomes, baseline(decisions)).summary()
            rows.append(_row(name, "ours", summaries[name]))
        for name, targets in references.items():
            summaries[name] = evaluate(decisions, outcomes, targets).summary()
            rows.append(_row(name, "reference", summaries[name]))
        ours_total = summaries["ours_e2e"].total_cost
        bm1 = summaries.get("Bm1")
        jd = summaries.get("E2E_RNN")
        summary: dict[str, Any] = {
            "e2e_total_cost": round(ours_total, 6),
            "e2e_vs_pto_total_cost_pct": _pct(ours_total, bm1.total_cost if bm1 else None),
            "e2e_vs_jd_e2e_total_cost_pct": _pct(ours_total, jd.total_cost if jd else None),
            "e2e_stockout_cost": round(summaries["ours_e2e"].stockout_cost, 6),
            "jd_e2e_stockout_cost": round(jd.stockout_cost, 6) if jd else None,
            "pairs": summaries["ours_e2e"].pairs,
            "rounds": len(decisions.rounds),
            "training": training,
            "e2e_calibration_factors": factors,
            "reference_table_reproduced": _reproduced(folder, summaries, max_instances),
            "seconds": round(time.perf_counter() - began, 3),
            "seed": seed,
            "time_limit_ignored": True,
        }
        emit(summary, rows, json_file, COLUMNS)


def _reproduced(
    folder: Path, summaries: dict[str, CostSummary], max_instances: int | None
) -> bool | None:
    """Whether the reference rows match the folder's published tables (None: not checkable)."""
    from supplymesh.planning.replenishment.jd import REFERENCE_POLICIES, read_reference_table

    main, extra = folder / "reference_table.csv", folder / "reference_table_supplementary.csv"
    if max_instances is not None or not main.is_file() or "OPT" not in summaries:
        return None
    table = read_reference_table(folder)
    cells = [(summaries[p].total_cost, table.loc["total_cost", p]) for p in REFERENCE_POLICIES] + [
        (summaries[p].holding_cost, table.loc["holding_cost", p]) for p in REFERENCE_POLICIES
    ]
    if extra.is_file():
        sup = read_reference_table(folder, extra.name)
        cells += [
            (summaries[p].stockout_rate, sup.loc["stockout_rate_le0", p])
            for p in REFERENCE_POLICIES
        ]
    return bool(all(abs(a - float(b)) <= 1e-6 for a, b in cells))
