"""`cleanly`: the main module's `clean_errors` for sub-command modules.

Sub-apps are imported by `cli.main` itself, so they cannot import it at module level; the
decorator looks `clean_errors` up when the command runs. Only the standard library here, so
`supplymesh --help` and `ident parse` stay quick.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


def cleanly(fn: Callable[P, R]) -> Callable[P, R]:
    """Expected failures become one line on stderr and exit status 1 (see `clean_errors`)."""

    @wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        from supplymesh.cli.main import clean_errors

        return clean_errors(fn)(*args, **kwargs)

    return wrapper
