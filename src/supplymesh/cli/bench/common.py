"""What every bench shares: finding instances and best-known values, and reporting.

The contract (CONTRACTS.md, "Bench contract"): DIR is searched recursively; an instance is a
file of the bench's format named by its stem; `.sol`, README, PROVENANCE, `capopt*` and other
files are ignored; `bks.csv` is looked up in the instance's folder and its parents up to DIR;
`gap_pct = 100·(value − bks)/bks`; one JSON object `{"summary", "rows"}` to `--json FILE`;
exit 0 whatever the figures, non-zero only for bad usage or malformed input (naming the file).
"""

from __future__ import annotations

import csv
import json
import math
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer

IGNORED_NAMES = ("readme", "provenance", "license", "licence", "bks", "capopt")


class MalformedInstance(Exception):
    """An instance file could not be read; the message names the file and the problem."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path


def find_instances(root: Path, accept: Callable[[Path], bool]) -> list[Path]:
    """Instance files under `root` (or `root` itself), sorted by path, per `accept`."""
    if not root.exists():
        raise typer.BadParameter(f"{root} does not exist")
    if root.is_file():
        return [root]
    found = []
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.name.startswith("."):
            continue
        lower = path.name.lower()
        if any(lower.startswith(prefix) for prefix in IGNORED_NAMES) or lower.endswith(".sol"):
            continue
        if accept(path):
            found.append(path)
    return found


@dataclass(frozen=True)
class BestKnown:
    value: float
    is_optimal: bool
    row: dict[str, str]


def best_known(instance: Path, root: Path, column: str = "bks") -> BestKnown | None:
    """The instance's row of the nearest `bks.csv` between its folder and `root`."""
    folder = instance.parent
    stop = root if root.is_dir() else root.parent
    while True:
        table = folder / "bks.csv"
        if table.exists():
            with table.open(newline="", encoding="utf-8") as fh:
                for row in csv.DictReader(fh):
                    if row.get("instance", "").strip() == instance.stem:
                        raw = (row.get(column) or "").strip()
                        if not raw:
                            return None
                        optimal = (row.get("is_optimal") or "").strip().lower()
                        return BestKnown(float(raw), optimal in ("1", "true", "yes"), row)
        if folder == stop or folder.parent == folder or stop not in folder.parents:
            return None
        folder = folder.parent


def gap_pct(value: float | None, bks: float | None) -> float | None:
    """100·(value − bks)/bks, or None when either is missing."""
    if value is None or bks is None or bks == 0 or math.isnan(value):
        return None
    return 100.0 * (value - bks) / bks


def mean_or_none(values: Iterable[float | None]) -> float | None:
    """Mean of the values; None if any is None (an infeasible result voids the mean)."""
    vals = list(values)
    if not vals or any(v is None for v in vals):
        return None
    return sum(v for v in vals if v is not None) / len(vals)


def emit(
    summary: dict[str, Any],
    rows: Sequence[dict[str, Any]],
    json_file: Path | None,
    columns: Sequence[str],
) -> None:
    """Print a table on stdout (or nothing but the JSON with --json -) and write the JSON."""
    doc = {"summary": summary, "rows": list(rows)}
    if json_file is not None and str(json_file) == "-":
        sys.stdout.write(json.dumps(doc, ensure_ascii=False) + "\n")
        return
    widths = {
        c: max(len(c), *(len(_cell(r.get(c))) for r in rows)) if rows else len(c) for c in columns
    }
    typer.echo("  ".join(c.ljust(widths[c]) for c in columns))
    for r in rows:
        typer.echo("  ".join(_cell(r.get(c)).ljust(widths[c]) for c in columns))
    typer.echo("summary: " + json.dumps(summary, ensure_ascii=False))
    if json_file is not None:
        json_file.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def fail(message: str) -> None:
    """Bad usage or malformed input: one line on stderr, exit status 2."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)
