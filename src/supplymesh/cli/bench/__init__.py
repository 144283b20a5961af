"""`supplymesh bench NAME DIR`: every engine's benchmark, one module per engine.

Each module in this package defines ``register(app: typer.Typer) -> None`` adding its
command; they are found by name, so an engine adds its bench without touching this file.
"""

from __future__ import annotations

import importlib
import pkgutil

import typer

bench_app = typer.Typer(
    help="Benchmarks of the decision engines on standard instance files (see CONTRACTS.md).",
    no_args_is_help=True,
)

for _module in sorted(m.name for m in pkgutil.iter_modules(__path__)):
    if _module != "common":
        importlib.import_module(f"{__name__}.{_module}").register(bench_app)
