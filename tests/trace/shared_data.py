"""Where the shared reference vectors live, and parametrisation that skips when they don't."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

SHARED = Path(os.environ.get("SUPPLYMESH_DATA_DIR", Path(__file__).parents[3] / "shared" / "data"))


def absent(path: Path) -> Any:
    """A single skipped parameter saying why (the shared data folder is not on this machine)."""
    return pytest.param(
        None, marks=pytest.mark.skip(reason=f"shared data not available: {path} is absent")
    )


def vector_cases(relative: str, group: str) -> list[Any]:
    """Every case of one vector group, ids from the source line, or one skipped parameter."""
    path = SHARED / relative
    if not path.is_file():
        return [absent(path)]
    cases = json.loads(path.read_text(encoding="utf-8"))["vectors"][group]["cases"]
    return [
        pytest.param(c, id=f"{group}-{n}-line{c.get('source', {}).get('line', '')}")
        for n, c in enumerate(cases)
    ]


def text(value: str | dict[str, str]) -> str:
    """A vector string, decoding the ``{"latin1", "hex"}`` form of non-ASCII values."""
    if isinstance(value, dict):
        return bytes.fromhex(value["hex"]).decode("latin-1")
    return value
