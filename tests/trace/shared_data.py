"""Where the shared reference vectors live, and parametrisation that skips when they don't.

A test may only *skip* when the shared data it names is absent. Vector cases outside our
contract are not skipped: an ``out_of_scope`` predicate leaves them out at collection time and
they are counted here, per vector file, group and reason, so each test module can assert the
exact number it excludes (``excluded``) and a change in the data or in our scope fails a test.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

SHARED = Path(os.environ.get("SUPPLYMESH_DATA_DIR", Path(__file__).parents[3] / "shared" / "data"))

OutOfScope = Callable[[dict[str, Any]], str | None]
"""Given a vector case, the reason it lies outside our contract, or ``None`` to run it."""

_EXCLUDED: dict[tuple[str, str], Counter[str]] = {}
"""Cases left out at collection time: (vector file, group) -> reason -> number of cases."""


def absent(path: Path) -> Any:
    """A single skipped parameter saying why (the shared data folder is not on this machine)."""
    return pytest.param(
        None, marks=pytest.mark.skip(reason=f"shared data not available: {path} is absent")
    )


def require(*relative: str) -> None:
    """Skip the calling test, saying so, when any of these vector files is absent."""
    for rel in relative:
        path = SHARED / rel
        if not path.is_file():
            pytest.skip(f"shared data not available: {path} is absent")


def _groups(relative: str) -> dict[str, Any] | None:
    path = SHARED / relative
    if not path.is_file():
        return None
    groups: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))["vectors"]
    return groups


def _in_scope(
    relative: str, group: str, cases: list[dict[str, Any]], out_of_scope: OutOfScope | None
) -> list[tuple[int, dict[str, Any]]]:
    """The numbered cases to run; the others are recorded as excluded, with their reason."""
    kept: list[tuple[int, dict[str, Any]]] = []
    reasons: Counter[str] = Counter()
    for n, case in enumerate(cases):
        reason = out_of_scope(case) if out_of_scope is not None else None
        if reason is None:
            kept.append((n, case))
        else:
            reasons[reason] += 1
    # Assigned, not added to, so collecting the same group twice does not count it twice.
    _EXCLUDED[(relative, group)] = reasons
    return kept


def vector_cases(relative: str, group: str, out_of_scope: OutOfScope | None = None) -> list[Any]:
    """The in-scope cases of one vector group, ids from the source line, or one skipped parameter.

    Cases for which ``out_of_scope`` returns a reason are not parametrised but counted (see
    ``excluded``).
    """
    groups = _groups(relative)
    if groups is None:
        return [absent(SHARED / relative)]
    kept = _in_scope(relative, group, groups[group]["cases"], out_of_scope)
    return [
        pytest.param(c, id=f"{group}-{n}-line{c.get('source', {}).get('line', '')}")
        for n, c in kept
    ]


def all_vector_cases(relative: str, out_of_scope: OutOfScope | None = None) -> list[Any]:
    """The in-scope cases of every group of one vector file, ids ``group-n``, or one skip."""
    groups = _groups(relative)
    if groups is None:
        return [absent(SHARED / relative)]
    return [
        pytest.param(c, id=f"{name}-{n}")
        for name, group in groups.items()
        for n, c in _in_scope(relative, name, group["cases"], out_of_scope)
    ]


def exclude_group(relative: str, group: str, reason: str) -> None:
    """Exclude every case of a vector group that lies wholly outside our contract."""
    groups = _groups(relative)
    if groups is not None:
        _in_scope(relative, group, groups[group]["cases"], lambda _case: reason)


def excluded(*relative: str) -> dict[tuple[str, str], dict[str, int]]:
    """Excluded cases of these vector files: (file, group) -> reason -> count (non-empty only)."""
    return {
        key: dict(reasons) for key, reasons in _EXCLUDED.items() if key[0] in relative and reasons
    }


def text(value: str | dict[str, str]) -> str:
    """A vector string, decoding the ``{"latin1", "hex"}`` form of non-ASCII values."""
    if isinstance(value, dict):
        return bytes.fromhex(value["hex"]).decode("latin-1")
    return value
